"""Metrics derived from task timelines (see ``replay``), in working days.

Counting rules, so that numbers can be checked by hand:

- A task's **cycle time** runs from the day it was first started to the day it was
  last finished, both included (as a card's age does).
- Its **active days** are the working days on which it was in progress at some moment;
  the rest of its cycle time are **waiting days** (waiting, or put back to do).
- An active day counts for the phase the task was in when that day's work began, so a
  task moved from Modeling to Data Exploration on a Wednesday spent that Wednesday in
  Modeling, and the days per phase add up to the active days.
- A project's **time per phase** is the sum of its tasks' active days in that phase
  (person-days); plans are in weeks of five working days.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from mlkanban.domain import phases, work_log
from mlkanban.domain.phases import Phase
from mlkanban.domain.rules import is_over_size
from mlkanban.domain.statuses import Status
from mlkanban.history.day_counter import (  # noqa: F401 (re-exported)
    DAY_MICROS,
    EPOCH_ORDINAL,
    DayCounter,
    local_day,
)
from mlkanban.history.replay import TaskState, TaskTimeline
from mlkanban.store.views import EventView

STALLED_AFTER_DAYS = 5
"""A project with no event for this many working days is stalled."""
LONG_WAIT_DAYS = 5
"""A task waiting for this many working days is worth a look."""
DAYS_PER_WEEK = 5

_IN_PROGRESS = Status.IN_PROGRESS.value
_DONE = Status.DONE.value


# ---------------------------------------------------------------- per task


@dataclass(slots=True)
class TaskWork:
    """How a task's time was spent, up to a moment."""

    key: str
    project: str
    started: date | None = None
    finished: date | None = None
    """The day it was last finished, if it was done at that moment."""
    active_days: int = 0
    by_phase: dict[Phase, int] = field(default_factory=dict)
    pieces: list[tuple[Phase, date, date]] = field(default_factory=list)
    """(phase, first day, last day) of each stretch in progress, split at phase changes."""

    def cycle_days(self, days: DayCounter) -> int | None:
        if self.started is None or self.finished is None:
            return None
        return days.between(self.started, self.finished)

    def waiting_days(self, days: DayCounter) -> int | None:
        cycle = self.cycle_days(days)
        return None if cycle is None else max(cycle - self.active_days, 0)


def task_work(line: TaskTimeline, moment: datetime, days: DayCounter) -> TaskWork:
    """Active days per phase, cycle bounds, and stretches in progress, up to ``moment``."""
    work = TaskWork(line.key, line.project)
    day_of = days.day
    current = None
    for span in line.statuses:
        if span.start > moment:
            break
        current = span.value
        if current == _DONE:
            work.finished = day_of(span.start)
        elif current == _IN_PROGRESS and work.started is None:
            work.started = day_of(span.start)
    if current != _DONE:
        work.finished = None
    pieces = work_log.pieces_of(
        [(s.value, s.start, s.end) for s in line.statuses],
        [(s.value, s.start, s.end) for s in line.phases],
        moment,
    )
    _count_days(work, pieces, days)
    return work


def _count_days(work: TaskWork, pieces: Sequence[Sequence], days: DayCounter) -> None:
    """Add each piece's working days to its phase (see ``_piece_days``)."""
    as_date = days.date
    by_phase, stretches = work.by_phase, work.pieces
    active = 0
    for phase_value, first, last, count in _piece_days(pieces, days):
        phase = _PHASE[phase_value]
        by_phase[phase] = by_phase.get(phase, 0) + count
        active += count
        stretches.append((phase, as_date(first), as_date(last)))
    work.active_days += active


def _piece_days(pieces: Sequence[Sequence],
                days: DayCounter) -> Iterator[tuple[str, int, int, int]]:
    """Each piece's phase, first and last local day (date ordinals), and the working days
    it adds: a day shared with the piece before counts once, for the phase the day's work
    began in. (``logged_project_work`` has the same rules inlined.)"""
    ordinal, between = days.ordinal, days.between_ordinals
    last_day = None
    for phase_value, start, end, _ in pieces:
        first, last = ordinal(start), ordinal(end)
        count = between(first, last)
        if first == last_day and between(first, first):
            count -= 1
        last_day = last
        yield phase_value, first, last, count


_PHASE = phases.BY_VALUE


# ---------------------------------------------------------------- projects


