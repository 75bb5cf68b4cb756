"""The service layer: the code that changes the board (status changes are shared with
the command line, which makes them without the ORM: ``status_changes``).

Every method validates its input, applies the board's rules (``domain.rules``) and
writes the change together with its Event in one transaction. The transaction takes
the write lock first (``BEGIN IMMEDIATE`` on SQLite, a row lock on the person on
PostgreSQL), so a rule checked here still holds when the change commits, however
many terminals or teammates act at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from mlkanban.domain import rules, work_log
from mlkanban.domain.clock import Clock, system_clock
from mlkanban.domain.errors import BadInput, NotFound, RuleRefused
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.domain.text import suggest
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store import queries, status_changes, undo, validate, work_logs
from mlkanban.store.changes import Change
from mlkanban.store.engine import write_engine
from mlkanban.store.models import Event, Person, Project, Task
from mlkanban.store.ownership import Ownership
from mlkanban.store.people_records import PeopleRecords
from mlkanban.store.project_records import CLOSED_STATUSES, ProjectRecords
from mlkanban.store.reader import Reader, missing_task_hint
from mlkanban.store.sql import within
from mlkanban.store.status_changes import StatusVerbs
from mlkanban.store.task_edits import TaskEdits
from mlkanban.store.views import TaskView
from mlkanban.store.write_checks import moment_of

#: An estimate beyond a working year is no estimate at all (a slip of the keyboard): bad
#: input, where 6 to 260 days is work to split (the size rule).
MAX_PLAUSIBLE_DAYS = 260


class Service(StatusVerbs, TaskEdits, Ownership, undo.Undo, PeopleRecords, ProjectRecords,
              Reader):
    """Board operations for one acting person, on one database, with one clock.

    The reads (``task``, ``tasks``, ``people``, ``read()``...) come from ``Reader``;
    changes to a task other than its status (``move``, ``assign``, ``estimate``,
    ``edit``, ``split``) from ``TaskEdits``.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        actor: str = "unknown",
        clock: Clock = system_clock,
        calendar: WorkCalendar | None = None,
        migrate: bool = True,
    ) -> None:
        super().__init__(engine, clock=clock, calendar=calendar, migrate=migrate)
        self.engine = engine
        self._writer = write_engine(engine)
        self.actor = actor

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _write(self, *, founding: bool = False) -> Iterator[Session]:
        """One change: a transaction that holds the write lock before it reads anything
        (the clock included, so event times follow the order of their ids), with one
        change id for every event it records (what ``undo`` reverts as a whole).
        Only a person on the board writes (``founding``: anyone, while it has nobody)."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            session.connection()  # BEGIN IMMEDIATE, or the advisory lock: now
            self._require_actor(session, founding=founding)
            self._change = uuid.uuid4().hex
            self._before: dict[tuple[str, int], str] = {}
            yield session

    def _when(
        self, at: datetime | None, after: datetime | None = None, what: str = "it"
    ) -> datetime:
        """The moment a change happened: now, or ``--at`` if it is not in the future."""
        return moment_of(at, self.clock(), after, what)

    def _event(
        self,
        session: Session,
        when: datetime,
        kind: str,
        *,
        task: Task | None = None,
        project_id: int | None = None,
        person_id: int | None = None,
        field: str | None = None,
        old: object = None,
        new: object = None,
        reason: str | None = None,
    ) -> None:
        if task is not None:
            before = self._before.pop(("task", task.id), None)
        elif project_id is not None:
            before = self._before.pop(("project", project_id), None)
        else:
            before = None
        session.add(
            Event(
                uid=uuid.uuid4().hex,
                at=when,
                actor=self.actor,
                kind=kind,
                task_id=task.id if task is not None else None,
                project_id=task.project_id if task is not None else project_id,
                person_id=person_id,
                field=field,
                old=None if old is None else str(old),
                new=None if new is None else str(new),
                reason=reason,
                change=self._change,
                before=before,
            )
        )
        if task is not None and kind in work_log.WORK_KINDS:
            session.flush()
            task.work_log = work_logs.derive(session.connection(), [task.id],
                                             phases={task.id: task.phase})[task.id]

    def _person(self, session: Session, handle: str, *, lock: bool = False) -> Person:
        value = validate.handle(handle)
        query = select(Person).where(Person.handle == value)
        if lock:
            query = query.with_for_update()
        person = session.exec(query).first()
        if person is None:
            hint = suggest(value, session.exec(select(Person.handle)).all())
            raise NotFound(f"no person {value!r}{hint}; add them with: mlkanban person add {value}")
        return person

    def _project(self, session: Session, key: str, *, lock: bool = False) -> Project:
        value = queries.resolve_key(within(session.connection()), key, project=True)
        query = select(Project).where(Project.key == value)
        if lock:
            query = query.with_for_update()
        project = session.exec(query).first()
        if project is None:
            hint = suggest(value, session.exec(select(Project.key)).all())
            raise NotFound(f"no project {value!r}{hint} (see: mlkanban project ls)")
        self._before.setdefault(("project", project.id), undo.snapshot(project))
        return project

    def _task(self, session: Session, key: str) -> Task:
        value = queries.resolve_key(within(session.connection()), key)
        task = session.exec(select(Task).where(Task.key == value)).first()
        if task is None:
            keys = list(session.exec(select(Project.key)).all())
            raise NotFound(f"no task {value!r}{missing_task_hint(value, keys)}")
        self._before.setdefault(("task", task.id), undo.snapshot(task))
        return task

    def _view(self, session: Session, task: Task) -> TaskView:
        session.flush()
        view = queries.task(within(session.connection()), task.key)
        assert view is not None
        return view

    # ------------------------------------------------------------------ tasks

    def add_task(
        self,
        project: str,
        title: str,
        phase: Phase,
        *,
        owner: str | None = None,
        estimate: int | None = None,
        description: str = "",
        at: datetime | None = None,
        reason: str | None = None,
    ) -> TaskView:
        clean_title = validate.title(title)
        self._check_estimate(estimate)
        with self._write() as session:
            when = self._when(at)
            proj = self._project(session, project, lock=True)
            owner_id = self._person(session, owner).id if owner else None
            task = self._new_task(
                session, proj, clean_title, phase, owner_id, estimate,
                validate.text(description, "description"), when, reason,
            )
            return self._view(session, task)

    def _new_task(
        self,
        session: Session,
        project: Project,
        title: str,
        phase: Phase,
        owner_id: int | None,
        estimate: int | None,
        description: str,
        when: datetime,
        reason: str | None,
    ) -> Task:
        if project.status in CLOSED_STATUSES:
            raise RuleRefused(
                f"{project.key} is {project.status}: a closed project takes no new tasks "
                f"(to reopen it: mlkanban project edit {project.key} --status active)"
            )
        number = project.next_number
        project.next_number = number + 1
        project.updated_at = when
        task = Task(
            key=f"{project.key}-{number}",
            project_id=project.id,
            number=number,
            title=title,
            description=description,
            phase=phase.value,
            owner_id=owner_id,
            estimate=estimate,
            status=Status.TODO.value,
            created_at=when,
            updated_at=when,
            status_at=when,
        )
        session.add(task)
        session.flush()
        self._event(session, when, "created", task=task, new=title, reason=reason)
        return task

    @staticmethod
    def _check_estimate(days: int | None) -> None:
        if days is not None and not rules.MIN_ESTIMATE_DAYS <= days <= MAX_PLAUSIBLE_DAYS:
            raise BadInput(
                f"an estimate must be {rules.MIN_ESTIMATE_DAYS}-{rules.MAX_ESTIMATE_DAYS} "
                f"working days, not {days}"
            )
        verdict = rules.check_estimate(days)
        if not verdict.allowed:
            raise RuleRefused(verdict.message, remedy=verdict.remedy)

    def set_status(
        self,
        key: str,
        status: Status,
        *,
        reason: str | None = None,
        override: str | None = None,
        at: datetime | None = None,
    ) -> Change:
        """The same change as the command line's (``status_changes``), in this service's
        transaction."""
        reason, override = status_changes.checked_reasons(status, reason, override)
        with self._write() as session:
            return status_changes.change_status(
                within(session.connection()), actor=self.actor, change=self._change,
                now=self.clock(), key=key, status=status, reason=reason, override=override,
                at=at)

    def _claim_wip(self, session: Session, task: Task, override: str | None, when: datetime) -> str:
        """Check the new owner's WIP limit for a task handed over in progress; record an
        override."""
        session.flush()
        verdict, busy = status_changes.wip_verdict(
            within(session.connection()), task.owner_id, task.id, override)
        if verdict.overridden:
            task.wip_override = override
            self._event(session, when, "wip_override", task=task, field="wip",
                        old=busy, new=busy + 1, reason=override)
            return verdict.message
        task.wip_override = None
        return ""
