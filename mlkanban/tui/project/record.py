"""A project's record gathered for the project screen, without Textual.

Reads one project's tasks and events only (not the whole board's history), and measures
time spent per phase with the same rules as the weekly report (``history.metrics``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mlkanban.domain.errors import NotFound
from mlkanban.domain.phases import PHASES, Phase
from mlkanban.domain.statuses import Status
from mlkanban.history import metrics
from mlkanban.history.replay import build_timelines
from mlkanban.history.weekly import TimelineBar
from mlkanban.store import queries, validate
from mlkanban.store.views import DeliverableView, ProjectView, TaskView


@dataclass(frozen=True)
class PhaseLine:
    """One phase of the project: plan, time spent, tasks and what it delivered."""

    phase: Phase
    planned_weeks: float | None
    spent_weeks: float
    open: int
    done: int
    deliverables: tuple[DeliverableView, ...]

    @property
    def over_plan(self) -> bool:
        return self.planned_weeks is not None and self.spent_weeks > self.planned_weeks


@dataclass(frozen=True)
class Pivot:
    at: datetime
    actor: str
    text: str


@dataclass(frozen=True)
class ProjectRecord:
    """Everything the project screen shows, as of ``as_of``."""

    project: ProjectView
    phases: tuple[PhaseLine, ...]
    current_phase: Phase | None
    pivots: tuple[Pivot, ...]
    added: Pivot | None
    """When and by whom the project was added (its ``project_added`` event)."""
    closed_at: datetime | None
    timeline: tuple[TimelineBar, ...]
    open_tasks: int
    done_tasks: int
    as_of: datetime

    def line(self, phase: Phase) -> PhaseLine:
        return self.phases[phase.index]


def load_record(service, key: str) -> ProjectRecord:
    """Read ``key``'s record through ``service``; ``NotFound`` if there is no such project."""
    key = validate.project_key(key)
    now = service.now()
    with service.read() as conn:
        found = queries.projects(conn, [key])
        if not found:
            raise NotFound(f"no project {key!r} (see: mlkanban project ls)")
        tasks = queries.tasks(conn, project=key)
        events = queries.events(conn, project_key=key)
        deliverables = queries.deliverables(conn, key)
    project = found[0]

    today = metrics.local_day(now)
    first = min([metrics.local_day(t.created_at) for t in tasks] + [today])
    days = metrics.DayCounter(service.calendar, first - timedelta(days=7),
                              today + timedelta(days=7))
    works = [metrics.task_work(line, now, days) for line in build_timelines(tasks, events).values()]
    spent = metrics.phase_days(works).get(key, {})
    bars = metrics.phase_timeline(works, days).get(key, [])

    phases = tuple(
        PhaseLine(
            phase=phase,
            planned_weeks=project.plan.get(phase),
            spent_weeks=round(spent.get(phase, 0) / metrics.DAYS_PER_WEEK, 1),
            open=sum(1 for t in tasks if t.phase is phase and t.status.is_open),
            done=sum(1 for t in tasks if t.phase is phase and t.status is Status.DONE),
            deliverables=tuple(d for d in deliverables if d.phase is phase),
        )
        for phase in PHASES
    )
    closed = [e.at for e in events if e.kind == "closed"]
    added = next((Pivot(e.at, e.actor, "added") for e in events if e.kind == "project_added"),
                 None)
    return ProjectRecord(
        project=project,
        phases=phases,
        current_phase=current_phase(tasks),
        pivots=tuple(Pivot(e.at, e.actor, e.new or "") for e in events if e.kind == "pivot"),
        added=added,
        closed_at=closed[-1] if closed and project.outcome else None,
        timeline=tuple(TimelineBar(phase.value, a, b) for phase, a, b in bars),
        open_tasks=sum(1 for t in tasks if t.status.is_open),
        done_tasks=sum(1 for t in tasks if t.status is Status.DONE),
        as_of=now,
    )


def current_phase(tasks: list[TaskView]) -> Phase | None:
    """The phase of the task most recently started, else waiting, else last changed
    (the weekly report's rule)."""
    for wanted in (Status.IN_PROGRESS, Status.WAITING):
        candidates = [t for t in tasks if t.status is wanted]
        if candidates:
            return max(candidates, key=lambda t: t.status_at).phase
    if tasks:
        return max(tasks, key=lambda t: t.status_at).phase
    return None
