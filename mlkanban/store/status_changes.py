"""Status changes (start, wait, done, drop, reopen) as plain SQL on the driver.

They are the writes people make many times a day. Through the ORM each one would first
import SQLModel, SQLAlchemy's ORM and pydantic (most of a second) for one UPDATE and an
INSERT or two. Here they are plain SQL on the DB-API connection, with the portable texts
of the reads (``store.sql``), so ``mlkanban start KEY`` costs about what ``mlkanban ls``
does. ``Service.set_status`` runs this same code inside its own transaction: the board
and the command line change a status in one way, and the service's tests cover both.

What is written is what the ORM would write: the task's row, its events (the first one
carrying the ``before`` snapshot that ``undo`` puts back), and its work log derived from
those events; ``tests/store/test_status_changes.py`` compares the two row by row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mlkanban.domain import rules
from mlkanban.domain.errors import BadInput, NotFound, WipRefused
from mlkanban.domain.statuses import NEEDS_REASON, Status, check_transition
from mlkanban.store import queries, snapshots, validate, work_logs
from mlkanban.store.changes import Change
from mlkanban.store.sql import Database, Sql, moment
from mlkanban.store.views import TaskView
from mlkanban.store.write_checks import moment_of, not_a_person, owner_refusal

_FIELDS = ("id", "key", "project_id", "owner_id", "status", "phase", "estimate", "reason",
           "wip_override", "title", "description", "started_at", "done_at", "updated_at")
_TASK = f"SELECT {', '.join(_FIELDS)} FROM task WHERE key = ?"
_MOMENTS = ("started_at", "done_at", "updated_at")
_EVENT = ("INSERT INTO event (uid, at, actor, kind, task_id, project_id, field, old, new,"
          " reason, change, before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_UPDATE = ("UPDATE task SET status = ?, status_at = ?, updated_at = ?, reason = ?,"
           " started_at = ?, done_at = ?, wip_override = ?, owner_id = ?, work_log = ?"
           " WHERE id = ?")


def checked_reasons(status: Status, reason: str | None,
                    override: str | None) -> tuple[str | None, str | None]:
    """The reason (needed for waiting and dropped) and WIP override, cleaned; checked
    before any transaction starts."""
    if status in NEEDS_REASON:
        reason = validate.reason(reason, f"reason for {status.label}")
    if override is not None:
        override = validate.reason(override, "reason for the WIP override")
    return reason, override


def require_person(sql: Sql, actor: str) -> None:
    """Refuse a write by a handle that is no person on the board."""
    if sql.first("SELECT id FROM person WHERE handle = ?", (actor,)) is None:
        raise not_a_person(actor)


class _Events:
    """The events of one change to one task: the first carries the task's snapshot."""

    def __init__(self, sql: Sql, actor: str, change: str, when: datetime,
                 task: dict[str, Any]) -> None:
        self.sql, self.actor, self.change, self.task = sql, actor, change, task
        self.at = sql.bind(when)
        self.before: str | None = snapshots.snapshot(task.__getitem__, snapshots.TASK_FIELDS)

    def add(self, kind: str, *, field: str, old: object = None, new: object = None,
            reason: str | None = None) -> None:
        before, self.before = self.before, None
        self.sql.run(_EVENT, (
            uuid.uuid4().hex, self.at, self.actor, kind, self.task["id"],
            self.task["project_id"], field, None if old is None else str(old),
            None if new is None else str(new), reason, self.change, before,
        ))


def change_status(sql: Sql, *, actor: str, change: str, now: datetime, key: str,
                  status: Status, reason: str | None = None, override: str | None = None,
                  at: datetime | None = None) -> Change:
    """Give the task ``key`` its new status, inside the write transaction ``sql`` (the
    write lock held, the actor a person: ``require_person``); ``reason`` and
    ``override`` come from ``checked_reasons``, ``now`` was read under the lock."""
    task = _load(sql, key)
    old = Status(task["status"])
    check_transition(task["key"], old, status)  # "already done" before "--at too early"
    when = moment_of(at, now, task["updated_at"], task["key"])
    if task["owner_id"] is not None:
        owner = sql.scalar("SELECT handle FROM person WHERE id = ?", (task["owner_id"],))
        if owner is not None and (refusal := owner_refusal(task["key"], owner, actor, status)):
            raise refusal
    events = _Events(sql, actor, change, when, task)
    notice = _claim_wip(sql, task, override, actor, events) \
        if status is Status.IN_PROGRESS else ""
    task["reason"] = reason if status in NEEDS_REASON else None
    if status is Status.IN_PROGRESS:
        task["started_at"] = task["started_at"] or when
        task["done_at"] = None
    elif status is Status.DONE:
        task["done_at"] = when
    elif status is Status.TODO:
        task["done_at"] = None
        task["wip_override"] = None
    kind = "started" if status is Status.IN_PROGRESS else "status_changed"
    events.add(kind, field="status", old=old.value, new=status.value, reason=reason)
    stamp = events.at
    sql.run(_UPDATE, (  # with the work log, derived from the events just written
        status.value, stamp, stamp, task["reason"], _bound(sql, task["started_at"]),
        _bound(sql, task["done_at"]), task["wip_override"], task["owner_id"],
        work_logs.of_task(sql, task["id"], task["phase"]), task["id"],
    ))
    view = queries.task(sql, task["key"])
    assert view is not None
    return Change(view, status_message(view, old), notice)


