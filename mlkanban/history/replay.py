"""The board as it was at any moment, folded from the event log.

Each task becomes a timeline: spans of status, phase, owner and estimate, each span
running from the event that set the value to the event that changed it. Events record
the old value of a change, so a task's first phase (or owner, or estimate) is the old
value of its first change of that kind, and the task's current value when it never
changed. One pass over the events builds every timeline.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import repeat
from typing import NamedTuple

from mlkanban.domain import phases, statuses
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.views import EventView, TaskView

_TODO = Status.TODO.value
_IN_PROGRESS = Status.IN_PROGRESS.value
_UNKNOWN = "\x00unknown"
"""The value of a first span until the first change of that kind reveals it."""


@dataclass(slots=True)
class Span:
    """A value held from ``start`` until ``end`` (None: still held)."""

    value: str | None
    start: datetime
    end: datetime | None = None
    reason: str | None = None


@dataclass(slots=True)
class TaskTimeline:
    key: str
    project: str
    title: str
    created_at: datetime
    statuses: list[Span]
    phases: list[Span]
    owners: list[Span]
    estimates: list[Span]
    overrides: list[tuple[datetime, str | None]] = field(default_factory=list)
    started_at: datetime | None = None
    """When it was first started, for a timeline that begins after that (see
    ``build_timelines``); None: found from ``statuses``."""


class TaskState(NamedTuple):
    """One task as the board showed it at a given moment (a tuple: a board is thousands
    of them, built for every report)."""

    key: str
    project: str
    title: str
    phase: Phase
    owner: str | None
    estimate: int | None
    status: Status
    reason: str | None
    since: datetime
    """When the current status began."""
    started_at: datetime | None
    """The first time it was started, if it had been by then."""
    override: str | None
    """The WIP override reason, while the stretch in progress it was given for lasts."""


def build_timelines(
    tasks: Iterable[TaskView], events: Iterable[EventView], *,
    since: datetime | None = None, whole: Collection[str] = (),
) -> dict[str, TaskTimeline]:
    """Every task's timeline, from its current view and its events in order.

    With ``since``, ``events`` need only be those from ``since`` on (besides all events of
    the tasks in ``whole``): a task created earlier starts with the values the first of
    its later changes replaced, held from just before ``since`` (or from its view's
    ``status_at`` when its status did not change since then). Such a timeline tells the
    board as it was at any moment from ``since`` on, but not how long it was in progress
    before: that is what work logs are for.
    """
    views = {t.key: t for t in tasks}
    lines: dict[str, TaskTimeline] = {}
    carried: set[str] = set()
    for event in events:
        key = event.task
        if key is None:
            continue
        line = lines.get(key)
        if line is None:
            view = views.get(key)
            if view is None:
                continue
            if since is not None and view.created_at < since and event.at >= since \
                    and key not in whole:
                line = lines[key] = _carried_timeline(view, since)
                carried.add(key)
            else:
                start = event.at if event.kind == "created" else min(view.created_at, event.at)
                line = lines[key] = TaskTimeline(
                    key, view.project, view.title, start,
                    [Span(_TODO, start)], [Span(_UNKNOWN, start)],
                    [Span(_UNKNOWN, start)], [Span(_UNKNOWN, start)],
                )
        kind = event.kind
        if kind == "started" or kind == "status_changed":
            spans = line.statuses
        elif kind == "moved_phase":
            spans = line.phases
        elif kind == "assigned":
            spans = line.owners
        elif kind == "estimated":
            spans = line.estimates
        else:
            if kind == "wip_override":
                line.overrides.append((event.at, event.reason))
            continue
        # A change closes the span it ends and opens the next (inlined: the hot loop).
        last = spans[-1]
        if last.value == _UNKNOWN:
            last.value = event.old
        last.end = event.at
        spans.append(Span(event.new, event.at, None, event.reason if spans is line.statuses
                          else None))
    for key in carried:
        line, view = lines[key], views[key]
        first = line.statuses[0]
        if first.value == _UNKNOWN:  # no status change since: the view's own status
            first.value, first.start, first.reason = view.status.value, view.status_at, view.reason
            line.overrides[:0] = _view_override(view)
    for key, line in lines.items():
        view = views[key]
        for spans, current in (
            (line.phases, view.phase._value_),
            (line.owners, view.owner),
            (line.estimates, None if view.estimate is None else str(view.estimate)),
        ):
            if spans[0].value == _UNKNOWN:
                spans[0].value = current
    for key, view in views.items():
        if key not in lines:  # a task with no events (e.g. an import that left them out)
            lines[key] = _static_timeline(view)
    return lines


def _static_timeline(view: TaskView) -> TaskTimeline:
    """The timeline of a task with no events: the values its row holds, since it was
    created (or since its status changed). Most tasks of a long history are like this
    for a report, so it is built without detours."""
    created, status = view.created_at, view.status
    if status is Status.TODO:
        statuses = [Span(_TODO, created)]
    else:
        statuses = [Span(_TODO, created, view.status_at),
                    Span(status._value_, view.status_at, None, view.reason)]
    estimate = view.estimate
    return TaskTimeline(
        view.key, view.project, view.title, created, statuses,
        [Span(view.phase._value_, created)], [Span(view.owner, created)],
        [Span(None if estimate is None else str(estimate), created)],
        _view_override(view), view.started_at,
    )


def _carried_timeline(view: TaskView, since: datetime) -> TaskTimeline:
    """A timeline of a task created before ``since`` whose values there are not known yet
    (they become the old values of its first changes)."""
    before = since - timedelta(microseconds=1)
    return TaskTimeline(
        view.key, view.project, view.title, view.created_at,
        [Span(_UNKNOWN, before)], [Span(_UNKNOWN, before)], [Span(_UNKNOWN, before)],
        [Span(_UNKNOWN, before)], started_at=view.started_at,
    )


def _view_override(view: TaskView) -> list[tuple[datetime, str | None]]:
    """The WIP override of a task in progress, as its row holds it."""
    if view.wip_override and view.status is Status.IN_PROGRESS:
        return [(view.status_at, view.wip_override)]
    return []


def span_at(spans: list[Span], moment: datetime) -> Span:
    """The span holding at ``moment`` (the first one if ``moment`` is before it)."""
    last = spans[-1]
    if last.start <= moment:  # mostly the value still held
        return last
    for span in reversed(spans):
        if span.start <= moment:
            return span
    return spans[0]


def first_start(line: TaskTimeline, moment: datetime | None = None) -> datetime | None:
    if line.started_at is not None:
        return line.started_at if moment is None or line.started_at <= moment else None
    for span in line.statuses:
        if moment is not None and span.start > moment:
            return None
        if span.value == _IN_PROGRESS:
            return span.start
    return None


def state_at(line: TaskTimeline, moment: datetime) -> TaskState | None:
    """The task as it was at ``moment``; None if it did not exist yet."""
    if line.created_at > moment:
        return None
    status = line.statuses[-1]  # mostly the status still held (as ``span_at`` finds it)
    if status.start > moment:
        status = span_at(line.statuses, moment)
    estimate = span_at(line.estimates, moment).value
    current = statuses.BY_VALUE[status.value]
    override = None
    if current is Status.IN_PROGRESS:
        for at, reason in line.overrides:
            if status.start <= at <= moment:
                override = reason
    return TaskState(
        line.key,
        line.project,
        line.title,
        phases.BY_VALUE[span_at(line.phases, moment).value],
        span_at(line.owners, moment).value,
        int(estimate) if estimate else None,
        current,
        status.reason if current is Status.WAITING or current is Status.DROPPED else None,
        status.start,
        first_start(line, moment),
        override,
    )



def board_at(timelines: dict[str, TaskTimeline], moment: datetime) -> list[TaskState]:
    """Every task that existed at ``moment``, as it was then, in key order."""
    states = [state for state in map(state_at, timelines.values(), repeat(moment))
              if state is not None]
    states.sort(key=_key_order)
    return states


def _key_order(state: TaskState) -> tuple[str, int]:
    project, _, number = state.key.rpartition("-")
    return (project, int(number) if number.isdigit() else 0)
