"""The weekly report as one data model, rendered to Markdown, JSON and the review screen.

Building the model replays task timelines in plain Python. For a report, loading reads
only what the replay folds (status and phase changes over the whole history, owner and
estimate changes after the report's moment, and the period's own events) through lean
queries, so that a year of history costs a few queries and no query per task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection

from mlkanban.domain.clock import as_utc
from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import PHASES, Phase
from mlkanban.domain.statuses import Status
from mlkanban.domain.work_log import micros
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import metrics
from mlkanban.history.metrics import DAYS_PER_WEEK, DayCounter, local_day
from mlkanban.history.replay import TaskState, board_at, build_timelines
from mlkanban.store import history_reads, queries
from mlkanban.store.history_reads import LeanTask
from mlkanban.store.views import AbTestView, EventView, PersonView, ProjectView, TaskView

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
CHART_WEEKS = 12
"""How many weeks the throughput and flow charts cover at most, ending with the report's
week; they start no earlier than the week of the first event."""

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


# ---------------------------------------------------------------- the period


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, in local time."""

    start: date
    end: date
    label: str

    @classmethod
    def week_of(cls, day: date) -> Period:
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6), metrics.iso_week_label(monday))

    @classmethod
    def parse_week(cls, text: str) -> Period:
        """``2026-W47`` (or ``2026W47``): an ISO week, Monday to Sunday."""
        match = _WEEK.match(text.strip())
        if not match:
            raise BadInput(f"cannot read week {text!r}; use an ISO week such as 2026-W47")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise BadInput(
                f"{year} has no week {week}; ISO weeks run from W01 to W52 or W53"
            ) from None
        return cls.week_of(monday)

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        if start > end:
            raise BadInput(f"--from {start} is after --to {end}")
        return cls(start, end, f"{start} to {end}")

    @property
    def is_week(self) -> bool:
        return self.start.weekday() == 0 and self.end - self.start == timedelta(days=6)

    def start_moment(self) -> datetime:
        return as_utc(datetime.combine(self.start, time()))

    def end_moment(self) -> datetime:
        """The last instant of the last day."""
        return as_utc(datetime.combine(self.end + timedelta(days=1), time())) - timedelta(
            microseconds=1
        )

    def as_of(self, now: datetime) -> datetime:
        """The moment a report of this period describes: its end, or now if sooner."""
        return min(self.end_moment(), now)

    def previous(self) -> Period:
        if self.is_week:
            return Period.week_of(self.start - timedelta(days=7))
        length = self.end - self.start + timedelta(days=1)
        return Period.between(self.start - length, self.end - length)

    def next(self) -> Period:
        if self.is_week:
            return Period.week_of(self.start + timedelta(days=7))
        length = self.end - self.start + timedelta(days=1)
        return Period.between(self.start + length, self.end + length)


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"cannot read {option} {text!r}; use a date such as 2026-11-16") from None


# ---------------------------------------------------------------- the model


@dataclass
class TaskRef:
    key: str
    title: str
    phase: str
    owner: str | None = None
    age_days: int | None = None
    estimate: int | None = None


@dataclass
class WaitingItem:
    key: str
    title: str
    owner: str | None
    reason: str
    days: int
    """Working days waited after the day it began to wait."""
    ab_test: str | None = None
    """How far the task's A/B test has run ("day 3 of 14"), when it has one."""


@dataclass
class PersonRow:
    handle: str
    name: str
    in_progress: list[TaskRef]
    done: list[TaskRef]
    waiting: list[WaitingItem]
    flags: list[str]


@dataclass
class PhaseRow:
    phase: str
    title: str
    planned_weeks: float | None
    actual_weeks: float
    open: int
    done: int


@dataclass
class Move:
    key: str
    title: str
    from_phase: str
    to_phase: str
    back: bool
    at: datetime


@dataclass
class Deliverable:
    phase: str
    title: str
    link: str | None
    at: datetime


@dataclass
class Closing:
    """The project was closed in the period: its outcome, why, and the status it got."""

    outcome: str
    why: str
    status: str
    at: datetime


@dataclass
class TimelineBar:
    phase: str
    start: date
    end: date


@dataclass
class ProjectSection:
    key: str
    name: str
    status: str
    owner: str | None
    hypothesis: str
    metric: str
    outcome: str | None
    outcome_why: str | None
    current_phase: str | None
    phases: list[PhaseRow]
    timeline: list[TimelineBar]
    """When work happened per phase, over the weeks the charts cover."""
    plan: list[TimelineBar]
    """Each planned phase's length in working days, from when its work first began."""
    done: list[TaskRef]
    started: list[TaskRef]
    moved: list[Move]
    deliverables: list[Deliverable]
    pivots: list[str]
    last_event: date | None
    stalled_days: int | None
    closed: Closing | None = None
    """Set when the project was closed in the period."""


