"""Plain read models handed to the CLI, the TUI and reports (no ORM objects leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from mlkanban.domain.phases import Phase
from mlkanban.domain.rules import is_over_size
from mlkanban.domain.statuses import Status
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store.sql import moment


def canonical(value: object) -> bool:
    """Whether ``value`` is a timestamp as SQLite holds it (naive UTC text, with six
    digits of microseconds): what the fast paths below may cut up."""
    return (type(value) is str and len(value) == 26 and value[10] == " "
            and value[19] == "." and value[20:].isdigit())


def iso_text(value: object) -> str | None:
    """``moment(value).isoformat()`` of a stored timestamp (None stays None).

    SQLite's text (``2026-11-20 09:30:00.000000``, naive UTC) is cut into shape without
    building a datetime: a long export or ``ls --all --json`` holds hundreds of
    thousands of them. Anything else (PostgreSQL's datetimes, text in another form)
    goes through ``moment``.
    """
    if value is None:
        return None
    # ``canonical(value)``, written out: this runs for every timestamp of every row
    if (type(value) is str and len(value) == 26 and value[10] == " " and value[19] == "."
            and value[20:].isdigit()):
        if value[20:] == "000000":  # isoformat leaves out zero microseconds
            return f"{value[:10]}T{value[11:19]}+00:00"
        return f"{value[:10]}T{value[11:]}+00:00"
    return moment(value).isoformat()


#: The last instant of an hour, from its first.
_HOUR_END = timedelta(minutes=59, seconds=59, microseconds=999_999)
_HOUR = timedelta(hours=1)


class LocalDays:
    """The local calendar day of stored timestamps (``moment(value).astimezone().date()``),
    for ages counted over thousands of rows.

    Asking the system for the local time costs microseconds a row; the offset from UTC
    is learnt once per UTC hour instead, and used for every timestamp in that hour when
    it is the same at both ends of the hour (an hour that holds a change of clocks is
    asked about timestamp by timestamp). Where the offset is whole hours, as it mostly
    is, the whole UTC hour falls on one local day, which is kept too.
    """

    def __init__(self) -> None:
        self._offsets: dict[object, timedelta | None] = {}
        #: The local day of each whole UTC hour of SQLite's text (``value[:13]``) learnt so
        #: far, where the offset is whole hours: a lookup for callers that already know
        #: their text is SQLite's usual one.
        self.hour_days: dict[str, date] = {}

    def __call__(self, value: object) -> date:
        # ``canonical(value)``, written out: this runs for every timestamp of every row
        if (type(value) is str and len(value) == 26 and value[10] == " "
                and value[19] == "." and value[20:].isdigit()):
            day = self.hour_days.get(value[:13])
            if day is not None:
                return day
            naive = datetime.fromisoformat(value)  # naive UTC, as SQLite holds it
            hour: object = value[:13]
        else:
            naive = moment(value).replace(tzinfo=None)
            hour = naive.replace(minute=0, second=0, microsecond=0)
        offset = self._offsets.get(hour, False)
        if offset is False:
            offset = self._offsets[hour] = self._offset(naive)
        if offset is None:
            return naive.replace(tzinfo=UTC).astimezone().date()
        day = (naive + offset).date()
        if type(hour) is str and not offset % _HOUR:
            self.hour_days[hour] = day
        return day

    @staticmethod
    def _offset(naive: datetime) -> timedelta | None:
        """The UTC offset all through the hour ``naive`` is in, or None if it changes."""
        start = naive.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)
        first = start.astimezone().utcoffset()
        last = (start + _HOUR_END).astimezone().utcoffset()
        return first if first == last else None


@dataclass(frozen=True)
class PersonView:
    """A person with a swimlane. (Every view has a docstring: without one, dataclass
    builds it from the signature, which costs the read commands' start.)"""

    handle: str
    name: str
    wip_limit: int
    active: bool

    @property
    def display(self) -> str:
        return self.name or self.handle


@dataclass(frozen=True)
class ProjectView:
    """A project (epic), with its plan in weeks per phase."""

    key: str
    name: str
    status: str
    owner: str | None = None
    description: str = ""
    hypothesis: str = ""
    metric: str = ""
    outcome: str | None = None
    outcome_why: str | None = None
    plan: dict[Phase, float] = field(default_factory=dict)
    jira_key: str | None = None


@dataclass(frozen=True)
class TaskView:
    """A task as every front end shows it."""

    key: str
    title: str
    project: str
    phase: Phase
    owner: str | None
    estimate: int | None
    status: Status
    reason: str | None
    wip_override: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    status_at: datetime
    done_at: datetime | None
    description: str = ""
    jira_key: str | None = None
    parent: str | None = None
    """The key of the task it is a sub-task of (imported from Jira)."""
    labels: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])

    def age(self, today: date, calendar: WorkCalendar) -> int | None:
        """Working days since it was first started (day 1 is the start day)."""
        if self.started_at is None:
            return None
        end = self.done_at if self.done_at is not None and self.status is Status.DONE else None
        last = end.astimezone().date() if end else today
        return calendar.working_days(self.started_at.astimezone().date(), last)

    def over_size(self, today: date, calendar: WorkCalendar) -> bool:
        if self.status is not Status.IN_PROGRESS:
            return False
        age = self.age(today, calendar)
        return age is not None and is_over_size(age, self.estimate)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "project": self.project,
            "phase": self.phase.value,
            "owner": self.owner,
            "status": self.status.value,
            "estimate": self.estimate,
            "reason": self.reason,
            "wip_override": self.wip_override,
            "created_at": self.created_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "done_at": self.done_at.isoformat() if self.done_at else None,
            "jira_key": self.jira_key,
            "parent": self.parent,
            "labels": list(self.labels),
        }


@dataclass(frozen=True)
class EventView:
    """One entry of the history (``as_dict`` is also its exported form, less the id)."""

    id: int
    uid: str
    at: datetime
    actor: str
    kind: str
    project: str | None
    task: str | None
    person: str | None
    field: str | None
    old: str | None
    new: str | None
    reason: str | None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "uid": self.uid,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "kind": self.kind,
            "project": self.project,
            "task": self.task,
            "person": self.person,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DeliverableView:
    """A phase's deliverable, reached and shared."""

    project: str
    phase: Phase
    title: str
    link: str | None
    reached_at: datetime


@dataclass(frozen=True)
class AbTestView:
    """An A/B test's design; tests run in calendar days, traffic never rests."""

    task: str
    started_at: datetime
    duration_days: int
    traffic_share: float
    control: str
    metric: str

    def day(self, today: date) -> int:
        """Which day of the test ``today`` is (1 on the start day; 0 before it starts)."""
        start = self.started_at.astimezone().date()
        return max((today - start).days + 1, 0)

    def progress(self, today: date) -> str:
        """"day N of M", or "finished" once the planned duration has passed."""
        day = self.day(today)
        if day == 0:
            return f"starts {self.started_at.astimezone():%Y-%m-%d}"
        if day > self.duration_days:
            return f"finished ({self.duration_days} days)"
        return f"day {day} of {self.duration_days}"

    @property
    def ends_on(self) -> date:
        from datetime import timedelta

        return self.started_at.astimezone().date() + timedelta(days=self.duration_days - 1)
