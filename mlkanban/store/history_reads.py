"""Lean reads for reports over long histories: only the rows a report folds, as tuples.

A year of history is about a million events; building a view object per event costs
more than the query. These reads return plain named tuples, read through the driver's
cursor: events of the charts' window by the time index, the tasks open or closed in it
(``window_tasks``), and for the tasks closed before it only counts and work logs
(``closed_counts``, ``closed_work_logs``), which ``history.report_rest`` folds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from mlkanban.domain import phases, statuses, work_log
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.queries import EVENT_COLUMNS, EVENT_FROM, event_view
from mlkanban.store.sql import BATCH, Sql, moment
from mlkanban.store.views import EventView


class LeanEvent(NamedTuple):
    """The fields of an event that a replay reads (``EventView`` has the same names)."""

    at: datetime
    kind: str
    project: str | None
    task: str | None
    old: str | None
    new: str | None
    reason: str | None


def _kinds(kinds: Sequence[str]) -> str:
    if not all(kind.isidentifier() for kind in kinds):
        raise ValueError(f"not event kinds: {kinds!r}")
    return "({})".format(", ".join(f"'{kind}'" for kind in kinds))


EventRow = tuple
"""An event as ``event_rows`` reads it: at, kind, project id, task id, old, new, reason."""


def event_rows(
    sql: Sql,
    kinds: Sequence[str],
    *,
    late_kinds: Sequence[str] = (),
    after: datetime | None = None,
    since: datetime | None = None,
) -> list[EventRow]:
    """Task events of ``kinds`` over the whole history (or from ``since`` on), and of
    ``late_kinds`` only after ``after``, in the order they happened (time, then
    insertion), as rows with ids (``as_events`` names them)."""
    # ``kind || ''``: found by time, not by the kind index (a year of each kind)
    where = f"kind || '' IN {_kinds(kinds)}"
    params: tuple = ()
    if since is not None:
        where = f"({where} AND at >= ?)"
        params = (sql.bind(since),)
    if late_kinds and after is not None:
        where = f"({where} OR (kind || '' IN {_kinds(late_kinds)} AND at > ?))"
        params = (*params, sql.bind(after))
        if since is not None:  # a range of the time index, rather than all of it
            where = f"at >= ? AND {where}"
            params = (sql.bind(min(since, after)), *params)
    return _event_rows(sql, where, params)


def events_of_tasks(sql: Sql, ids: Iterable[int], kinds: Sequence[str]) -> list[EventRow]:
    """All events of ``kinds`` of a few tasks (by id), found by the task index."""
    ids = sorted(set(ids))
    if not ids:
        return []
    if not all(isinstance(task_id, int) for task_id in ids):
        raise ValueError("task ids are integers")
    where = (f"task_id IN ({', '.join(str(task_id) for task_id in ids)}) "
             f"AND kind IN {_kinds(kinds)}")
    return _event_rows(sql, where, ())


def _event_rows(sql: Sql, where: str, params: tuple) -> list[EventRow]:
    return sql.rows("SELECT at, kind, project_id, task_id, old, new, reason FROM event "
                    f"WHERE task_id IS NOT NULL AND {where} ORDER BY at, id", params)


def undone_tasks(sql: Sql) -> set[int]:
    """The tasks with a change undone (a few, on the kind index): undoing a start puts
    back the row's first start, which the events still tell."""
    return {task_id for (task_id,) in sql.rows(
        "SELECT DISTINCT task_id FROM event WHERE kind = 'undone' AND task_id IS NOT NULL")}


def project_ids(sql: Sql) -> dict[int, str]:
    return dict(sql.rows("SELECT id, key FROM project"))


def as_events(rows: list[EventRow], task_keys: Mapping[int, str],
              project_keys: Mapping[int, str]) -> list[LeanEvent]:
    """Event rows with their task and project keys; ``rows`` is emptied as it goes (a
    batch at a time, so that the rows and the events are not all held at once). Kinds
    and values repeat (a status is one of five): each is kept once, not once per event."""
    events: list[LeanEvent] = []
    seen: dict = {}
    while rows:
        events += _as_events(rows[:BATCH], task_keys, project_keys, seen)
        del rows[:BATCH]
    return events


