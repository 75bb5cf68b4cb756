"""Keeping each task's work log (``domain.work_log``) in step with its events.

Logs are derived data: any of them can be rebuilt from the event log at any time, which
is what imports and the schema migration do for every task at once and what the service
does for one task whenever it records a status or phase change.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING

from mlkanban.domain import work_log
from mlkanban.store.sql import Sql, moment

if TYPE_CHECKING:
    from sqlalchemy import Connection

_MANY = 500
_KINDS = ", ".join(f"'{kind}'" for kind in work_log.WORK_KINDS)
_EVENTS = f"SELECT task_id, at, kind, old, new FROM event WHERE kind IN ({_KINDS})"
_ORDER = " ORDER BY task_id, at, id"


def of_task(sql: Sql, task_id: int, phase: str) -> str:
    """One task's work log, from its events as far as this transaction sees them (the
    change being written included): what every status or phase change stores."""
    rows = sql.rows(_EVENTS + " AND task_id = ?" + _ORDER, (task_id,))
    pieces = work_log.from_events(
        ((moment(at), kind, old, new) for _, at, kind, old, new in rows), phase)
    return work_log.dumps(pieces)


def derive(conn: Connection, task_ids: Iterable[int] | None = None, *,
           phases: dict[int, str] | None = None) -> dict[int, str]:
    """The work log of each task (all of them when ``task_ids`` is None), from its events;
    ``phases`` are the tasks' current phases when the caller knows them already."""
    from sqlalchemy import text

    from mlkanban.store.types import UTCDateTime

    ids = None if task_ids is None else sorted(set(task_ids))
    scoped = ids is not None and len(ids) <= _MANY  # else one pass beats a huge IN list
    where, params = (" AND task_id IN :ids", {"ids": ids}) if scoped else ("", {})
    if phases is None:
        phases = dict(conn.execute(
            _in(text("SELECT id, phase FROM task" + (" WHERE id IN :ids" if scoped else "")),
                scoped), params).all())
    if ids is not None:
        phases = {task_id: phases[task_id] for task_id in ids if task_id in phases}
    query = text(_EVENTS + where + _ORDER).columns(at=UTCDateTime)
    logs = {task_id: "[]" for task_id in phases}
    for task_id, events in groupby(conn.execute(_in(query, scoped), params), key=_first):
        if task_id in logs:
            pieces = work_log.from_events(
                ((at, kind, old, new) for _, at, kind, old, new in events), phases[task_id])
            logs[task_id] = work_log.dumps(pieces)
    return logs


def _in(query, scoped: bool):
    from sqlalchemy import bindparam

    return query.bindparams(bindparam("ids", expanding=True)) if scoped else query


def _first(row) -> int:
    return row[0]


def rebuild(conn: Connection, task_ids: Iterable[int] | None = None) -> int:
    """Rewrite the work logs of ``task_ids`` (or of every task); how many changed."""
    from sqlalchemy import text

    logs = derive(conn, task_ids)
    current = dict(conn.execute(text("SELECT id, work_log FROM task")).all()) \
        if task_ids is None else None
    changed = [{"id": task_id, "log": log} for task_id, log in logs.items()
               if current is None or current.get(task_id) != log]
    if changed:
        conn.execute(text("UPDATE task SET work_log = :log WHERE id = :id"), changed)
    return len(changed)
