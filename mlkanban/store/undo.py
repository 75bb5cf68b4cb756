"""Undo: revert the acting person's most recent change, as a change of its own.

A change is everything one command wrote (its events share a change id). Undoing it
never deletes history: it records the events that put each task (or project, or
person) back as it was before the change, and an ``undone`` event naming the change,
so reports still tell the time between the change and its undo as it was. The values
put back come from the ``before`` snapshot the change stored with its first event of
each task or project.

A mixin of ``Service``: same transaction, lock and event conventions.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from mlkanban.domain.errors import RuleRefused
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import NEEDS_REASON, Status
from mlkanban.store import snapshots
from mlkanban.store.changes import Change
from mlkanban.store.models import Event, Person, PhasePlan, Project, Task
from mlkanban.store.snapshots import MOMENTS, PROJECT_FIELDS, TASK_FIELDS

UNDONE = "undone"
"""The kind of the event that names the change an undo reverted (its ``field``)."""

#: What an undo can put back. Anything else (a person or project added, a deliverable,
#: a pivot, an A/B test design, an import) is refused with a way out.
UNDOABLE = frozenset({
    "created", "started", "status_changed", "moved_phase", "assigned", "estimated",
    "edited", "wip_override", "split", "plan_set", "project_edited", "closed",
    "person_edited",
})

_WAYS_OUT = {
    "person_added": "to take the lane away: mlkanban person edit HANDLE --inactive",
    "project_added": "to set it aside: mlkanban project edit KEY --status stopped",
    "delivered": "a deliverable stays on the record; add the right one with project deliver",
    "pivot": "a pivot stays on the record; record the next one with project pivot",
    "ab_test_set": "set the design again with: mlkanban ab-test KEY ...",
}


def snapshot(row: Task | Project) -> str:
    """A task's or project's undoable fields as JSON (moments as ISO text)."""
    fields = TASK_FIELDS if isinstance(row, Task) else PROJECT_FIELDS
    return snapshots.snapshot(lambda name: getattr(row, name), fields)


def _restored(name: str, value: Any) -> Any:
    if name in MOMENTS and value is not None:
        return datetime.fromisoformat(value)
    return value


class Undo:
    """The ``undo`` method of ``Service`` (see ``service.Service``)."""

    def undo(self, *, at: datetime | None = None) -> Change:
        """Revert the acting person's most recent change that is not undone yet."""
        with self._write() as session:
            change = self._last_change(session)
            if change is None:
                raise RuleRefused(f"{self.actor} has nothing to undo")
            events = session.exec(
                select(Event).where(Event.change == change).order_by(col(Event.id))
            ).all()
            summary = _summary(session, events)
            kept = sorted({e.kind for e in events} - UNDOABLE)
            if kept:
                raise RuleRefused(
                    f"your last change ({summary}) cannot be undone; "
                    f"{_WAYS_OUT.get(kept[0], 'change it back with the matching command')}"
                )
            last = max(e.at for e in events)
            when = self._when(at, last, "the change")
            self._refuse_if_changed_since(session, events)
            touched = self._put_back(session, events, when, change, summary)
        message = f"Undid {summary}"
        if touched is not None:
            where = f"{touched.phase.title}" + (f", {touched.owner}" if touched.owner else "")
            message += f"; {touched.key} is {touched.status.label} ({where})"
        return Change(touched, message)

    # ------------------------------------------------------------------ finding it

    def _last_change(self, session: Session) -> str | None:
        """The newest change by the actor that neither is an undo nor was undone."""
        seen: set[str] = set()
        query = (select(Event.change).where(Event.actor == self.actor)
                 .where(col(Event.change).is_not(None)).order_by(col(Event.id).desc()))
        for change in session.exec(query):
            if change in seen:
                continue
            seen.add(change)
            if not self._undo_related(session, [change]):
                return change
        return None

    def _undo_related(self, session: Session, changes: list[str]) -> set[str]:
        """Which of ``changes`` are undos, or were undone by one."""
        if not changes:
            return set()
        rows = session.exec(
            select(Event.change, Event.field).where(Event.kind == UNDONE).where(
                col(Event.change).in_(changes) | col(Event.field).in_(changes))
        ).all()
        related = set()
        for undo_change, undone in rows:
            related.update({undo_change, undone})
        return related & set(changes)

    def _refuse_if_changed_since(self, session: Session, events: list[Event]) -> None:
        """Refuse when someone changed one of the change's tasks (or projects) after it,
        other than by changes that were undone since."""
        last_id = max(e.id for e in events)
        task_ids = {e.task_id for e in events if e.task_id is not None}
        project_ids = {e.project_id for e in events if e.task_id is None and e.project_id}
        later = []
        if task_ids:
            later += session.exec(select(Event).where(col(Event.task_id).in_(task_ids))
                                  .where(Event.id > last_id).order_by(col(Event.id))).all()
        if project_ids:
            later += session.exec(select(Event).where(col(Event.project_id).in_(project_ids))
                                  .where(col(Event.task_id).is_(None))
                                  .where(Event.id > last_id).order_by(col(Event.id))).all()
        ignored = self._undo_related(session, sorted({e.change for e in later if e.change}))
        for event in later:
            if event.change is None or event.change not in ignored:
                what = _subject(session, event)
                raise RuleRefused(
                    f"{event.actor} changed {what} since ({_describe(event)}, "
                    f"{event.at.astimezone():%Y-%m-%d %H:%M}); nothing was undone"
                )

    # ------------------------------------------------------------------ putting back

    def _put_back(self, session: Session, events: list[Event], when: datetime, change: str,
                  summary: str):
        """Write the events that revert ``events``; the task view to show (if any)."""
        shown = None
        tasks: dict[int, list[Event]] = {}
        projects: dict[int, list[Event]] = {}
        for event in events:
            if event.task_id is not None:
                tasks.setdefault(event.task_id, []).append(event)
            elif event.project_id is not None:
                projects.setdefault(event.project_id, []).append(event)
        for task_id, own in tasks.items():
            task = session.get(Task, task_id)
            if any(e.kind == "created" for e in own):
                self._drop_created(session, task, when)
            else:
                before = next((e.before for e in own if e.before), None)
                if before is not None:
                    self._restore_task(session, task, json.loads(before), when)
            task.updated_at = when
            self._event(session, when, UNDONE, task=task, field=change, new=summary)
            shown = self._view(session, task) if shown is None or shown.key != task.key \
                else shown
        for project_id, own in projects.items():
            project = session.get(Project, project_id)
            self._restore_project(session, project, own, when)
            self._event(session, when, UNDONE, project_id=project_id, field=change,
                        new=summary)
        people = [e for e in events if e.kind == "person_edited"]
        for event in reversed(people):
            person = session.get(Person, event.person_id)
            setattr(person, event.field, _person_value(event.field, event.old))
            self._event(session, when, "person_edited", person_id=person.id,
                        field=event.field, old=event.new, new=event.old)
        if people:
            self._event(session, when, UNDONE, person_id=people[0].person_id, field=change,
                        new=summary)
        return shown

    def _drop_created(self, session: Session, task: Task, when: datetime) -> None:
        old = task.status
        task.status, task.status_at, task.reason = Status.DROPPED.value, when, UNDONE
        task.done_at, task.wip_override = None, None
        self._event(session, when, "status_changed", task=task, field="status", old=old,
                    new=Status.DROPPED.value, reason=UNDONE)

    def _restore_task(self, session: Session, task: Task, before: dict, when: datetime) -> None:
        if before["phase"] != task.phase:
            old, task.phase = task.phase, before["phase"]
            self._event(session, when, "moved_phase", task=task, field="phase", old=old,
                        new=task.phase)
        if before["owner_id"] != task.owner_id:
            old_handle = _handle(session, task.owner_id)
            task.owner_id = before["owner_id"]
            self._event(session, when, "assigned", task=task, field="owner", old=old_handle,
                        new=_handle(session, task.owner_id))
        if before["estimate"] != task.estimate:
            old, task.estimate = task.estimate, before["estimate"]
            self._event(session, when, "estimated", task=task, field="estimate", old=old,
                        new=task.estimate)
        for field in ("title", "description"):
            if before[field] != getattr(task, field):
                old = getattr(task, field)
                setattr(task, field, before[field])
                self._event(session, when, "edited", task=task, field=field, old=old,
                            new=before[field])
        status = Status(before["status"])
        if status.value != task.status or before["reason"] != task.reason:
            old = task.status
            task.status, task.status_at = status.value, when
            self._event(session, when, "status_changed", task=task, field="status", old=old,
                        new=status.value,
                        reason=before["reason"] if status in NEEDS_REASON else None)
        for name in ("reason", "wip_override", "started_at", "done_at"):
            setattr(task, name, _restored(name, before[name]))

    def _restore_project(self, session: Session, project: Project, events: list[Event],
                         when: datetime) -> None:
        for event in reversed([e for e in events if e.kind == "plan_set"]):
            row = session.get(PhasePlan, (project.id, event.field))
            weeks = float(event.old) if event.old is not None else None
            if weeks is None and row is not None:
                session.delete(row)
            elif weeks is not None and row is not None:
                row.weeks = weeks
            elif weeks is not None:
                session.add(PhasePlan(project_id=project.id, phase=event.field, weeks=weeks))
            removed = event.new is None or float(event.new) == 0  # 0 took it off the plan
            self._event(session, when, "plan_set", project_id=project.id, field=event.field,
                        old=None if removed else event.new, new=weeks)
        before = next((e.before for e in events if e.before), None)
        if before is not None:
            for field, value in json.loads(before).items():
                current = getattr(project, field)
                if current == value:
                    continue
                setattr(project, field, value)
                shown_old, shown_new, name = current, value, field
                if field == "owner_id":
                    name = "owner"
                    shown_old, shown_new = _handle(session, current), _handle(session, value)
                self._event(session, when, "project_edited", project_id=project.id,
                            field=name, old=shown_old, new=shown_new)
        project.updated_at = when