@dataclass
class Override:
    key: str
    title: str
    owner: str | None
    reason: str
    at: datetime


@dataclass
class Stalled:
    key: str
    name: str
    last_event: date
    days: int


@dataclass
class Attention:
    overrides: list[Override]
    over_size: list[TaskRef]
    stalled: list[Stalled]
    idle: list[str]
    long_waits: list[WaitingItem]

    @property
    def empty(self) -> bool:
        return not (self.overrides or self.over_size or self.stalled or self.idle
                    or self.long_waits)


@dataclass
class WeekCount:
    week: str
    start: date
    done: int


@dataclass
class FlowDay:
    day: date
    todo: int
    in_progress: int
    waiting: int
    done: int
    dropped: int


@dataclass
class Summary:
    done: int
    started: int
    moved: int
    moved_back: int
    in_progress: int
    waiting: int
    average_done: float | None
    """Tasks done per week over the chart's earlier weeks (none before the first event)."""


@dataclass
class WeeklyReport:
    title: str
    label: str
    start: date
    end: date
    as_of: datetime
    summary: Summary
    people: list[PersonRow]
    projects: list[ProjectSection]
    attention: Attention
    throughput: list[WeekCount]
    flow: list[FlowDay]
    phase_names: dict[str, str] = field(default_factory=lambda: {p.value: p.title for p in PHASES})

    def to_data(self) -> dict[str, Any]:
        """The same content as plain JSON-ready data (dates as ISO strings)."""
        data = _plain(self)
        data.pop("phase_names", None)
        return data