def _as_events(rows: list[EventRow], task_keys: Mapping[int, str],
               project_keys: Mapping[int, str], seen: dict) -> list[LeanEvent]:
    parse = datetime.fromisoformat
    keys, projects, once = task_keys.get, project_keys.get, seen.setdefault
    if rows and all(isinstance(row[0], str) and len(row[0]) == 26 for row in (rows[0], rows[-1])):
        try:  # SQLite's naive UTC text, as written: parse it as UTC directly
            return [LeanEvent(parse(at + "+00:00"), once(kind, kind), projects(project_id),
                              keys(task_id), once(old, old), once(new, new), reason)
                    for at, kind, project_id, task_id, old, new, reason in rows]
        except ValueError:
            pass
    return [LeanEvent(moment(at), once(kind, kind), projects(project_id), keys(task_id),
                      once(old, old), once(new, new), reason)
            for at, kind, project_id, task_id, old, new, reason in rows]


class LeanTask(NamedTuple):
    """The fields of a task that a replay reads (``TaskView`` has the same names), and
    its work log."""

    key: str
    title: str
    project: str
    phase: Phase
    owner: str | None
    estimate: int | None
    status: Status
    reason: str | None
    wip_override: str | None
    created_at: datetime
    started_at: datetime | None
    status_at: datetime
    work_log: Sequence[Sequence]
    """``domain.work_log`` pieces, as JSON arrays in ``Piece``'s field order."""


_TASK_COLUMNS = ("SELECT id, key, title, project_id, phase, owner_id, estimate, status, reason,"
                 " wip_override, created_at, started_at, status_at, work_log, done_at"
                 " FROM task")
OPEN = ("todo", "in_progress", "waiting")


class TaskRow(NamedTuple):
    """A task as a report reads it: its id, its ``LeanTask``, and when it was last
    finished (``done_at``, as stored)."""

    id: int
    task: LeanTask
    done_at: object


def lean_tasks(sql: Sql) -> list[LeanTask]:
    """Every task with its work log, in no particular order, read through the driver's
    cursor: thousands of rows at a fraction of the cost of views. The task table is read
    on its own (projects and owners are a few rows, matched here), as joins and an order
    would make the database visit the rows by index rather than as they lie."""
    return [row.task for row in _task_rows(sql, "", ())]


def window_tasks(sql: Sql, cut: datetime, *, fold: LogSink | None = None) -> list[TaskRow]:
    """The tasks a report replays from ``cut`` on: the open ones, and those closed since
    (or done at no known moment). The rest are only counted (``closed_counts``).

    Each part has its own index: open ones by status, done ones by ``ix_task_done``
    (which holds when, so only the rows wanted are visited). With ``fold``, the work
    logs go to it, a batch of (project, log) at a time, instead of into the tasks."""
    return _task_rows(
        sql,
        f" WHERE status IN {_kinds(OPEN)}"
        f" UNION ALL {_TASK_COLUMNS} WHERE id IN (SELECT id FROM task WHERE status = 'done'"
        " AND (done_at >= ? OR done_at IS NULL))"
        f" UNION ALL {_TASK_COLUMNS} WHERE status = 'dropped' AND status_at >= ?",
        (sql.bind(cut), sql.bind(cut)), fold)


def tasks_by_id(sql: Sql, ids: Iterable[int], *, fold: LogSink | None = None) -> list[TaskRow]:
    """A few tasks, by the primary key (``fold``: as ``window_tasks``)."""
    ids = sorted(set(ids))
    found: list[TaskRow] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        found += _task_rows(sql, f" WHERE id IN ({sql.placeholders(len(chunk))})", chunk,
                            fold)
    return found


def task_ids(sql: Sql, keys: Iterable[str]) -> list[int]:
    keys = sorted(set(keys))
    found: list[int] = []
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i:i + _CHUNK]
        found += [task_id for (task_id,) in sql.rows(
            f"SELECT id FROM task WHERE key IN ({sql.placeholders(len(chunk))})", chunk)]
    return found


_CHUNK = 500


LogSink = Callable[[list[tuple[str, Sequence[Sequence]]]], object]
"""Where work logs go as they are read: a batch of (project, log) at a time."""


