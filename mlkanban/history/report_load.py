"""Loading what a weekly report folds: for a report, only the rows and events its
replay needs, through lean queries, so that a year of history costs a few queries and
no query per task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path

from mlkanban.domain.clock import as_utc
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import closed_work, report_rest
from mlkanban.history.as_of import LATER_KINDS, RECORD_KINDS
from mlkanban.history.chart_counts import ChartCounts, load_chart_counts
from mlkanban.history.metrics import local_day
from mlkanban.history.report_rest import (
    LogFolder,
    Rest,
    closed_before,
    hidden_projects,
    load_rest,
)
from mlkanban.store import history_reads, queries
from mlkanban.store.history_reads import LeanTask
from mlkanban.store.split_reads import Apart
from mlkanban.store.sql import Sql
from mlkanban.store.views import AbTestView, EventView, PersonView, ProjectView, TaskView

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
CHART_WEEKS = report_rest.CHART_WEEKS
"""How many weeks the throughput and flow charts cover at most, ending with the report's
week; they start no earlier than the week of the first event."""

#: The events a replay folds into the board as it was: a task's status, phase, owner,
#: estimate and WIP overrides. A report reads them only from the start of its period on
#: (of its charts, when the database cannot count them): the task rows hold the values
#: now, the changes' old values walk them back, and each row's work log holds the time
#: in progress before (``domain.work_log``).
TASK_KINDS = ("started", "status_changed", "moved_phase", "wip_override", "assigned",
              "estimated")
_STATUS_KINDS = ("started", "status_changed")
_WINDOW_TASK_KINDS = (*_STATUS_KINDS, "wip_override")
_LATE_TASK_KINDS = ("moved_phase", "assigned", "estimated")
#: The events listed for the period itself.
WINDOW_KINDS = ("moved_phase", "wip_override", "delivered", "pivot", "closed", "commented")


@dataclass
class HistoryData:
    """Everything a report reads, loaded in one go."""

    tasks: list[TaskView] | list[LeanTask]
    """Views; or, with ``since``, ``LeanTask``s carrying their work logs, since ``events``
    then do not go back far enough to replay the time in progress (or carrying none,
    when ``rest.work`` holds them folded)."""
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
    later: list[EventView] | None = None
    """Changes to people, projects and titles after the report's moment, whose old
    values walk the rows back to it (``history.as_of``); None: taken from ``events``."""
    records: list[EventView] | None = None
    """Closings and A/B test designs over the whole history; None: from ``events``."""
    created: dict[str, dict[str, datetime]] = field(default_factory=dict)
    """When each person (``"people"``, by handle) and project (``"projects"``, by key)
    was added."""
    since: datetime | None = None
    """When ``events`` begin (None: they are the whole history); they hold every event
    of the tasks in ``whole`` all the same."""
    whole: set[str] = field(default_factory=set)
    rest: Rest | None = None
    """With ``since``: what the tasks left out of ``tasks`` add up to."""
    charts: ChartCounts | None = None
    """The charts' numbers, counted by the database; None: replayed from ``tasks``."""


def chart_start(until: datetime) -> date:
    """The Monday the charts of a report up to ``until`` begin on (before any filter by
    the board's first event)."""
    today = local_day(until)
    return today - timedelta(days=today.weekday(), weeks=CHART_WEEKS - 1)


def chart_counter(until: datetime) -> Callable[[Sql], ChartCounts | None]:
    """What counts the charts of a report up to ``until`` on a connection (this
    process's, or a child's: ``split_reads.start_apart``)."""
    return partial(load_chart_counts, first=chart_start(until), moment=until)


def history_start(since: datetime, until: datetime) -> datetime:
    """How far back a report of ``since``..``until`` needs events to replay its charts:
    to its own start or its charts' start, whichever is earlier (local midnight)."""
    return min(since, as_utc(datetime.combine(chart_start(until), time())))


