"""Keeping each task's work log (``domain.work_log``) in step with its events.

Logs are derived data: any of them can be rebuilt from the event log at any time, which
is what imports and the schema migration do for every task at once and what the service
does for one task whenever it records a status or phase change.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from sqlalchemy import Connection, bindparam, text

from mlkanban.domain import work_log
from mlkanban.store.types import UTCDateTime

_MANY = 500
_KINDS = ", ".join(f"'{kind}'" for kind in work_log.WORK_KINDS)


def derive(conn: Connection, task_ids: Iterable[int] | None = None) -> dict[int, str]:
    """The work log of each task (all of them when ``task_ids`` is None), from its events."""
    where = ""
    params: dict = {}
    wanted = None
    if task_ids is not None:
        ids = sorted(set(task_ids))
        if not ids:
            return {}
        if len(ids) > _MANY:  # one pass over everything beats a huge IN list
            wanted, task_ids = set(ids), None
        else:
            where = " AND task_id IN :ids"
            params["ids"] = ids
    query = text(
        f"SELECT task_id, at, kind, old, new FROM event WHERE kind IN ({_KINDS}){where} "
        "ORDER BY task_id, at, id"
    ).columns(at=UTCDateTime)
    if task_ids is not None:
        query = query.bindparams(bindparam("ids", expanding=True))
    phases_query = "SELECT id, phase FROM task"
    if task_ids is not None:
        phases_query += " WHERE id IN :ids"
        phases = dict(conn.execute(
            text(phases_query).bindparams(bindparam("ids", expanding=True)), params).all())
    else:
        phases = dict(conn.execute(text(phases_query)).all())
    logs = {task_id: "[]" for task_id in phases}
    rows = conn.execute(query, params).all()
    for task_id, events in groupby(rows, key=lambda row: row[0]):
        if task_id not in phases:
            continue
        pieces = work_log.from_events(((at, kind, old, new) for _, at, kind, old, new in events),
                                      phases[task_id])
        logs[task_id] = work_log.dumps(pieces)
    if wanted is not None:
        return {task_id: log for task_id, log in logs.items() if task_id in wanted}
    return logs


def rebuild(conn: Connection, task_ids: Iterable[int] | None = None) -> int:
    """Rewrite the work logs of ``task_ids`` (or of every task); how many changed."""
    logs = derive(conn, task_ids)
    current = dict(conn.execute(text("SELECT id, work_log FROM task")).all()) \
        if task_ids is None else None
    changed = [{"id": task_id, "log": log} for task_id, log in logs.items()
               if current is None or current.get(task_id) != log]
    if changed:
        conn.execute(text("UPDATE task SET work_log = :log WHERE id = :id"), changed)
    return len(changed)