def _task_rows(sql: Sql, where: str, params: Sequence,
               fold: LogSink | None = None) -> list[TaskRow]:
    """Tasks as ``TaskRow``s, converted a batch at a time (rows and their logs' text
    are let go as they are read)."""
    projects = project_ids(sql)
    owners = dict(sql.rows("SELECT id, handle FROM person"))
    owner, phase_of, status_of = owners.get, phases.BY_VALUE, statuses.BY_VALUE
    found: list[TaskRow] = []
    for rows in sql.stream(_TASK_COLUMNS + where, params):
        logged = [i for i, row in enumerate(rows) if row[13] != "[]"]
        logs: list[Sequence[Sequence]] = [()] * len(rows)
        for i, log in zip(logged, work_log.loads_many([rows[i][13] for i in logged]),
                          strict=True):
            logs[i] = log
        if fold is not None:
            fold([(projects[rows[i][3]], logs[i]) for i in logged])
            logs = [()] * len(rows)
        found += [
            TaskRow(task_id, LeanTask(key, title, projects[project_id], phase_of[phase],
                                      owner(owner_id), estimate, status_of[status], reason,
                                      wip_override, moment(created_at),
                                      None if started_at is None else moment(started_at),
                                      moment(status_at), log), done_at)
            for (task_id, key, title, project_id, phase, owner_id, estimate, status, reason,
                 wip_override, created_at, started_at, status_at, _, done_at), log
            in zip(rows, logs, strict=True)
        ]
    return found


def closed_counts(sql: Sql, cut: datetime) -> list[tuple[str | None, str, str, str, int]]:
    """(owner, project, phase, status, count) of the tasks ``window_tasks`` leaves out:
    done before ``cut`` (counted on the covering index ``ix_task_done``) or dropped
    before it."""
    rows = sql.rows(
        "SELECT owner_id, project_id, phase, 'done', count(*) FROM task"
        " WHERE status = 'done' AND done_at < ? GROUP BY owner_id, project_id, phase",
        (sql.bind(cut),))
    rows += sql.rows(
        "SELECT owner_id, project_id, phase, 'dropped', count(*) FROM task"
        " WHERE status = 'dropped' AND status_at < ? GROUP BY owner_id, project_id, phase",
        (sql.bind(cut),))
    handles, keys = dict(sql.rows("SELECT id, handle FROM person")), project_ids(sql)
    return [(handles.get(owner_id), keys[project_id], phase, status, count)
            for owner_id, project_id, phase, status, count in rows]


def closed_work_logs(sql: Sql, cut: datetime, *, skip: Collection[str] = ()
                     ) -> Iterator[list[tuple[int, str, Sequence[Sequence]]]]:
    """(id, project, work log) of the tasks ``closed_counts`` counts that were ever in
    progress (bar those of the projects in ``skip``), in batches (a year of logs is
    parsed a batch at a time). Most tasks are: the table is read as it lies
    (``status || ''`` keeps the status index out, which would visit the same rows in a
    random order)."""
    keys = project_ids(sql)
    left_out = _left_out(keys, skip)
    for rows in sql.stream(
            "SELECT id, project_id, work_log FROM task WHERE work_log <> '[]'"
            " AND ((status || '' = 'done' AND done_at < ?)"
            f" OR (status || '' = 'dropped' AND status_at < ?)){left_out}",
            (sql.bind(cut), sql.bind(cut))):
        yield _with_logs(rows, keys)


def _left_out(keys: Mapping[int, str], skip: Collection[str]) -> str:
    """A condition leaving out the tasks of the projects in ``skip``."""
    skipped = sorted(project_id for project_id, key in keys.items() if key in skip)
    return (f" AND project_id NOT IN ({', '.join(str(i) for i in skipped)})"
            if skipped and all(isinstance(i, int) for i in skipped) else "")