def phase_days(works: Iterable[TaskWork]) -> dict[str, dict[Phase, int]]:
    """Active person-days per phase, per project."""
    totals: dict[str, dict[Phase, int]] = defaultdict(dict)
    for work in works:
        project = totals[work.project]
        for phase, count in work.by_phase.items():
            project[phase] = project.get(phase, 0) + count
    return dict(totals)


def first_days(works: Iterable[TaskWork]) -> dict[str, dict[Phase, date]]:
    """Per project, the first day some task of each phase was in progress."""
    firsts: dict[str, dict[Phase, date]] = defaultdict(dict)
    for work in works:
        project = firsts[work.project]
        for phase, first, _ in work.pieces:
            known = project.get(phase)
            if known is None or first < known:
                project[phase] = first
    return dict(firsts)


def phase_timeline(
    works: Iterable[TaskWork], days: DayCounter, since: date | None = None
) -> dict[str, list[tuple[Phase, date, date]]]:
    """Per project, the stretches when some task of each phase was in progress.

    Stretches of one phase merge when no working day separates them, so a weekend or
    a holiday does not break a bar in two. With ``since``, stretches over before it are
    left out (a stretch running into it from earlier starts at least as early as it).
    """
    cutoff = cutoff_day(days, since)
    pieces: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for work in works:
        for phase, first, last in work.pieces:
            last_ordinal = last.toordinal()
            if last_ordinal >= cutoff:
                pieces[(work.project, phase.value)].append((first.toordinal(), last_ordinal))
    return _merged(pieces, days)


@dataclass(slots=True)
class ProjectWork:
    """What the tasks' time in progress adds up to, per project: ``phase_days``,
    ``first_days`` and ``phase_timeline``."""

    days: dict[str, dict[Phase, int]]
    firsts: dict[str, dict[Phase, date]]
    timelines: dict[str, list[tuple[Phase, date, date]]]


def project_work(works: Iterable[TaskWork], days: DayCounter,
                 since: date | None = None) -> ProjectWork:
    works = list(works)
    return ProjectWork(phase_days(works), first_days(works), phase_timeline(works, days, since))


