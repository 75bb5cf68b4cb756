"""Lean reads for reports over long histories: only the rows a report folds, as tuples.

A year of history is about 100,000 events; building a view object per event costs more
than the query. These reads return plain named tuples, read through the driver's cursor,
and use the time index for everything that concerns only a window of days.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Connection, func, select

from mlkanban.domain import phases, statuses, work_log
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.queries import PE, E, P, T
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


def _bind(conn: Connection, moment: datetime) -> object:
    """A moment as the event table stores it (naive UTC text on SQLite)."""
    moment = moment.astimezone(UTC)
    if conn.dialect.name == "sqlite":
        return moment.replace(tzinfo=None).isoformat(" ", "microseconds")
    return moment


def _parse(at) -> datetime:
    if isinstance(at, str):  # SQLite: naive UTC text
        try:
            return datetime.fromisoformat(at + "+00:00")
        except ValueError:
            at = datetime.fromisoformat(at)
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def lean_events(
    conn: Connection,
    kinds: Sequence[str],
    *,
    late_kinds: Sequence[str] = (),
    after: datetime | None = None,
    since: datetime | None = None,
) -> list[LeanEvent]:
    """Task events of ``kinds`` over the whole history (or from ``since`` on), and of
    ``late_kinds`` only after ``after``, in the order they happened (time, then
    insertion)."""
    where = f"kind IN {_kinds(kinds)}"
    params: tuple = ()
    if since is not None:
        where = f"({where} AND at >= ?)"
        params = (_bind(conn, since),)
    if late_kinds and after is not None:
        where = f"({where} OR (kind IN {_kinds(late_kinds)} AND at > ?))"
        params = (*params, _bind(conn, after))
        if since is not None:  # a range of the time index, rather than all of it
            where = f"at >= ? AND {where}"
            params = (_bind(conn, min(since, after)), *params)
    return _lean_query(conn, where, params)


def events_of_tasks(conn: Connection, keys: Sequence[str],
                    kinds: Sequence[str]) -> list[LeanEvent]:
    """All events of ``kinds`` of a few tasks, found by the task index."""
    ids = [task_id for task_id, key in conn.execute(select(T.c.id, T.c.key)
                                                    .where(T.c.key.in_(list(keys))))]
    if not ids:
        return []
    if not all(isinstance(task_id, int) for task_id in ids):
        raise ValueError("task ids are integers")
    where = (f"task_id IN ({', '.join(str(task_id) for task_id in ids)}) "
             f"AND kind IN {_kinds(kinds)}")
    return _lean_query(conn, where, ())


def _rows(conn: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows as the driver's cursor returns them, with no result object per row."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _lean_query(conn: Connection, where: str, params: tuple) -> list[LeanEvent]:
    task_keys = dict(conn.execute(select(T.c.id, T.c.key)).all())
    project_keys = dict(conn.execute(select(P.c.id, P.c.key)).all())
    sql = ("SELECT at, kind, project_id, task_id, old, new, reason FROM event "
           f"WHERE task_id IS NOT NULL AND {where} ORDER BY at, id")
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    rows = _rows(conn, sql, params)
    parse = datetime.fromisoformat
    keys, projects = task_keys.get, project_keys.get
    if rows and all(isinstance(row[0], str) and len(row[0]) == 26 for row in (rows[0], rows[-1])):
        try:  # SQLite's naive UTC text, as written: parse it as UTC directly
            return [LeanEvent(parse(at + "+00:00"), kind, projects(project_id), keys(task_id),
                              old, new, reason)
                    for at, kind, project_id, task_id, old, new, reason in rows]
        except ValueError:
            pass
    events = []
    append = events.append
    for at, kind, project_id, task_id, old, new, reason in rows:
        append(LeanEvent(_parse(at), kind, projects(project_id), keys(task_id), old, new,
                         reason))
    return events




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


def lean_tasks(conn: Connection) -> list[LeanTask]:
    """Every task with its work log, in no particular order, read through the driver's
    cursor: thousands of rows at a fraction of the cost of views. The task table is read
    on its own (projects and owners are a few rows, matched here), as joins and an order
    would make the database visit the rows by index rather than as they lie."""
    projects = dict(conn.execute(select(P.c.id, P.c.key)).all())
    owners = dict(conn.execute(select(PE.c.id, PE.c.handle)).all())
    query = select(T.c.key, T.c.title, T.c.project_id, T.c.phase, T.c.owner_id, T.c.estimate,
                   T.c.status, T.c.reason, T.c.wip_override, T.c.created_at, T.c.started_at,
                   T.c.status_at, T.c.work_log)
    rows = _rows(conn, str(query.compile(dialect=conn.dialect)))
    logged = [i for i, row in enumerate(rows) if row[12] != "[]"]
    logs: list[Sequence[Sequence]] = [()] * len(rows)
    for i, log in zip(logged, work_log.loads_many([rows[i][12] for i in logged]), strict=True):
        logs[i] = log
    owner, phase_of, status_of = owners.get, phases.BY_VALUE, statuses.BY_VALUE
    return [
        LeanTask(key, title, projects[project_id], phase_of[phase], owner(owner_id), estimate,
                 status_of[status], reason, wip_override, _parse(created_at),
                 None if started_at is None else _parse(started_at), _parse(status_at), log)
        for (key, title, project_id, phase, owner_id, estimate, status, reason, wip_override,
             created_at, started_at, status_at, _), log in zip(rows, logs, strict=True)
    ]


def events_between(conn: Connection, start: datetime, end: datetime,
                   kinds: Sequence[str]) -> list[EventView]:
    """Events of ``kinds`` with ``start <= at <= end``, in order, found by the time index."""
    task_alias, project_alias, person_alias = T.alias(), P.alias(), PE.alias()
    query = (
        select(E.c.id, E.c.uid, E.c.at, E.c.actor, E.c.kind, project_alias.c.key,
               task_alias.c.key, person_alias.c.handle, E.c.field, E.c.old, E.c.new,
               E.c.reason)
        .select_from(
            E.outerjoin(task_alias, E.c.task_id == task_alias.c.id)
            .outerjoin(project_alias, E.c.project_id == project_alias.c.id)
            .outerjoin(person_alias, E.c.person_id == person_alias.c.id)
        )
        .where(E.c.at >= start, E.c.at <= end, E.c.kind.in_(list(kinds)))
        .order_by(E.c.at, E.c.id)
    )
    return [EventView(*row) for row in conn.execute(query)]


def first_event_at(conn: Connection) -> datetime | None:
    """When the board's history begins."""
    at = conn.execute(select(E.c.at).order_by(E.c.at).limit(1)).scalar()
    return at