def closed_work_logs_since(sql: Sql, cut: datetime, since: datetime, last_task: int,
                           touched: Collection[int], *, skip: Collection[str] = ()
                           ) -> Iterator[list[tuple[int, str, Sequence[Sequence]]]]:
    """As ``closed_work_logs``, but only the tasks closed from ``since`` on, and those
    with an id after ``last_task`` or in ``touched`` closed before it: each part on its
    own index, so that the rest of the table is not read."""
    keys = project_ids(sql)
    columns = ("SELECT id, project_id, work_log FROM task WHERE work_log <> '[]'"
               f"{_left_out(keys, skip)} AND ")
    ids = sorted(task_id for task_id in touched if isinstance(task_id, int))
    named = f" OR id IN ({', '.join(str(i) for i in ids)})" if ids else ""
    text = (f"{columns}id IN (SELECT id FROM task WHERE status = 'done'"
            " AND done_at >= ? AND done_at < ?)"
            f" UNION ALL {columns}status = 'dropped' AND status_at >= ? AND status_at < ?"
            f" UNION ALL {columns}(id > ?{named}) AND ((status = 'done' AND done_at < ?)"
            " OR (status = 'dropped' AND status_at < ?))")
    cut, since = sql.bind(cut), sql.bind(since)
    for rows in sql.stream(text, (since, cut, since, cut, last_task, since, since)):
        yield _with_logs(rows, keys)


def _with_logs(rows: list[tuple], keys: Mapping[int, str]
               ) -> list[tuple[int, str, Sequence[Sequence]]]:
    """(id, project key, parsed work log) of (id, project id, work log text) rows."""
    logs = work_log.loads_many([row[2] for row in rows])
    return [(task_id, keys[project_id], log)
            for (task_id, project_id, _), log in zip(rows, logs, strict=True)]


def latest_closed(sql: Sql, project: str, cut: datetime,
                  skip: Collection[str]) -> tuple[datetime, list[tuple[int, str, str]]] | None:
    """Of a project's tasks closed before ``cut`` (bar those in ``skip``), when the last
    of them was closed, and those closed then: (number, key, phase)."""
    limit = 8
    while True:
        rows = sql.rows(
            "SELECT t.status_at, t.number, t.key, t.phase FROM task t"
            " JOIN project p ON t.project_id = p.id WHERE p.key = ?"
            " AND t.status IN ('done', 'dropped') AND t.status_at < ?"
            " ORDER BY t.status_at DESC, t.number LIMIT ?",
            (project, sql.bind(cut), limit))
        kept = [row for row in rows if row[2] not in skip]
        if len(rows) < limit or (kept and rows[-1][0] != kept[0][0]):
            break  # every row read, or all those closed with the last one
        limit *= 4
    if not kept:
        return None
    last = kept[0][0]
    return moment(last), [(number, key, phase) for at, number, key, phase in kept if at == last]


def events_between(sql: Sql, start: datetime, end: datetime, kinds: Sequence[str], *,
                   rare: bool = False) -> list[EventView]:
    """Events of ``kinds`` with ``start <= at <= end``, in order, found by the time index
    (or, for ``rare`` kinds over a long time, by the kind index)."""
    kind = "e.kind" if rare else "e.kind || ''"
    rows = sql.rows(f"SELECT {EVENT_COLUMNS}{EVENT_FROM} WHERE e.at >= ? AND e.at <= ?"
                    f" AND {kind} IN {_kinds(kinds)} ORDER BY e.at, e.id",
                    (sql.bind(start), sql.bind(end)))
    return [event_view(row) for row in rows]


def first_event_at(sql: Sql) -> datetime | None:
    """When the board's history begins."""
    return moment(sql.scalar("SELECT at FROM event ORDER BY at LIMIT 1"))


#: Windows (days before the report's moment) searched for each project's last event
#: before falling back to the project index: busy projects are found in the first.
_RECENT_WINDOWS = (1, 8)


def last_event_per_project(sql: Sql, until: datetime) -> dict[str, datetime]:
    """When each project last saw an event (of any kind), up to ``until``.

    The same answer as ``queries.last_event_per_project``, without reading the whole
    event table: recent windows of the time index first, then only the quiet projects'
    own events.
    """
    keys = dict(sql.rows("SELECT id, key FROM project"))
    found: dict[int, object] = {}
    for days in _RECENT_WINDOWS:
        found.update(sql.rows(
            "SELECT project_id, max(at) FROM event WHERE at <= ? AND at > ?"
            " AND project_id IS NOT NULL GROUP BY project_id",
            (sql.bind(until), sql.bind(until - timedelta(days=days)))))
        if len(found) == len(keys):
            break
    rest = [project_id for project_id in keys if project_id not in found]
    if rest:
        found.update(sql.rows(
            f"SELECT project_id, max(at) FROM event WHERE project_id IN"
            f" ({sql.placeholders(len(rest))}) AND at <= ? GROUP BY project_id",
            (*rest, sql.bind(until))))
    return {keys[project_id]: moment(at) for project_id, at in found.items()
            if project_id in keys and at is not None}


