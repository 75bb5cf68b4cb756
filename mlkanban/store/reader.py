"""Reading the board: what commands that change nothing need, and nothing more.

``Service`` (the only writer) builds on this class. Read-only commands use a
``Reader`` alone, so they never import SQLAlchemy, SQLModel or the ORM (it would cost
them more than their own work): every read is plain SQL on the driver (``store.sql``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from mlkanban.domain.clock import Clock, system_clock
from mlkanban.domain.errors import NotFound
from mlkanban.domain.text import suggest
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store import queries, validate
from mlkanban.store.sql import Database, EngineDatabase, Sql
from mlkanban.store.views import (
    AbTestView,
    DeliverableView,
    EventView,
    PersonView,
    ProjectView,
    TaskView,
)


def missing_task_hint(key: str, project_keys: list[str]) -> str:
    """For a task key that names no task: the project it meant, when its project part
    names none (``CHRUN-1``: "there is no project CHRUN (did you mean CHURN?)")."""
    project = key.rpartition("-")[0]
    if not project or project in project_keys:
        return ""
    return f"; there is no project {project}{suggest(project, project_keys)}"


class Reader:
    """Board reads on one database, with one clock and one working-day calendar."""

    def __init__(
        self,
        source: Database | Any,
        *,
        clock: Clock = system_clock,
        calendar: WorkCalendar | None = None,
        migrate: bool = True,
    ) -> None:
        """``source``: a ``Database``, or a SQLAlchemy engine (the service's)."""
        self.database = source if isinstance(source, Database) else EngineDatabase(source)
        if migrate:
            self.database.ensure_schema()
        self.clock = clock
        self.calendar = calendar or WorkCalendar()

    # ------------------------------------------------------------------ plumbing

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone().date()

    @contextmanager
    def read(self) -> Iterator[Sql]:
        """A read transaction for the query functions in ``store.queries``."""
        with self.database.read() as sql:
            yield sql

    # ------------------------------------------------------------------ tasks

    def task(self, key: str) -> TaskView:
        with self.read() as conn:
            value = queries.resolve_key(conn, key)
            view = queries.task(conn, value)
        if view is None:
            hint = missing_task_hint(value, [p.key for p in self.projects()])
            raise NotFound(f"no task {value!r}{hint}")
        return view

    def history(self, key: str) -> list[EventView]:
        view = self.task(key)
        with self.read() as conn:
            return queries.events(conn, task_key=view.key)

    def tasks(self, **filters) -> list[TaskView]:
        with self.read() as conn:
            return queries.tasks(conn, **filters)

    def ab_tests(self, task_keys=None) -> dict[str, AbTestView]:
        with self.read() as conn:
            return queries.ab_tests(conn, task_keys)

    # ------------------------------------------------------------------ people and projects

    def people(self, *, active_only: bool = False) -> list[PersonView]:
        with self.read() as conn:
            return queries.people(conn, active_only=active_only)

    def projects(self) -> list[ProjectView]:
        with self.read() as conn:
            return queries.projects(conn)

    def require_person(self, handle: str) -> PersonView:
        value = validate.handle(handle)
        with self.read() as conn:
            person = queries.person(conn, value)
        if person is None:
            hint = suggest(value, [p.handle for p in self.people()])
            raise NotFound(f"no person {value!r}{hint}; add them with: mlkanban person add {value}")
        return person

    def require_project(self, key: str) -> ProjectView:
        with self.read() as conn:
            value = queries.resolve_key(conn, key, project=True)
            found = queries.projects(conn, [value])
        if not found:
            hint = suggest(value, [p.key for p in self.projects()])
            raise NotFound(f"no project {value!r}{hint} (see: mlkanban project ls)")
        return found[0]

    def deliverables(self, key: str | None = None) -> list[DeliverableView]:
        with self.read() as conn:
            return queries.deliverables(conn, validate.project_key(key) if key else None)

    def project_events(self, key: str) -> list[EventView]:
        with self.read() as conn:
            return queries.events(conn, project_key=validate.project_key(key))

    # ------------------------------------------------------------------ the database

    def latest_event_id(self) -> int:
        with self.read() as conn:
            return queries.latest_event_id(conn)

    def counts(self) -> dict[str, int]:
        """How many people, projects, tasks and events the database holds."""
        counted = {"people": "person", "projects": "project", "tasks": "task", "events": "event"}
        with self.read() as sql:
            return {name: sql.scalar(f"SELECT count(*) FROM {table}")
                    for name, table in counted.items()}
