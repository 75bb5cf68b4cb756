"""Changes to a task other than its status: its phase, owner, estimate, title and
description, and splitting part of it off as a new task.

A mixin of ``Service`` (same transaction and event conventions, ``_task``, ``_when``,
``_event``, ``_view``, ``_claim_wip``, ``_new_task``), kept apart from the status
changes and the plumbing that make up the rest of the service.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from mlkanban.domain.errors import BadInput, RuleRefused
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.domain.text import plural
from mlkanban.store import validate
from mlkanban.store.changes import Change
from mlkanban.store.models import Person, Project


class TaskEdits:
    """Methods of ``Service`` that edit a task (see ``service.Service``)."""

    def move(self, key: str, phase: Phase, *, at: datetime | None = None) -> Change:
        with self._write() as session:
            task = self._task(session, key)
            when = self._when(at, task.updated_at, task.key)
            old = Phase(task.phase)
            if old is phase:
                raise BadInput(f"{task.key} is already in {phase.title}")
            task.phase = phase.value
            task.updated_at = when
            self._event(
                session, when, "moved_phase", task=task, field="phase", old=old.value,
                new=phase.value,
            )
            view = self._view(session, task)
        direction = "back " if phase.index < old.index else ""
        return Change(view, f"Moved {view.key} {direction}from {old.title} to {phase.title}")

    def assign(
        self,
        key: str,
        handle: str | None,
        *,
        override: str | None = None,
        at: datetime | None = None,
    ) -> Change:
        """Hand a task to someone (None: unassign). An in-progress task counts for its new owner."""
        with self._write() as session:
            task = self._task(session, key)
            when = self._when(at, task.updated_at, task.key)
            old_owner = session.get(Person, task.owner_id) if task.owner_id else None
            new_owner = self._person(session, handle, lock=True) if handle else None
            if (old_owner and old_owner.id) == (new_owner and new_owner.id):
                who = new_owner.handle if new_owner else "nobody"
                raise BadInput(f"{task.key} is already assigned to {who}")
            if Status(task.status) is Status.IN_PROGRESS:
                if new_owner is None:
                    raise RuleRefused(
                        f"{task.key} is in progress; an unassigned task cannot be. "
                        "Move it to waiting or to do first."
                    )
                task.owner_id = new_owner.id
                self._claim_wip(session, task, override, when)
            task.owner_id = new_owner.id if new_owner else None
            task.updated_at = when
            self._event(
                session, when, "assigned", task=task, field="owner",
                old=old_owner.handle if old_owner else None,
                new=new_owner.handle if new_owner else None,
            )
            view = self._view(session, task)
        target = view.owner or "nobody (unassigned)"
        return Change(view, f"Assigned {view.key} to {target}")

    def estimate(self, key: str, days: int | None, *, at: datetime | None = None) -> Change:
        self._check_estimate(days)
        with self._write() as session:
            task = self._task(session, key)
            when = self._when(at, task.updated_at, task.key)
            if task.estimate == days:
                raise BadInput(f"{task.key} is already estimated at {days} days")
            old = task.estimate
            task.estimate = days
            task.updated_at = when
            self._event(
                session, when, "estimated", task=task, field="estimate", old=old, new=days
            )
            view = self._view(session, task)
        shown = plural(days, "working day") if days is not None else "unknown"
        return Change(view, f"Estimated {view.key} at {shown}")

    def edit(
        self,
        key: str,
        *,
        title: str | None = None,
        description: str | None = None,
        at: datetime | None = None,
    ) -> Change:
        with self._write() as session:
            task = self._task(session, key)
            when = self._when(at, task.updated_at, task.key)
            changed = []
            if title is not None and validate.title(title) != task.title:
                self._event(
                    session, when, "edited", task=task, field="title", old=task.title,
                    new=validate.title(title),
                )
                task.title = validate.title(title)
                changed.append("title")
            if description is not None:
                text = validate.text(description, "description")
                if text != task.description:
                    self._event(
                        session, when, "edited", task=task, field="description",
                        old=task.description, new=text,
                    )
                    task.description = text
                    changed.append("description")
            if changed:
                task.updated_at = when
            view = self._view(session, task)
        what = " and ".join(changed) if changed else "nothing changed"
        return Change(view, f"Edited {view.key}: {what}")

    def split(
        self,
        key: str,
        new_title: str,
        *,
        estimate: int | None,
        at: datetime | None = None,
    ) -> Change:
        """Carve a new task out of an existing one: same project, phase and owner."""
        clean_title = validate.title(new_title)
        self._check_estimate(estimate)
        with self._write() as session:
            task = self._task(session, key)
            when = self._when(at, task.updated_at, task.key)
            project = session.exec(
                select(Project).where(Project.id == task.project_id).with_for_update()
            ).one()
            new = self._new_task(
                session, project, clean_title, Phase(task.phase), task.owner_id, estimate,
                "", when, f"split from {task.key}",
            )
            self._event(session, when, "split", task=task, field="split", new=new.key)
            task.updated_at = when
            view = self._view(session, new)
        return Change(view, f"Split {view.key} “{view.title}” out of {task.key}")