@dataclass(slots=True)
class LogFold:
    """Work logs folded so far (see ``logged_project_work``): per (project, phase value),
    [working days, first day]; and the pieces' first and last days (date ordinals, each
    pair once) that may still show on the timeline (ending on or after a cutoff)."""

    sums: dict[str, dict[str, list[int]]] = field(default_factory=lambda: defaultdict(dict))
    pieces: dict[tuple[str, str], set[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(set))


def merge_folds(into: LogFold, other: LogFold, cutoff: int,
                hidden: Collection[str] = ()) -> None:
    """Add ``other``'s sums to ``into`` (bar ``hidden`` projects), and its pieces that
    end on or after ``cutoff``: as if its logs had been folded into ``into``."""
    for project, mine in other.sums.items():
        if project in hidden:
            continue
        target = into.sums[project]
        for value, (count, first) in mine.items():
            known = target.get(value)
            if known is None:
                target[value] = [count, first]
            else:
                known[0] += count
                if first < known[1]:
                    known[1] = first
    for (project, value), spans in other.pieces.items():
        if project not in hidden:
            kept = [span for span in spans if span[1] >= cutoff]
            if kept:
                into.pieces[(project, value)].update(kept)


def logged_project_work(logs: Iterable[tuple[str, Sequence[Sequence]]], moment: int,
                        days: DayCounter, since: date | None = None, *,
                        folded: LogFold | None = None) -> ProjectWork:
    """``project_work`` from the tasks' work logs, given as ``(project, log)``, up to
    ``moment`` (``work_log.micros``); ``folded``: more logs, folded already (with the
    same calendar, and a cutoff no later than ``since``'s).

    A year of logs goes through this loop, so it keeps no ``TaskWork`` per task and no
    date per piece, and inlines ``_piece_days`` for the common case (one UTC offset, days
    inside the counter's range); a test holds it equal to ``project_work``.
    """
    cutoff = cutoff_day(days, since)
    fold = fold_logs(logs, moment, days, cutoff)
    if folded is not None:
        merge_folds(fold, folded, cutoff)
    as_date = days.date
    sums = fold.sums
    return ProjectWork(
        {project: {_PHASE[value]: n for value, (n, _) in mine.items()}
         for project, mine in sums.items()},
        {project: {_PHASE[value]: as_date(first) for value, (_, first) in mine.items()}
         for project, mine in sums.items()},
        _merged(fold.pieces, days),
    )


def fold_logs(logs: Iterable[tuple[str, Sequence[Sequence]]], moment: int, days: DayCounter,
              cutoff: int, fold: LogFold | None = None) -> LogFold:
    """Add the logs' working days per phase to ``fold`` (a new one by default), keeping
    the pieces that end on or after ``cutoff`` (a date ordinal)."""
    fold = fold or LogFold()
    ordinal, between = days.ordinal, days.between_ordinals
    first_ordinal = days.first_ordinal
    # Working days before each day of the counter's range (by index from its first day),
    # and one more: a piece from day i to day j adds before[j + 1] - before[i].
    before = [0, *days.upto]
    size = len(before) - 1
    fixed = days.fixed_offset()
    if fixed is not None:  # under one UTC offset, a moment's day index in one division
        offset, low, high = fixed
        shift = offset - (first_ordinal - EPOCH_ORDINAL) * DAY_MICROS
    else:
        shift, low, high = 0, 0, -1
    sums, pieces = fold.sums, fold.pieces
    clip = work_log.clip
    for project, log in logs:
        if not log:
            continue
        end = log[-1][2]
        if end is None or end > moment:  # most logs ended long before: nothing to cut
            log = clip(log, moment)
        mine = sums[project]
        last_day = None
        for value, start, end, _ in log:
            if low <= start and end < high:
                i = (start + shift) // DAY_MICROS
                j = (end + shift) // DAY_MICROS
                first, last = i + first_ordinal, j + first_ordinal
            else:
                first, last = ordinal(start), ordinal(end)
                i, j = first - first_ordinal, last - first_ordinal
            if i >= 0 and j < size:  # pieces never end before they start: i <= j
                low_count = before[i]
                count = before[j + 1] - low_count
                if first == last_day and before[i + 1] - low_count:
                    count -= 1
            else:
                count = between(first, last)
                if first == last_day and between(first, first):
                    count -= 1
            last_day = last
            known = mine.get(value)
            if known is None:
                mine[value] = [count, first]
            else:
                known[0] += count
                if first < known[1]:
                    known[1] = first
            if last >= cutoff:
                pieces[(project, value)].add((first, last))
    return fold


def cutoff_day(days: DayCounter, since: date | None) -> int:
    """The last working day before ``since`` (a date ordinal): a stretch ending earlier
    cannot merge with anything from ``since`` on. Without ``since``, none is cut."""
    if since is None:
        return 0
    cutoff = since - timedelta(days=1)
    while cutoff > days.first and not days.is_working_day(cutoff):
        cutoff -= timedelta(days=1)
    return cutoff.toordinal()


def _merged(pieces: Mapping[tuple[str, str], Collection[tuple[int, int]]],
            days: DayCounter) -> dict[str, list[tuple[Phase, date, date]]]:
    """Stretches per (project, phase), as date ordinals, merged where no working day
    separates them: each project's bars in order."""
    between, as_date = days.between_ordinals, days.date
    result: dict[str, list[tuple[Phase, date, date]]] = defaultdict(list)
    for (project, value), spans in pieces.items():
        phase = _PHASE[value]
        bars = result[project]
        spans = sorted(spans)
        cur_start, cur_end = spans[0]
        for first, last in spans[1:]:
            if first <= cur_end or between(cur_end + 1, first - 1) == 0:
                cur_end = max(cur_end, last)
            else:
                bars.append((phase, as_date(cur_start), as_date(cur_end)))
                cur_start, cur_end = first, last
        bars.append((phase, as_date(cur_start), as_date(cur_end)))
    for bars in result.values():
        bars.sort(key=lambda bar: (bar[1], bar[0].index))
    return dict(result)


def last_event_days(events: Iterable[EventView], moment: datetime,
                    day: Callable[[datetime], date] = local_day) -> dict[str, date]:
    """Each project's last day with an event, up to ``moment``."""
    last: dict[str, datetime] = {}
    for event in events:
        if event.project is None or event.at > moment:
            continue
        last[event.project] = event.at  # events come in time order
    return {key: day(at) for key, at in last.items()}


def stalled(last_days: dict[str, date], project_keys: Iterable[str], today: date,
            days: DayCounter) -> dict[str, int]:
    """Projects with no event for ``STALLED_AFTER_DAYS`` working days or more: days quiet."""
    result = {}
    for key in project_keys:
        last = last_days.get(key)
        if last is None:
            continue
        quiet = days.after(last, today)
        if quiet >= STALLED_AFTER_DAYS:
            result[key] = quiet
    return result


# ---------------------------------------------------------------- flow


def iso_week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def throughput(timelines: Iterable[TaskTimeline], weeks: list[date], moment: datetime,
               day_of: Callable[[datetime], date] = local_day) -> list[int]:
    """Tasks finished in each ISO week (given by its Monday), up to ``moment``.

    A task finished twice in one week (reopened in between) counts once.
    """
    index = {monday: i for i, monday in enumerate(weeks)}
    seen: set[tuple[str, date]] = set()
    counts = [0] * len(weeks)
    before = _surely_before(weeks[0]) if weeks else None
    for line in timelines:
        for span in line.statuses:
            if span.value != _DONE or span.start > moment:
                continue
            if before is not None and span.start < before:
                continue
            day = day_of(span.start)
            monday = day - timedelta(days=day.weekday())
            i = index.get(monday)
            if i is not None and (line.key, monday) not in seen:
                seen.add((line.key, monday))
                counts[i] += 1
    return counts


def _surely_before(day: date) -> datetime:
    """A moment that is before ``day`` begins in any time zone (offsets stay within
    a day of UTC), so that spans ending earlier can be skipped without converting."""
    return datetime.combine(day - timedelta(days=2), dtime(), UTC)


FLOW_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.WAITING, Status.DONE, Status.DROPPED)