def load_history(sql: Sql, *, until: datetime | None = None,
                 since: datetime | None = None,
                 calendar: WorkCalendar | None = None,
                 kept: Path | None = None, charts_apart: Apart | None = None) -> HistoryData:
    """All events; or, for a report of ``since``..``until``, only what it folds.

    The second way reads what the report's window needs: the tasks open now or closed
    since its period begins, with their status changes from then on, owner, phase and
    estimate changes after ``until`` (to walk the task rows back to that moment), and the
    period's own events; the charts' numbers are counted by the database
    (``chart_counts``). Where it cannot count them, the window reaches back to the
    charts' first day and they are replayed. Tasks closed before the window and
    untouched since are the same at every moment the report replays: they are only
    counted (``Rest``). With the report's ``calendar``, every work log is folded as it
    is read (``Rest.work``): the tasks then carry none; with ``kept`` too, the work of
    the tasks closed before the window is added up once and kept in that file
    (``history.closed_work``) for the reports that follow. ``charts_apart``: a child
    process counting the charts meanwhile (``split_reads.start_apart`` of
    ``chart_counter``), whose counts are taken if it saw the same board; where they
    cannot be counted (rare: see ``chart_counts``), all is read again the other way.
    """
    if until is None:
        return HistoryData(
            tasks=queries.tasks(sql),
            events=queries.event_log(sql),
            people=queries.people(sql),
            projects=queries.projects(sql),
            ab_tests=queries.ab_tests(sql),
            created=history_reads.creation_moments(sql),
        )
    since = since or _EPOCH
    # With the charts counted by the database, only the report's own period is replayed.
    count = chart_counter(until)
    charts = count(sql) if charts_apart is None else None  # else the child counts them
    start = since if charts is not None or charts_apart is not None \
        else history_start(since, until)
    project_keys = history_reads.project_ids(sql)
    first_event = history_reads.first_event_at(sql)
    projects = queries.projects(sql)
    last_events = history_reads.last_event_per_project(sql, until)
    later = history_reads.events_between(sql, until + timedelta(microseconds=1), _FAR_FUTURE,
                                         LATER_KINDS)
    # With the report's calendar, work logs are folded as they are read, not held (and
    # those of projects the report cannot show, not read).
    folder = (LogFolder(calendar, until, start, first_event,
                        hidden_projects(projects, last_events, later, since))
              if calendar is not None else None)
    fold = folder.add if folder is not None else None
    # Its mark is read before any work log, so that a change made since is seen later.
    keeper = (closed_work.Keeper(kept, sql, calendar)
              if kept is not None and folder is not None else None)
    if keeper is not None and not keeper.serves(start, folder):
        keeper = None
    rows = {row.id: row for row in history_reads.window_tasks(sql, start, fold=fold)}
    # Statuses over the charts' weeks; the other values only as they were at ``until``,
    # walked back from the rows by the changes made after it.
    event_rows = history_reads.event_rows(sql, _WINDOW_TASK_KINDS, since=start,
                                          late_kinds=_LATE_TASK_KINDS, after=until)
    window = history_reads.events_between(sql, since, until, WINDOW_KINDS)
    # Tasks closed before ``start`` that changed after ``until`` or that the period's
    # events name: replayed too.
    named = {e.task for e in window if e.task} - {row.task.key for row in rows.values()}
    missing = {row[3] for row in event_rows} - rows.keys()
    missing.update(history_reads.task_ids(sql, named))
    if keeper is None:
        rows.update((row.id, row) for row in history_reads.tasks_by_id(sql, missing, fold=fold))
    else:  # the work of those closed before ``start`` is added up with the others'
        for row in history_reads.tasks_by_id(sql, missing):
            task = row.task
            if task.work_log and not closed_before(row, start):
                folder.add([(task.project, task.work_log)])
            rows[row.id] = row._replace(task=task._replace(work_log=()))
    keys = {task_id: row.task.key for task_id, row in rows.items()}
    tasks = [row.task for row in rows.values()]
    events = history_reads.as_events(event_rows, keys, project_keys)
    whole = _carried_past(tasks, events, start, until)
    # A start undone leaves the row's first start later than the events' first one.
    whole.update(keys[task_id] for task_id in history_reads.undone_tasks(sql)
                 if task_id in rows and rows[task_id].task.created_at < start)
    if whole:
        earlier = history_reads.events_of_tasks(
            sql, [task_id for task_id, key in keys.items() if key in whole], TASK_KINDS)
        events = sorted([e for e in events if e.task not in whole]
                        + history_reads.as_events(earlier, keys, project_keys),
                        key=lambda e: e.at)
    if charts_apart is not None:
        charts = charts_apart.result(sql, count)
        if charts is None:  # they cannot be counted: replayed, from the charts' start
            return load_history(sql, until=until, since=since, calendar=calendar, kept=kept)
    return HistoryData(
        tasks=tasks,
        events=events,
        since=start,
        whole=whole,
        people=queries.people(sql),
        projects=projects,
        last_events=last_events,
        window=window,
        first_event=first_event,
        ab_tests=queries.ab_tests(sql),
        later=later,
        records=history_reads.events_between(sql, _EPOCH, _FAR_FUTURE, RECORD_KINDS,
                                             rare=True),
        created=history_reads.creation_moments(sql),
        rest=load_rest(sql, rows, events, start, until, folder=folder, keeper=keeper),
        charts=charts,
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