def _plain(value: Any) -> Any:
    """Like ``dataclasses.asdict`` without its deep copies, with dates as text."""
    kind = type(value)
    if kind in _ATOMS:  # most values of a report: tested first
        return value
    fields = getattr(kind, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


_ATOMS = frozenset({str, int, float, bool, type(None)})


# ---------------------------------------------------------------- building it


#: The events a replay folds into the board as it was: a task's status, phase, owner,
#: estimate and WIP overrides. A report reads them only from the start of its charts on:
#: the task rows hold the values now, the changes' old values walk them back, and each
#: row's work log holds the time in progress before (``domain.work_log``).
TASK_KINDS = ("started", "status_changed", "moved_phase", "wip_override", "assigned",
              "estimated")
_STATUS_KINDS = ("started", "status_changed")
_WINDOW_TASK_KINDS = (*_STATUS_KINDS, "wip_override")
_LATE_TASK_KINDS = ("moved_phase", "assigned", "estimated")
#: The events listed for the period itself.
WINDOW_KINDS = ("moved_phase", "wip_override", "delivered", "pivot", "closed")
#: The events that change a project's status or outcome.
PROJECT_CHANGE_KINDS = ("closed", "project_edited")


@dataclass
class HistoryData:
    """Everything a report reads, loaded in one go."""

    tasks: list[TaskView] | list[LeanTask]
    """Views; or, with ``since``, ``LeanTask``s carrying their work logs, since ``events``
    then do not go back far enough to replay the time in progress."""
    events: list[EventView]
    people: list[PersonView]
    projects: list[ProjectView]
    last_events: dict[str, datetime] | None = None
    """Each project's last event up to the report's moment; None: found from ``events``."""
    window: list[EventView] | None = None
    """The period's own events (moves, overrides, deliverables, pivots, closings);
    None: taken from ``events``."""
    first_event: datetime | None = None
    """When the board's history begins; None: the first of ``events``."""
    ab_tests: dict[str, AbTestView] = field(default_factory=dict)
    """A/B test designs by task key."""
    project_changes: list[EventView] | None = None
    """Closings and status changes of projects after the report's moment, to walk the
    project rows back to it; None: taken from ``events``."""
    since: datetime | None = None
    """When ``events`` begin (None: they are the whole history); they hold every event
    of the tasks in ``whole`` all the same."""
    whole: set[str] = field(default_factory=set)


def history_start(since: datetime, until: datetime) -> datetime:
    """How far back a report of ``since``..``until`` needs events: to its own start or
    its charts' start, whichever is earlier (local midnight)."""
    today = local_day(until)
    first_monday = today - timedelta(days=today.weekday(), weeks=CHART_WEEKS - 1)
    return min(since, as_utc(datetime.combine(first_monday, time())))


def load_history(conn: Connection, *, until: datetime | None = None,
                 since: datetime | None = None) -> HistoryData:
    """All events; or, for a report of ``since``..``until``, only what it folds.

    The second way reads a year of history several times faster: the status and
    phase changes of every task, owner and estimate changes after ``until`` (to walk
    the task rows back to that moment), and the period's own events.
    """
    if until is None:
        return HistoryData(
            tasks=queries.tasks(conn),
            events=queries.event_log(conn),
            people=queries.people(conn),
            projects=queries.projects(conn),
            ab_tests=queries.ab_tests(conn),
        )
    since = since or _EPOCH
    start = history_start(since, until)
    tasks = history_reads.lean_tasks(conn)
    # Statuses over the charts' weeks; the other values only as they were at ``until``,
    # walked back from the rows by the changes made after it.
    events = history_reads.lean_events(conn, _WINDOW_TASK_KINDS, since=start,
                                       late_kinds=_LATE_TASK_KINDS, after=until)
    whole = _carried_past(tasks, events, start, until)
    if whole:
        events = sorted([e for e in events if e.task not in whole]
                        + history_reads.events_of_tasks(conn, sorted(whole), TASK_KINDS),
                        key=lambda e: e.at)
    return HistoryData(
        tasks=tasks,
        events=events,
        since=start,
        whole=whole,
        people=queries.people(conn),
        projects=queries.projects(conn),
        last_events=history_reads.last_event_per_project(conn, until),
        window=history_reads.events_between(conn, since, until, WINDOW_KINDS),
        first_event=history_reads.first_event_at(conn),
        ab_tests=queries.ab_tests(conn),
        project_changes=history_reads.events_between(
            conn, until + timedelta(microseconds=1), _FAR_FUTURE, PROJECT_CHANGE_KINDS),
    )


def _carried_past(tasks: list[LeanTask], events: list, start: datetime,
                  until: datetime) -> set[str]:
    """Tasks whose status at ``until`` began before ``start`` and changed after ``until``:
    only their earlier events tell when it began (and under which WIP override)."""
    first_change: dict[str, datetime] = {}
    for event in events:
        if event.kind in _STATUS_KINDS and event.task not in first_change:
            first_change[event.task] = event.at
    return {t.key for t in tasks
            if t.created_at < start and first_change.get(t.key, start) > until}


def build_report(
    data: HistoryData, period: Period, *, now: datetime, calendar: WorkCalendar
) -> WeeklyReport:
    """The report of ``period`` as the events tell it, as of its end (or now)."""
    start_at = period.start_moment()
    as_of = period.as_of(now)
    today = local_day(as_of)
    last_monday = today - timedelta(days=today.weekday())
    chart_weeks = [last_monday - timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]
    began = data.first_event or (data.events[0].at if data.events else None)
    if began is not None:  # no empty weeks before the board's first event
        first_event = local_day(began)
        first_monday = first_event - timedelta(days=first_event.weekday())
        chart_weeks = [m for m in chart_weeks if m >= first_monday] or chart_weeks[-1:]
    first_day = min([chart_weeks[0], period.start]
                    + ([local_day(began)] if began is not None else []))
    days = DayCounter(calendar, first_day - timedelta(days=7),
                      max(today, period.end) + timedelta(days=7))

    if data.since is None:
        timelines = build_timelines(data.tasks, data.events)
        work = metrics.project_work((metrics.task_work(line, as_of, days)
                                     for line in timelines.values()), days, chart_weeks[0])
    else:
        timelines = build_timelines(data.tasks, data.events, since=data.since,
                                    whole=data.whole)
        work = metrics.logged_project_work(((t.project, t.work_log) for t in data.tasks),
                                           micros(as_of), days, chart_weeks[0])
    states = board_at(timelines, as_of)
    by_key = {s.key: s for s in states}
    day_of = days.day
    window = (metrics.in_window(data.events, start_at, as_of) if data.window is None
              else [e for e in data.window if start_at <= e.at <= as_of])

    def ref(state: TaskState) -> TaskRef:
        """A task for the report; a done task's age is its age when it was finished."""
        end = day_of(state.since) if state.status is Status.DONE else today
        return TaskRef(state.key, state.title, state.phase.value, state.owner,
                       metrics.age_days(state, end, days), state.estimate)

    done = [s for s in states if s.status is Status.DONE and s.since >= start_at]
    started = [s for s in states if s.started_at is not None and s.started_at >= start_at]
    moves = [
        Move(e.task, by_key[e.task].title if e.task in by_key else "", e.old or "", e.new or "",
             metrics.is_move_back(e), e.at)
        for e in window if e.kind == "moved_phase" and e.task is not None
    ]
    waiting_items = {
        s.key: WaitingItem(s.key, s.title, s.owner, s.reason or "",
                           metrics.waiting_for(s, today, days),
                           data.ab_tests[s.key].progress(today) if s.key in data.ab_tests
                           else None)
        for s in states if s.status is Status.WAITING
    }
    over_size = [ref(s) for s in states if metrics.over_size(s, today, days)]
    overrides = [
        Override(e.task, by_key[e.task].title if e.task in by_key else "",
                 by_key[e.task].owner if e.task in by_key else None, e.reason or "", e.at)
        for e in window if e.kind == "wip_override" and e.task is not None
    ]

    people = _people_rows(data.people, states, done, waiting_items, over_size, ref)
    active_handles = [p.handle for p in data.people if p.active]
    idle = metrics.idle_people(active_handles, states)

    if data.last_events is not None:
        last_days = {key: day_of(at) for key, at in data.last_events.items() if at <= as_of}
    else:
        last_days = metrics.last_event_days(data.events, as_of, day_of)
    changes = (data.project_changes if data.project_changes is not None
               else [e for e in data.events if e.kind in PROJECT_CHANGE_KINDS])
    projects_then = projects_as_of(data.projects, [e for e in changes if e.at > as_of])
    active_projects = [p for p in projects_then if p.status == "active"]
    stalled = metrics.stalled(last_days, [p.key for p in active_projects], today, days)
    projects = _project_sections(
        projects_then, states, work, window, done, started, moves, last_days, stalled,
        days, ref, period.start, chart_weeks[0],
    )

    counts = metrics.throughput(timelines.values(), chart_weeks, as_of, day_of)
    throughput = [
        WeekCount(metrics.iso_week_label(monday), monday, n)
        for monday, n in zip(chart_weeks, counts, strict=True)
    ]
    earlier = counts[:-1]
    flow = [
        FlowDay(day, c[Status.TODO], c[Status.IN_PROGRESS], c[Status.WAITING], c[Status.DONE],
                c[Status.DROPPED])
        for day, c in metrics.cumulative_flow(timelines.values(), chart_weeks[0], today, as_of,
                                              day_of)
    ]
    summary = Summary(
        done=len(done),
        started=len(started),
        moved=len(moves),
        moved_back=sum(1 for m in moves if m.back),
        in_progress=sum(1 for s in states if s.status is Status.IN_PROGRESS),
        waiting=len(waiting_items),
        average_done=round(sum(earlier) / len(earlier), 1) if earlier else None,
    )
    attention = Attention(
        overrides=overrides,
        over_size=over_size,
        stalled=[
            Stalled(p.key, p.name, last_days[p.key], stalled[p.key])
            for p in active_projects if p.key in stalled
        ],
        idle=idle,
        long_waits=sorted(
            (w for w in waiting_items.values() if w.days >= metrics.LONG_WAIT_DAYS),
            key=lambda w: -w.days,
        ),
    )
    title = (f"Week {period.label}" if period.is_week else "Report") + (
        f": {period.start:%a %d %b} – {period.end:%a %d %b %Y}"
    )
    return WeeklyReport(
        title=title, label=period.label, start=period.start, end=period.end, as_of=as_of,
        summary=summary, people=people, projects=projects, attention=attention,
        throughput=throughput, flow=flow,
    )


def _people_rows(people, states, done, waiting_items, over_size, ref) -> list[PersonRow]:
    over = {t.key for t in over_size}
    by_owner = _group(states, lambda s: s.owner)
    rows = []
    for person in people:
        if not person.active:
            continue
        mine = by_owner.get(person.handle, [])
        in_progress = [s for s in mine if s.status is Status.IN_PROGRESS]
        flags = []
        if not in_progress:
            flags.append("idle")
        for state in in_progress:
            if state.key in over:
                flags.append(f"{state.key} over size")
            if state.override:
                flags.append(f"{state.key} WIP override")
        if len(in_progress) > person.wip_limit:
            flags.append(f"{len(in_progress)}/{person.wip_limit} in progress")
        rows.append(PersonRow(
            person.handle, person.name,
            [ref(s) for s in in_progress],
            [ref(s) for s in done if s.owner == person.handle],
            [waiting_items[s.key] for s in mine if s.key in waiting_items],
            flags,
        ))
    return rows


def _current_phase(states: list[TaskState]) -> str | None:
    """The phase of the task most recently started, else of the latest change."""
    for wanted in (Status.IN_PROGRESS, Status.WAITING):
        candidates = [s for s in states if s.status is wanted]
        if candidates:
            return max(candidates, key=lambda s: s.since).phase.value
    if states:
        return max(states, key=lambda s: s.since).phase.value
    return None


def _project_sections(projects, states, work: metrics.ProjectWork, window, done, started,
                      moves, last_days, stalled, days, ref, since: date,
                      shown_from: date) -> list[ProjectSection]:
    active_in_window = {key for key, day in last_days.items() if day >= since}
    per_project_days, timelines, firsts = work.days, work.timelines, work.firsts
    by_project = _group(states, lambda s: s.project)
    events_of = _group(window, lambda e: e.project)
    done_of = _group(done, lambda s: s.project)
    started_of = _group(started, lambda s: s.project)
    moves_of = _group(moves, lambda m: m.key.rpartition("-")[0])
    sections = []
    for project in projects:
        if project.status != "active" and project.key not in active_in_window:
            continue
        mine = by_project.get(project.key, [])
        spent = per_project_days.get(project.key, {})
        phases = []
        for phase in PHASES:
            open_count = sum(1 for s in mine if s.phase is phase and s.status.is_open)
            done_count = sum(1 for s in mine if s.phase is phase and s.status is Status.DONE)
            planned = project.plan.get(phase)
            actual = spent.get(phase, 0)
            if planned is None and not actual and not open_count and not done_count:
                continue
            phases.append(PhaseRow(phase.value, phase.title, planned,
                                   round(actual / DAYS_PER_WEEK, 1), open_count, done_count))
        events = events_of.get(project.key, [])
        sections.append(ProjectSection(
            key=project.key,
            name=project.name,
            status=project.status,
            owner=project.owner,
            hypothesis=project.hypothesis,
            metric=project.metric,
            outcome=project.outcome,
            outcome_why=project.outcome_why,
            current_phase=_current_phase(mine),
            phases=phases,
            timeline=[TimelineBar(p.value, max(a, shown_from), b)
                      for p, a, b in timelines.get(project.key, []) if b >= shown_from],
            plan=_plan_bars(project, firsts.get(project.key, {}), days),
            done=[ref(s) for s in done_of.get(project.key, [])],
            started=[ref(s) for s in started_of.get(project.key, [])],
            moved=moves_of.get(project.key, []),
            deliverables=[
                Deliverable(_phase_value(e.field), e.new or "", e.reason, e.at)
                for e in events if e.kind == "delivered"
            ],
            pivots=[e.new or "" for e in events if e.kind == "pivot"],
            last_event=last_days.get(project.key),
            stalled_days=stalled.get(project.key),
            closed=next((Closing(e.new or "", e.reason or "", project.status, e.at)
                         for e in reversed(events) if e.kind == "closed"), None),
        ))
    return sections


def _group(items, key) -> dict:
    """Items by ``key(item)``, each group in the items' order."""
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def projects_as_of(projects: list[ProjectView], later: list) -> list[ProjectView]:
    """The projects' status and outcome as they were before the ``later`` changes
    (closings and status edits, in order), from their old values.

    A closing records the outcome it replaced but not that outcome's reason, so a
    project closed twice shows its earlier outcome without the why.
    """
    if not later:
        return projects
    by_key = {p.key: p for p in projects}
    for event in reversed(later):
        project = by_key.get(event.project)
        if project is None:
            continue
        if event.kind == "closed":
            by_key[project.key] = replace(project, outcome=event.old, outcome_why=None)
        elif event.kind == "project_edited" and event.field == "status" and event.old:
            by_key[project.key] = replace(project, status=event.old)
    return [by_key[p.key] for p in projects]


def _plan_bars(project: ProjectView, first_start: dict[Phase, date],
               days: DayCounter) -> list[TimelineBar]:
    """Each planned phase's length in working days, from when its work first began."""
    plan = []
    for phase, start in sorted(first_start.items(), key=lambda item: item[0].index):
        weeks = project.plan.get(phase)
        if weeks:
            length = max(int(weeks * DAYS_PER_WEEK + 0.5), 1)
            plan.append(TimelineBar(phase.value, start, days.add(start, length - 1)))
    return plan


def _phase_value(text: str | None) -> str:
    try:
        return Phase(text).value
    except ValueError:
        return text or ""


def weekly_report(conn: Connection, period: Period, *, now: datetime,
                  calendar: WorkCalendar) -> WeeklyReport:
    """Load and build in one call: what the command line and the review screen use."""
    data = load_history(conn, until=period.as_of(now), since=period.start_moment())
    return build_report(data, period, now=now, calendar=calendar)