#: Windows (days before the report's moment) searched for each project's last event
#: before falling back to the project index: busy projects are found in the first.
_RECENT_WINDOWS = (1, 8)


def last_event_per_project(conn: Connection, until: datetime) -> dict[str, datetime]:
    """When each project last saw an event (of any kind), up to ``until``.

    The same answer as ``queries.last_event_per_project``, without reading the whole
    event table: recent windows of the time index first, then only the quiet projects'
    own events.
    """
    keys = dict(conn.execute(select(P.c.id, P.c.key)).all())
    found: dict[int, datetime] = {}
    for days in _RECENT_WINDOWS:
        query = (select(E.c.project_id, func.max(E.c.at))
                 .where(E.c.at <= until, E.c.at > until - timedelta(days=days),
                        E.c.project_id.is_not(None))
                 .group_by(E.c.project_id))
        found.update(conn.execute(query).all())
        if len(found) == len(keys):
            break
    rest = [project_id for project_id in keys if project_id not in found]
    if rest:
        query = (select(E.c.project_id, func.max(E.c.at))
                 .where(E.c.project_id.in_(rest), E.c.at <= until)
                 .group_by(E.c.project_id))
        found.update(conn.execute(query).all())
    return {keys[project_id]: at for project_id, at in found.items() if project_id in keys}


def creation_moments(conn: Connection) -> dict[str, dict[str, datetime]]:
    """When each person (``"people"``, by handle) and project (``"projects"``, by key)
    was added: a report of an earlier week leaves them out (unless their work shows)."""
    return {
        "people": {handle: _parse(at) for handle, at in
                   conn.execute(select(PE.c.handle, PE.c.created_at)).all()},
        "projects": {key: _parse(at) for key, at in
                     conn.execute(select(P.c.key, P.c.created_at)).all()},
    }