def _handle(session: Session, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    return person.handle if person else None


def _person_value(field: str, text: str | None) -> Any:
    if field == "wip_limit":
        return int(text or 1)
    if field == "active":
        return text == "True"
    return text or ""


def _subject(session: Session, event: Event) -> str:
    if event.task_id is not None:
        task = session.get(Task, event.task_id)
        return task.key if task else "the task"
    project = session.get(Project, event.project_id) if event.project_id else None
    return project.key if project else "it"


def _describe(event: Event) -> str:
    """A few words for an event: what a refusal or an undo message names."""
    kind, old, new = event.kind, event.old, event.new
    if kind in ("started", "status_changed"):
        return f"{_label(old)} → {_label(new)}"
    if kind == "moved_phase":
        return f"moved {_title(old)} → {_title(new)}"
    if kind == "assigned":
        return f"assigned {old or 'nobody'} → {new or 'nobody'}"
    if kind == "estimated":
        return f"estimate {old or '?'} → {new or '?'} days"
    if kind == "edited":
        return f"edited its {event.field}"
    if kind == "plan_set":
        return f"plan for {_title(event.field)} {old or '-'} → {new or '-'} weeks"
    if kind in ("project_edited", "person_edited"):
        return f"{event.field} {old or '-'} → {new or '-'}"
    if kind == "closed":
        return f"closed with a {new} outcome"
    return kind.replace("_", " ")


def _summary(session: Session, events: list[Event]) -> str:
    """The change in a few words, for ``undo``'s message and its event."""
    created = [e for e in events if e.kind == "created"]
    if any(e.kind == "split" for e in events) and created:
        split = next(e for e in events if e.kind == "split")
        return f"splitting {split.new} out of {_subject(session, split)}"
    if created:
        return f"adding {_subject(session, created[0])} “{created[0].new}”"
    added = next((e for e in events if e.kind in ("person_added", "project_added")), None)
    if added is not None:
        if added.kind == "person_added":
            return f"adding {_handle(session, added.person_id)}"
        return f"adding project {_subject(session, added)}"
    shown = [e for e in events if e.kind != "wip_override"] or events
    first = shown[0]
    if first.kind == "person_edited":
        subject = _handle(session, first.person_id) or "a person"
    else:
        subject = _subject(session, first)
    parts = [_describe(e) for e in shown]
    if any(e.kind == "wip_override" for e in events):
        parts.append("with a WIP override")
    return f"{subject}: {', '.join(parts)}"


def _label(value: str | None) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value or "?"


def _title(value: str | None) -> str:
    try:
        return Phase(value).title
    except ValueError:
        return value or "?"
