"""The ORM's view of a board: every row read through SQLModel (``models.py``), every
join, filter and order done in Python, built into the same view types as
``store.queries``. Deliberately naive, so that it is obviously right: it is what the
plain SQL reads are checked against."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store import validate
from mlkanban.store.models import AbTest, Deliverable, Event, Person, PhasePlan, Project, Task
from mlkanban.store.views import (
    AbTestView,
    DeliverableView,
    EventView,
    PersonView,
    ProjectView,
    TaskView,
)


@dataclass
class Orm:
    """Every row of every table, as ORM objects."""

    people: list[Person]
    projects: list[Project]
    plans: list[PhasePlan]
    tasks: list[Task]
    events: list[Event]
    deliverables: list[Deliverable]
    ab_tests: list[AbTest]

    @classmethod
    def load(cls, engine) -> Orm:
        with Session(engine) as session:
            return cls(*(list(session.exec(select(model))) for model in (
                Person, Project, PhasePlan, Task, Event, Deliverable, AbTest)))

    # ------------------------------------------------------------------ lookups

    def handle(self, person_id: int | None) -> str | None:
        return next((p.handle for p in self.people if p.id == person_id), None)

    def project_key(self, project_id: int | None) -> str | None:
        return next((p.key for p in self.projects if p.id == project_id), None)

    def task_key(self, task_id: int | None) -> str | None:
        return next((t.key for t in self.tasks if t.id == task_id), None)

    def counts(self) -> dict[str, int]:
        return {"people": len(self.people), "projects": len(self.projects),
                "tasks": len(self.tasks), "events": len(self.events)}

    # ------------------------------------------------------------------ tasks

    def task_view(self, t: Task) -> TaskView:
        parent = next((p.key for p in self.tasks
                       if t.jira_parent is not None and p.jira_key == t.jira_parent), None)
        return TaskView(
            key=t.key, title=t.title, project=self.project_key(t.project_id),
            phase=Phase(t.phase), owner=self.handle(t.owner_id), estimate=t.estimate,
            status=Status(t.status), reason=t.reason, wip_override=t.wip_override,
            created_at=t.created_at, updated_at=t.updated_at, started_at=t.started_at,
            status_at=t.status_at, done_at=t.done_at, description=t.description,
            jira_key=t.jira_key, parent=parent, labels=tuple(t.labels.split()),
        )

    def task_views(
        self,
        *,
        owner: str | None = None,
        unassigned: bool = False,
        project: str | None = None,
        phase: Phase | None = None,
        statuses: Iterable[Status] | None = None,
        done_since: datetime | None = None,
        label: str | None = None,
        parent: str | None = None,
    ) -> list[TaskView]:
        """Tasks matching every given filter, by project key and number."""
        wanted = set(statuses) if statuses is not None else None
        found = []
        for t in sorted(self.tasks, key=lambda t: (self.project_key(t.project_id), t.number)):
            view = self.task_view(t)
            if owner is not None and view.owner != owner:
                continue
            if unassigned and view.owner is not None:
                continue
            if project is not None and view.project != project:
                continue
            if phase is not None and view.phase is not phase:
                continue
            if wanted is not None and view.status not in wanted:
                continue
            if (done_since is not None and view.status is Status.DONE
                    and view.done_at < done_since):
                continue
            if label is not None and label.lower() not in [x.lower() for x in view.labels]:
                continue
            if parent is not None and view.parent != parent:
                continue
            found.append(view)
        return found

    def task(self, key: str) -> TaskView | None:
        return next((self.task_view(t) for t in self.tasks if t.key == key), None)

    def resolve_key(self, text: str, *, project: bool = False) -> str:
        """Our key as typed (in capitals), else the key of the first row imported from
        that Jira key, else the text checked as a key."""
        value = text.strip().upper()
        rows = sorted(self.projects if project else self.tasks, key=lambda r: r.id)
        if any(r.key == value for r in rows):
            return value
        imported = [r.key for r in rows if r.jira_key == value]
        if imported:
            return imported[0]
        return validate.project_key(text) if project else validate.task_key(text)

    def done_counts_before(self, before: datetime) -> list[tuple[str | None, str, str, int]]:
        counts: dict[tuple[str | None, str, str], int] = {}
        for t in self.tasks:
            if t.status == "done" and t.done_at < before:
                group = (self.handle(t.owner_id), self.project_key(t.project_id), t.phase)
                counts[group] = counts.get(group, 0) + 1
        return [(*group, n) for group, n in counts.items()]

    # ------------------------------------------------------------------ people and projects

    def person_views(self, *, active_only: bool = False) -> list[PersonView]:
        return [PersonView(p.handle, p.name, p.wip_limit, p.active)
                for p in sorted(self.people, key=lambda p: p.handle)
                if p.active or not active_only]

    def person(self, handle: str) -> PersonView | None:
        return next((v for v in self.person_views() if v.handle == handle), None)

    def project_views(self, keys: Sequence[str] | None = None) -> list[ProjectView]:
        views = []
        for p in sorted(self.projects, key=lambda p: p.key):
            if keys is not None and p.key not in keys:
                continue
            plan = {Phase(row.phase): row.weeks for row in self.plans if row.project_id == p.id}
            views.append(ProjectView(
                key=p.key, name=p.name, status=p.status, owner=self.handle(p.owner_id),
                description=p.description, hypothesis=p.hypothesis, metric=p.metric,
                outcome=p.outcome, outcome_why=p.outcome_why,
                plan=dict(sorted(plan.items(), key=lambda item: item[0].index)),
                jira_key=p.jira_key,
            ))
        return views

    # ------------------------------------------------------------------ history

    def event_view(self, e: Event) -> EventView:
        return EventView(e.id, e.uid, e.at, e.actor, e.kind, self.project_key(e.project_id),
                         self.task_key(e.task_id), self.handle(e.person_id), e.field, e.old,
                         e.new, e.reason)

    def event_views(self, *, task_key: str | None = None, project_key: str | None = None,
                    after_id: int | None = None,
                    kinds: Sequence[str] | None = None) -> list[EventView]:
        views = [self.event_view(e) for e in sorted(self.events, key=lambda e: (e.at, e.id))]
        return [v for v in views
                if (task_key is None or v.task == task_key)
                and (project_key is None or v.project == project_key)
                and (after_id is None or v.id > after_id)
                and (kinds is None or v.kind in kinds)]

    def latest_event_id(self) -> int:
        return max((e.id for e in self.events), default=0)

    def deliverable_views(self, project_key: str | None = None) -> list[DeliverableView]:
        return [DeliverableView(self.project_key(d.project_id), Phase(d.phase), d.title, d.link,
                                d.reached_at)
                for d in sorted(self.deliverables, key=lambda d: (d.reached_at, d.id))
                if project_key is None or self.project_key(d.project_id) == project_key]

    def ab_test_views(self, task_keys: Iterable[str] | None = None) -> dict[str, AbTestView]:
        keys = set(task_keys) if task_keys is not None else None
        views = {}
        for a in self.ab_tests:
            key = self.task_key(a.task_id)
            if keys is None or key in keys:
                views[key] = AbTestView(key, a.started_at, a.duration_days, a.traffic_share,
                                        a.control, a.metric)
        return views

    def id_maps(self) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
        return ({t.id: t.key for t in self.tasks}, {p.id: p.key for p in self.projects},
                {p.id: p.handle for p in self.people})

    def last_event_per_project(self, until: datetime | None = None) -> dict[str, datetime]:
        last: dict[str, datetime] = {}
        for e in self.events:
            if e.project_id is None or (until is not None and e.at > until):
                continue
            key = self.project_key(e.project_id)
            last[key] = max(last.get(key, e.at), e.at)
        return last