def _load(sql: Sql, key: str) -> dict[str, Any]:
    from mlkanban.store.reader import missing_task_hint

    value = queries.resolve_key(sql, key)
    row = sql.first(_TASK, (value,))
    if row is None:
        projects = [project for (project,) in sql.rows("SELECT key FROM project")]
        raise NotFound(f"no task {value!r}{missing_task_hint(value, projects)}")
    task = dict(zip(_FIELDS, row, strict=True))
    for name in _MOMENTS:
        task[name] = moment(task[name])
    return task


def _bound(sql: Sql, value: datetime | None) -> Any:
    return None if value is None else sql.bind(value)


def _claim_wip(sql: Sql, task: dict[str, Any], override: str | None, actor: str,
               events: _Events) -> str:
    """Within the owner's WIP limit (an unassigned task goes to whoever starts it), or
    past it with a reason, recorded."""
    if task["owner_id"] is None:
        found = sql.first("SELECT id, handle FROM person WHERE handle = ?", (actor,))
        if found is None:
            raise BadInput(f"{task['key']} has no owner; assign it first "
                           f"(mlkanban assign {task['key']} HANDLE)")
        task["owner_id"] = found[0]
        events.add("assigned", field="owner", new=found[1])
    verdict, busy = wip_verdict(sql, task["owner_id"], task["id"], override)
    task["wip_override"] = override if verdict.overridden else None
    if verdict.overridden:
        events.add("wip_override", field="wip", old=busy, new=busy + 1, reason=override)
    return verdict.message if verdict.overridden else ""


def wip_verdict(sql: Sql, owner_id: int, task_id: int,
                override: str | None) -> tuple[rules.Verdict, int]:
    """May ``owner_id`` have ``task_id`` in progress, and how many others they have;
    refused (``WipRefused``) past their limit without an override. On PostgreSQL the
    person's row is locked, as every writer's rule checks are."""
    lock = " FOR UPDATE" if sql.dialect == "postgresql" else ""
    handle, wip_limit = sql.first(
        "SELECT handle, wip_limit FROM person WHERE id = ?" + lock, (owner_id,))
    busy = sql.rows(
        "SELECT key, title FROM task WHERE owner_id = ? AND status = ? AND id <> ?"
        " ORDER BY status_at", (owner_id, Status.IN_PROGRESS.value, task_id))
    verdict = rules.check_wip(handle, wip_limit, [tuple(row) for row in busy], override)
    if not verdict.allowed:
        raise WipRefused(verdict.message)
    return verdict, len(busy)


def status_message(view: TaskView, old: Status) -> str:
    verb = {
        Status.IN_PROGRESS: "Resumed" if old is Status.WAITING else "Started",
        Status.WAITING: "Waiting on",
        Status.DONE: "Done",
        Status.DROPPED: "Dropped",
        Status.TODO: "Back to to do:",
    }[view.status]
    owner = f" ({view.owner}, {view.phase.title})" if view.owner else f" ({view.phase.title})"
    suffix = f": {view.reason}" if view.reason else ""
    return f"{verb} {view.key} “{view.title}”{owner}{suffix}"


class StatusVerbs:
    """``start``, ``wait``, ``done``, ``drop`` and ``reopen``, for a class with
    ``set_status`` (the service, and the command line's ``StatusWriter``)."""

    def set_status(self, key: str, status: Status, *, reason: str | None = None,
                   override: str | None = None, at: datetime | None = None) -> Change:
        raise NotImplementedError

    def start(self, key: str, *, override: str | None = None, at: datetime | None = None) -> Change:
        """Start (or resume) a task, within its owner's WIP limit unless overridden."""
        return self.set_status(key, Status.IN_PROGRESS, override=override, at=at)

    def wait(self, key: str, reason: str, *, at: datetime | None = None) -> Change:
        return self.set_status(key, Status.WAITING, reason=reason, at=at)

    def done(self, key: str, *, at: datetime | None = None) -> Change:
        return self.set_status(key, Status.DONE, at=at)

    def drop(self, key: str, reason: str, *, at: datetime | None = None) -> Change:
        return self.set_status(key, Status.DROPPED, reason=reason, at=at)

    def reopen(self, key: str, *, at: datetime | None = None) -> Change:
        return self.set_status(key, Status.TODO, at=at)


class StatusWriter(StatusVerbs):
    """Status changes for the command line: a write transaction of their own on the
    driver, without SQLAlchemy (``Database.write``)."""

    def __init__(self, database: Database, *, actor: str,
                 clock: Callable[[], datetime], migrate: bool = True) -> None:
        if migrate:
            database.ensure_schema()
        self.database = database
        self.actor = actor
        self.clock = clock

    def set_status(self, key: str, status: Status, *, reason: str | None = None,
                   override: str | None = None, at: datetime | None = None) -> Change:
        reason, override = checked_reasons(status, reason, override)
        with self.database.write() as sql:
            require_person(sql, self.actor)
            return change_status(
                sql, actor=self.actor, change=uuid.uuid4().hex, now=self.clock(), key=key,
                status=status, reason=reason, override=override, at=at)