def cumulative_flow(
    timelines: Iterable[TaskTimeline], first: date, last: date, moment: datetime,
    day_of: Callable[[datetime], date] = local_day, *, held: Mapping[str, int] = {},  # noqa: B006
) -> list[tuple[date, dict[Status, int]]]:
    """Tasks per status at the end of each day from ``first`` to ``last``; ``held``:
    tasks per status (value) not among ``timelines``, held since before ``first``.

    Each status span adds one on the day it began and takes it away on the day it
    ended, so the counts are a running sum (no per-day scan of every task). A span
    mostly begins when the one before ended: that day is found once.
    """
    deltas: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    base: dict[str, int] = defaultdict(int, held)
    before = _surely_before(first)
    for line in timelines:
        ended_at = ended = None
        for span in line.statuses:
            start, end = span.start, span.end
            if start > moment:
                break
            if end is not None and end < before:
                continue  # began and ended before the first day: no change to any count
            value = span.value
            if start < before:  # a status held since before the first day
                base[value] += 1
            else:
                begin = ended if start == ended_at else day_of(start)
                target = base if begin < first else deltas[begin]
                target[value] += 1
            if end is not None and end <= moment:
                ended_at, ended = end, day_of(end)
                target = base if ended < first else deltas[ended]
                target[value] -= 1
    running = dict(base)
    result = []
    day = first
    while day <= last:
        for status, delta in deltas.get(day, {}).items():
            running[status] = running.get(status, 0) + delta
        result.append((day, {s: running.get(s.value, 0) for s in FLOW_STATUSES}))
        day += timedelta(days=1)
    return result


# ---------------------------------------------------------------- attention


def age_days(state: TaskState, today: date, days: DayCounter) -> int | None:
    """Working days since it was first started, day 1 being the start day."""
    if state.started_at is None:
        return None
    return days.between(days.day(state.started_at), today)


def over_size(state: TaskState, today: date, days: DayCounter) -> bool:
    if state.status is not Status.IN_PROGRESS:
        return False
    age = age_days(state, today, days)
    return age is not None and is_over_size(age, state.estimate)


def waiting_for(state: TaskState, today: date, days: DayCounter) -> int:
    """Working days it has been waiting, after the day it began to wait."""
    return days.after(days.day(state.since), today)


def idle_people(handles: Iterable[str], states: Iterable[TaskState]) -> list[str]:
    """People with nothing in progress (a waiting task does not keep anyone busy)."""
    busy = {s.owner for s in states if s.status is Status.IN_PROGRESS}
    return [h for h in handles if h not in busy]


def is_move_back(event: EventView) -> bool:
    new, old = _PHASE_INDEX.get(event.new), _PHASE_INDEX.get(event.old)
    return new is not None and old is not None and new < old


_PHASE_INDEX = {phase.value: phase.index for phase in Phase}


def in_window(events: list[EventView], start: datetime, end: datetime) -> list[EventView]:
    """The events with ``start <= at <= end`` (events are in time order)."""
    times = [e.at for e in events]
    lo = bisect_right(times, start - timedelta(microseconds=1))
    hi = bisect_right(times, end)
    return events[lo:hi]
