"""The weekly report's data model: the period it covers and what it says, as plain
dataclasses that the Markdown and JSON renderers and the review screen read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from mlkanban.domain.clock import as_utc
from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import PHASES
from mlkanban.history import metrics

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)

# ---------------------------------------------------------------- the period


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, in local time."""

    start: date
    end: date
    label: str

    @classmethod
    def week_of(cls, day: date) -> Period:
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=6), metrics.iso_week_label(monday))

    @classmethod
    def parse_week(cls, text: str) -> Period:
        """``2026-W47`` (or ``2026W47``): an ISO week, Monday to Sunday."""
        match = _WEEK.match(text.strip())
        if not match:
            raise BadInput(f"cannot read week {text!r}; use an ISO week such as 2026-W47")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise BadInput(
                f"{year} has no week {week}; ISO weeks run from W01 to W52 or W53"
            ) from None
        return cls.week_of(monday)

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        if start > end:
            raise BadInput(f"--from {start} is after --to {end}")
        return cls(start, end, f"{start} to {end}")

    @property
    def is_week(self) -> bool:
        return self.start.weekday() == 0 and self.end - self.start == timedelta(days=6)

    def start_moment(self) -> datetime:
        return as_utc(datetime.combine(self.start, time()))

    def end_moment(self) -> datetime:
        """The last instant of the last day."""
        return as_utc(datetime.combine(self.end + timedelta(days=1), time())) - timedelta(
            microseconds=1
        )

    def as_of(self, now: datetime) -> datetime:
        """The moment a report of this period describes: its end, or now if sooner."""
        return min(self.end_moment(), now)

    def previous(self) -> Period:
        if self.is_week:
            return Period.week_of(self.start - timedelta(days=7))
        length = self.end - self.start + timedelta(days=1)
        return Period.between(self.start - length, self.end - length)

    def next(self) -> Period:
        if self.is_week:
            return Period.week_of(self.start + timedelta(days=7))
        length = self.end - self.start + timedelta(days=1)
        return Period.between(self.start + length, self.end + length)


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"cannot read {option} {text!r}; use a date such as 2026-11-16") from None


# ---------------------------------------------------------------- the model
# Each class has a docstring: without one, dataclass builds it from the signature,
# a fraction of a millisecond of every report's start per class.


@dataclass
class TaskRef:
    """A task as the report names it: key, title, phase, owner, age and estimate."""

    key: str
    title: str
    phase: str
    owner: str | None = None
    age_days: int | None = None
    estimate: int | None = None


@dataclass
class WaitingItem:
    """A task waiting at the report's moment, and on what."""

    key: str
    title: str
    owner: str | None
    reason: str
    days: int
    """Working days waited after the day it began to wait."""
    ab_test: str | None = None
    """How far the task's A/B test has run ("day 3 of 14"), when it has one."""


@dataclass
class PersonRow:
    """One person's line: in progress, done in the period, waiting, and flags."""

    handle: str
    name: str
    in_progress: list[TaskRef]
    done: list[TaskRef]
    waiting: list[WaitingItem]
    flags: list[str]


@dataclass
class PhaseRow:
    """A project's phase: planned and actual weeks, open and done tasks."""

    phase: str
    title: str
    planned_weeks: float | None
    actual_weeks: float
    open: int
    done: int


@dataclass
class Move:
    """A task moved from one phase to another in the period."""

    key: str
    title: str
    from_phase: str
    to_phase: str
    back: bool
    at: datetime


@dataclass
class Deliverable:
    """A phase's deliverable recorded in the period."""

    phase: str
    title: str
    link: str | None
    at: datetime


@dataclass
class Closing:
    """The project was closed in the period: its outcome, why, and the status it got."""

    outcome: str
    why: str
    status: str
    at: datetime


@dataclass
class Comment:
    """A comment on one of the project's tasks: who said what, when."""

    task: str
    title: str
    author: str
    at: datetime
    text: str


@dataclass
class TimelineBar:
    """A stretch of days, per phase, on a project's timeline or plan."""

    phase: str
    start: date
    end: date


@dataclass
class ProjectSection:
    """What the report says of one project."""

    key: str
    name: str
    status: str
    owner: str | None
    hypothesis: str
    metric: str
    outcome: str | None
    outcome_why: str | None
    current_phase: str | None
    phases: list[PhaseRow]
    timeline: list[TimelineBar]
    """When work happened per phase, over the weeks the charts cover."""
    plan: list[TimelineBar]
    """Each planned phase's length in working days, from when its work first began."""
    done: list[TaskRef]
    started: list[TaskRef]
    moved: list[Move]
    deliverables: list[Deliverable]
    pivots: list[str]
    last_event: date | None
    stalled_days: int | None
    closed: Closing | None = None
    """Set when the project was closed in the period."""
    comments: list[Comment] = field(default_factory=list)
    """Comments made on its tasks in the period (imported from Jira, for now)."""


@dataclass
class Override:
    """A WIP override given in the period."""

    key: str
    title: str
    owner: str | None
    reason: str
    at: datetime


@dataclass
class Stalled:
    """An active project with no event for a while."""

    key: str
    name: str
    last_event: date
    days: int


@dataclass
class Attention:
    """What needs a lead's look: overrides, over-size tasks, stalls, idle people."""

    overrides: list[Override]
    over_size: list[TaskRef]
    stalled: list[Stalled]
    idle: list[str]
    long_waits: list[WaitingItem]

    @property
    def empty(self) -> bool:
        return not (self.overrides or self.over_size or self.stalled or self.idle
                    or self.long_waits)


@dataclass
class WeekCount:
    """Tasks done in one ISO week (given by its Monday)."""

    week: str
    start: date
    done: int


@dataclass
class FlowDay:
    """Tasks per status at the end of a day."""

    day: date
    todo: int
    in_progress: int
    waiting: int
    done: int
    dropped: int


@dataclass
class Summary:
    """The period in numbers."""

    done: int
    started: int
    moved: int
    moved_back: int
    in_progress: int
    waiting: int
    average_done: float | None
    """Tasks done per week over the chart's earlier weeks (none before the first event)."""


@dataclass
class WeeklyReport:
    """The whole report, as both renderers read it."""

    title: str
    label: str
    start: date
    end: date
    as_of: datetime
    summary: Summary
    people: list[PersonRow]
    projects: list[ProjectSection]
    attention: Attention
    throughput: list[WeekCount]
    flow: list[FlowDay]
    note: str | None = None
    """One line said instead of the content when there is nothing to tell (a period
    before the board's first event)."""
    phase_names: dict[str, str] = field(default_factory=lambda: {p.value: p.title for p in PHASES})

    def to_data(self) -> dict[str, Any]:
        """The same content as plain JSON-ready data (dates as ISO strings)."""
        data = _plain(self)
        data.pop("phase_names", None)
        return data


def _plain(value: Any) -> Any:
    """Like ``dataclasses.asdict`` without its deep copies, with dates as text."""
    kind = type(value)
    if kind in _ATOMS:  # most values of a report: tested first
        return value
    fields = getattr(kind, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


_ATOMS = frozenset({str, int, float, bool, type(None)})