def creation_moments(sql: Sql) -> dict[str, dict[str, datetime]]:
    """When each person (``"people"``, by handle) and project (``"projects"``, by key)
    was added: a report of an earlier week leaves them out (unless their work shows)."""
    return {
        "people": {handle: moment(at) for handle, at in
                   sql.rows("SELECT handle, created_at FROM person")},
        "projects": {key: moment(at) for key, at in
                     sql.rows("SELECT key, created_at FROM project")},
    }


# ---------------------------------------------------------------- chart counts
#
# A report's charts count tasks per status at the end of each day and tasks finished per
# week. Walking the task rows back by the status changes made since (each change's old
# value is the status it ended) gives these counts without replaying any task: the
# database groups the changes by day, bounds given as UTC moments (``history.
# chart_counts`` finds the local days' bounds).

#: The condition of the partial index ``ix_event_status`` (a query names it as it is
#: written there, so that the database sees the index applies).
_STATUS_INDEXED = "e.kind IN ('created', 'started', 'status_changed')"
_FAR_FUTURE = datetime(9999, 1, 1)


def _bounds(sql: Sql, edges: Sequence[datetime], last: datetime) -> tuple[str, list]:
    """A ``WITH`` clause naming buckets ``b(i, lo, hi)``: from each edge to the next,
    and from the last edge to ``last``."""
    ends = [*edges[1:], last]
    values = ", ".join(f"({i}, ?, ?)" for i in range(len(edges)))
    params = [sql.bind(value) for pair in zip(edges, ends, strict=True) for value in pair]
    return f"WITH b(i, lo, hi) AS (VALUES {values}) ", params


def changes_by_bucket(sql: Sql, edges: Sequence[datetime]
                      ) -> list[tuple[int, str, str | None, str | None, int]]:
    """(bucket, "status", old, new, count) of the tasks' status changes from
    ``edges[0]`` on, and (bucket, "created", None, None, count) of their creations;
    bucket i runs from ``edges[i]`` to the next edge, the last one to the end of time."""
    if not edges:
        return []
    far = _FAR_FUTURE.replace(tzinfo=edges[0].tzinfo)
    with_b, params = _bounds(sql, edges, far)
    buckets = f"{with_b}SELECT b.i, {{}} FROM b JOIN event e ON e.at >= b.lo AND e.at < b.hi" \
              f" WHERE {_STATUS_INDEXED} AND e.kind {{}} 'created' GROUP BY b.i{{}}"
    return (sql.rows(buckets.format("'status', e.old, e.new, count(*)", "<>", ", e.old, e.new"),
                     params)
            + sql.rows(buckets.format("'created', NULL, NULL, count(*)", "=", ""), params))


def finished_by_bucket(sql: Sql, edges: Sequence[datetime], last: datetime
                       ) -> list[tuple[int, int]]:
    """(bucket, tasks) of the tasks set to done from ``edges[0]`` up to ``last``
    (excluded), each counted once per bucket however often it was finished in it."""
    if not edges:
        return []
    with_b, params = _bounds(sql, edges, last)
    return sql.rows(
        f"{with_b}SELECT b.i, count(DISTINCT e.task_id) FROM b JOIN event e"
        f" ON e.at >= b.lo AND e.at < b.hi WHERE {_STATUS_INDEXED}"
        " AND e.kind <> 'created' AND e.new = 'done' GROUP BY b.i", params)


def status_totals(sql: Sql) -> dict[str, int]:
    """How many tasks hold each status now (on the status index)."""
    return dict(sql.rows("SELECT status, count(*) FROM task GROUP BY status"))


def all_created(sql: Sql) -> bool:
    """Whether every task has its creation among the events, so that the events tell
    when each task began (an import may have left a task's events out)."""
    created = sql.scalar(f"SELECT count(DISTINCT e.task_id) FROM event e WHERE {_STATUS_INDEXED}"
                         " AND e.kind = 'created'")
    return created == sql.scalar("SELECT count(*) FROM task")
