"""What a report counts instead of replaying: the tasks closed before its window begins
(its period, or its charts' first day when the charts are replayed too).

A task done (or dropped) before the window's first day, with no change since, holds the
same status, phase and owner at every moment the report replays; its time in progress
is over. So a report needs of it only counts (per status, per project and phase, which
owners and projects have such tasks), the latest of them per quiet project, and its
work log, which adds to the time per phase. A task that changed after the report's
moment, or that the period's events name, is replayed all the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from mlkanban.domain.statuses import Status
from mlkanban.domain.work_log import micros
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import metrics
from mlkanban.history.day_counter import DayCounter, local_day
from mlkanban.store import history_reads
from mlkanban.store.history_reads import TaskRow
from mlkanban.store.sql import Sql, moment
from mlkanban.store.views import ProjectView

if TYPE_CHECKING:
    from mlkanban.history.closed_work import Keeper

_STATUS_KINDS = ("started", "status_changed")
_MARGIN = timedelta(days=7)
#: How many weeks the charts cover (``report_load.CHART_WEEKS``, which imports this).
CHART_WEEKS = 12


@dataclass
class Rest:
    """The tasks a report leaves out of its replay, counted."""

    statuses: Mapping[str, int] = field(default_factory=dict)
    """How many per status (done, dropped): a replayed flow chart's count before its
    first day."""
    done: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """How many are done, per (project, phase value)."""
    owners: set[str] = field(default_factory=set)
    projects: set[str] = field(default_factory=set)
    latest: Mapping[str, tuple[datetime, list[tuple[int, str, str]]]] = field(
        default_factory=dict)
    """Per project whose replayed tasks saw no status change in the window: when the last
    of its counted tasks was closed, and those closed then (number, key, phase)."""
    logs: Sequence[tuple[str, Sequence[Sequence]]] = ()
    """(project, work log) of those that were ever in progress; or none, when ``work``
    holds them folded."""
    work: metrics.LogFold | None = None
    """With a ``LogFolder``: these logs, and those of the replayed tasks, folded."""
    calendar: WorkCalendar | None = None
    """The calendar ``work`` counted working days with."""


class LogFolder:
    """Work logs folded into working days per project and phase as they are read, with
    the report's calendar, up to its moment: a year of logs is never held. The logs of
    ``hidden`` projects (which the report cannot show) are passed over, or not read."""

    def __init__(self, calendar: WorkCalendar, until: datetime, cut: datetime,
                 first_event: datetime | None, hidden: Collection[str] = ()) -> None:
        self.hidden = frozenset(hidden)
        local = local_day(until)
        chart_start = local - timedelta(days=local.weekday(), weeks=CHART_WEEKS - 1)
        # From no later than the report's own first day, so that the cutoff (the last
        # working day before the charts) is found no later than the report finds it.
        first = min(local_day(first_event or cut), chart_start, local_day(cut))
        self.calendar = calendar
        self.days = DayCounter(calendar, first - _MARGIN, local + _MARGIN)
        self.cutoff = metrics.cutoff_day(self.days, chart_start)
        self.end = micros(until)
        self.fold = metrics.LogFold()

    def add(self, logs: Iterable[tuple[str, Sequence[Sequence]]]) -> None:
        if self.hidden:
            logs = [(project, log) for project, log in logs if project not in self.hidden]
        metrics.fold_logs(logs, self.end, self.days, self.cutoff, self.fold)


def hidden_projects(projects: Iterable[ProjectView], last_events: Mapping[str, datetime],
                    later: Iterable, since: datetime) -> set[str]:
    """Projects a report of ``since`` onwards surely leaves out, so that its time per
    phase is not needed: not active now, with no change to the project after the
    report's moment (``later``: the project is then as its row says), and with no event
    in the period (the last one before ``since`` by more than any UTC offset)."""
    changed = {e.project for e in later if e.project and e.task is None}
    quiet_since = since - _MARGIN
    return {p.key for p in projects
            if p.status != "active" and p.key not in changed
            and (p.key not in last_events or last_events[p.key] < quiet_since)}


def load_rest(sql: Sql, replayed: Mapping[int, TaskRow], events: Iterable,
              cut: datetime, until: datetime, *, folder: LogFolder | None = None,
              keeper: Keeper | None = None) -> Rest:
    """Counts of the tasks closed before ``cut`` that are not in ``replayed`` (by id).

    The database counts every task closed before ``cut``; the replayed ones among them
    (closed before it too, but changed since or named by the period) are taken off.
    With a ``folder``, their work logs are folded as they are read; with a ``keeper``
    too, those of all the tasks closed before ``cut`` (the replayed ones among them
    included: ``load_history`` then leaves them to it), through the kept sums.
    """
    counts = Counter({(owner, project, phase, status): n for owner, project, phase, status, n
                      in history_reads.closed_counts(sql, cut)})
    counted = [row for row in replayed.values() if closed_before(row, cut)]
    for row in counted:
        task = row.task
        counts[(task.owner, task.project, task.phase.value, task.status.value)] -= 1
    counts = +counts  # only groups left with tasks
    statuses: Counter = Counter()
    done: Counter = Counter()
    for (_, project, phase, status), n in counts.items():
        statuses[status] += n
        if status == Status.DONE.value:
            done[(project, phase)] += n
    projects = {project for _, project, _, _ in counts}
    busy = {e.project for e in events
            if e.kind in _STATUS_KINDS and cut <= e.at <= until and e.project}
    skip = {row.task.key for row in replayed.values()}
    latest = {}
    for project in sorted(projects - busy):
        found = history_reads.latest_closed(sql, project, cut, skip)
        if found is not None:
            latest[project] = found
    rest = Rest(dict(statuses), dict(done), {owner for owner, _, _, _ in counts if owner},
                projects, latest)
    if keeper is not None and folder is not None:
        keeper.fold_closed(sql, cut, folder)
        rest.work, rest.calendar = folder.fold, folder.calendar
        return rest
    hidden = folder.hidden if folder is not None else ()
    logs = ([(project, log) for task_id, project, log in batch if task_id not in replayed]
            for batch in history_reads.closed_work_logs(sql, cut, skip=hidden))
    if folder is None:
        rest.logs = [pair for batch in logs for pair in batch]
    else:
        for batch in logs:
            folder.add(batch)
        rest.work, rest.calendar = folder.fold, folder.calendar
    return rest


def closed_before(row: TaskRow, cut: datetime) -> bool:
    """Whether ``closed_counts`` counts this task."""
    status = row.task.status
    if status is Status.DONE:
        return row.done_at is not None and moment(row.done_at) < cut
    return status is Status.DROPPED and row.task.status_at < cut
