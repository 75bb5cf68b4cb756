"""Project-level changes: the plan, deliverables, pivots, the outcome and A/B test designs.

A mixin of ``Service`` (same transaction and event conventions), kept apart because a
project's record is a different concern from moving tasks across the board.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, col, select

from mlkanban.domain.errors import BadInput, RuleRefused
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import OPEN_STATUSES, Status
from mlkanban.store import queries, validate
from mlkanban.store.models import AbTest, Deliverable, PhasePlan, Project
from mlkanban.store.sql import within
from mlkanban.store.views import AbTestView, DeliverableView, ProjectView

PROJECT_STATUSES = ("active", "paused", "shipped", "stopped")
#: A closed project takes no new tasks and holds no open ones (DESIGN §6 "Ownership").
CLOSED_STATUSES = ("shipped", "stopped")
#: The reason recorded on the tasks that closing a project drops.
CLOSED_REASON = "project closed"
OUTCOMES = ("positive", "negative", "inconclusive")


def parse_project_status(text: str) -> str:
    value = text.strip().lower()
    if value not in PROJECT_STATUSES:
        raise BadInput(
            f"unknown project status {text!r}; choose one of: {', '.join(PROJECT_STATUSES)}"
        )
    return value


def parse_outcome(text: str) -> str:
    value = text.strip().lower()
    if value not in OUTCOMES:
        raise BadInput(f"unknown outcome {text!r}; choose one of: {', '.join(OUTCOMES)}")
    return value


class ProjectRecords:
    """Methods of ``Service`` that change a project's record (see ``service.Service``)."""

    def add_project(
        self,
        key: str,
        name: str,
        *,
        description: str = "",
        hypothesis: str = "",
        metric: str = "",
        owner: str | None = None,
        plan: Mapping[Phase, float] | None = None,
        at: datetime | None = None,
    ) -> ProjectView:
        value = validate.project_key(key)
        title = validate.title(name, "project name")
        plan = {phase: validate.weeks(weeks, phase.value) for phase, weeks in (plan or {}).items()}
        with self._write() as session:
            when = self._when(at)
            if session.exec(select(Project).where(Project.key == value)).first():
                raise BadInput(f"project {value!r} already exists")
            owner_id = self._person(session, owner).id if owner else None
            project = Project(
                key=value,
                name=title,
                description=validate.text(description, "description"),
                hypothesis=validate.text(hypothesis, "hypothesis"),
                metric=validate.text(metric, "metric"),
                owner_id=owner_id,
                created_at=when,
                updated_at=when,
            )
            session.add(project)
            session.flush()
            self._event(session, when, "project_added", project_id=project.id, new=title)
            for phase, weeks in plan.items():
                session.add(PhasePlan(project_id=project.id, phase=phase.value, weeks=weeks))
                self._event(
                    session, when, "plan_set", project_id=project.id, field=phase.value,
                    new=weeks,
                )
            session.flush()
            return queries.projects(within(session.connection()), [value])[0]

    def _project_view(self, session: Session, key: str) -> ProjectView:
        session.flush()
        return queries.projects(within(session.connection()), [key])[0]

    def edit_project(
        self,
        key: str,
        *,
        name: str | None = None,
        description: str | None = None,
        hypothesis: str | None = None,
        metric: str | None = None,
        status: str | None = None,
        owner: str | None = None,
        at: datetime | None = None,
    ) -> ProjectView:
        """Change a project's fields; each changed field is one ``project_edited`` event."""
        wanted: dict[str, object] = {}
        if name is not None:
            wanted["name"] = validate.title(name, "project name")
        for field, value in (("description", description), ("hypothesis", hypothesis),
                             ("metric", metric)):
            if value is not None:
                wanted[field] = validate.text(value, field)
        if status is not None:
            wanted["status"] = parse_project_status(status)
        with self._write() as session:
            project = self._project(session, key, lock=True)
            when = self._when(at, project.updated_at, project.key)
            if owner is not None:
                wanted["owner_id"] = (self._person(session, owner).id
                                      if owner not in ("", "-") else None)
            changed = [(f, getattr(project, f), v) for f, v in wanted.items()
                       if getattr(project, f) != v]
            if not changed:
                raise BadInput(f"nothing to change in {project.key}")
            if wanted.get("status") in CLOSED_STATUSES and project.status not in CLOSED_STATUSES:
                self._close_tasks(session, project, at, drop=False)
            for field, old, new in changed:
                setattr(project, field, new)
                shown_old, shown_new = old, new
                if field == "owner_id":
                    field = "owner"
                    shown_old = self._handle_of(session, old)
                    shown_new = self._handle_of(session, new)
                self._event(session, when, "project_edited", project_id=project.id, field=field,
                            old=shown_old, new=shown_new)
            project.updated_at = when
            return self._project_view(session, project.key)

    def _close_tasks(self, session: Session, project, at: datetime | None, *, drop: bool) -> None:
        """Refuse to close a project that has open tasks, or (``drop``) drop them."""
        from mlkanban.store.models import Task

        open_values = [status.value for status in OPEN_STATUSES]
        keys = session.exec(
            select(Task.key).where(Task.project_id == project.id,
                                   col(Task.status).in_(open_values)).order_by(Task.number)
        ).all()
        if not keys:
            return
        if not drop:
            listed = ", ".join(keys[:5]) + (", ..." if len(keys) > 5 else "")
            noun = "task" if len(keys) == 1 else "tasks"
            raise RuleRefused(
                f"{project.key} still has {len(keys)} open {noun} ({listed}); finish or drop "
                f"them first, or drop them as you close it: mlkanban project close "
                f"{project.key} ... --drop-open"
            )
        for key in keys:
            task = self._task(session, key)
            when = self._when(at, task.updated_at, task.key)
            old = task.status
            task.status = Status.DROPPED.value
            task.status_at = task.updated_at = when
            task.reason = CLOSED_REASON
            self._event(session, when, "status_changed", task=task, field="status", old=old,
                        new=task.status, reason=CLOSED_REASON)

    def _handle_of(self, session: Session, person_id) -> str | None:
        from mlkanban.store.models import Person

        if person_id is None:
            return None
        person = session.get(Person, person_id)
        return person.handle if person else None

    def set_plan(
        self, key: str, plan: Mapping[Phase, float], *, at: datetime | None = None
    ) -> ProjectView:
        """Set planned weeks for the given phases (0 removes a phase from the plan)."""
        if not plan:
            raise BadInput("give at least one PHASE=WEEKS")
        clean = {phase: validate.weeks(weeks, phase.value) for phase, weeks in plan.items()}
        with self._write() as session:
            project = self._project(session, key, lock=True)
            when = self._when(at, project.updated_at, project.key)
            current = {
                Phase(row.phase): row
                for row in session.exec(select(PhasePlan).where(PhasePlan.project_id == project.id))
            }
            changed = False
            for phase, weeks in clean.items():
                row = current.get(phase)
                old = row.weeks if row else None
                if old == weeks or (old is None and weeks == 0):
                    continue
                if weeks == 0 and row is not None:
                    session.delete(row)
                elif row is not None:
                    row.weeks = weeks
                else:
                    session.add(PhasePlan(project_id=project.id, phase=phase.value, weeks=weeks))
                self._event(session, when, "plan_set", project_id=project.id, field=phase.value,
                            old=old, new=weeks)
                changed = True
            if not changed:
                raise BadInput(f"{project.key}'s plan already says that")
            project.updated_at = when
            return self._project_view(session, project.key)

    def deliver(
        self,
        key: str,
        phase: Phase,
        title: str,
        *,
        link: str | None = None,
        at: datetime | None = None,
    ) -> DeliverableView:
        """Record a phase's deliverable as reached (shared with stakeholders)."""
        clean_title = validate.title(title, "deliverable title")
        clean_link = validate.text(link, "link") or None
        with self._write() as session:
            project = self._project(session, key, lock=True)
            when = self._when(at, None, project.key)
            session.add(Deliverable(project_id=project.id, phase=phase.value, title=clean_title,
                                    link=clean_link, reached_at=when))
            self._event(session, when, "delivered", project_id=project.id, field=phase.value,
                        new=clean_title, reason=clean_link)
            project.updated_at = max(project.updated_at, when)
            return DeliverableView(project.key, phase, clean_title, clean_link, when)

    def pivot(self, key: str, text: str, *, at: datetime | None = None) -> ProjectView:
        """Record a change of approach after something failed: a dated event."""
        clean = validate.reason(text, "pivot description")
        with self._write() as session:
            project = self._project(session, key, lock=True)
            when = self._when(at, None, project.key)
            self._event(session, when, "pivot", project_id=project.id, new=clean)
            project.updated_at = max(project.updated_at, when)
            return self._project_view(session, project.key)

    def close_project(
        self,
        key: str,
        outcome: str,
        why: str,
        *,
        status: str | None = None,
        drop_open: bool = False,
        at: datetime | None = None,
    ) -> ProjectView:
        """Record the outcome of Results Analysis and close the project.

        A positive outcome ships the project unless ``status`` says otherwise; any other
        outcome stops it. A project with open tasks is closed only with ``drop_open``,
        which drops them in the same transaction.
        """
        clean_outcome = parse_outcome(outcome)
        clean_why = validate.reason(why, "why (the outcome's explanation)")
        new_status = parse_project_status(status) if status else (
            "shipped" if clean_outcome == "positive" else "stopped"
        )
        with self._write() as session:
            project = self._project(session, key, lock=True)
            when = self._when(at, project.updated_at, project.key)
            if new_status in CLOSED_STATUSES:
                self._close_tasks(session, project, at, drop=drop_open)
            old = project.outcome
            project.outcome = clean_outcome
            project.outcome_why = clean_why
            old_status, project.status = project.status, new_status
            project.updated_at = when
            self._event(session, when, "closed", project_id=project.id, field="outcome", old=old,
                        new=clean_outcome, reason=clean_why)
            if old_status != new_status:
                self._event(session, when, "project_edited", project_id=project.id,
                            field="status", old=old_status, new=new_status)
            return self._project_view(session, project.key)

    def set_ab_test(
        self,
        key: str,
        *,
        started_at: datetime,
        duration_days: int,
        traffic_share: float,
        control: str = "",
        metric: str = "",
        at: datetime | None = None,
    ) -> AbTestView:
        """Attach (or replace) the design of the A/B test a task runs."""
        if not 1 <= duration_days <= 365:
            raise BadInput(f"an A/B test lasts 1-365 days, not {duration_days}")
        if not 0 < traffic_share <= 100:
            raise BadInput(f"the traffic share is a percentage in (0, 100], not {traffic_share}")
        control = validate.text(control, "control")
        metric = validate.text(metric, "metric")
        with self._write() as session:
            task = self._task(session, key)
            if Phase(task.phase) is not Phase.AB_TESTING:
                raise RuleRefused(
                    f"{task.key} is in {Phase(task.phase).title}; only a task in A/B Testing "
                    f"runs a test (mlkanban move {task.key} ab-testing)"
                )
            when = self._when(at, task.updated_at, task.key)
            design = session.get(AbTest, task.id) or AbTest(task_id=task.id, started_at=started_at,
                                                            duration_days=duration_days,
                                                            traffic_share=traffic_share)
            design.started_at = started_at
            design.duration_days = duration_days
            design.traffic_share = traffic_share
            design.control = control
            design.metric = metric
            session.add(design)
            summary = (f"{duration_days} days from {started_at.astimezone():%Y-%m-%d}, "
                       f"{traffic_share:g}% traffic")
            reason = f"control: {control}; metric: {metric}" if control or metric else None
            self._event(session, when, "ab_test_set", task=task, field="ab_test", new=summary,
                        reason=reason)
            task.updated_at = when
            return AbTestView(task.key, started_at, duration_days, traffic_share, control, metric)
