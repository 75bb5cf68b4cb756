"""The board's shape: which card sits in which lane and column, and what is folded away.

Kept free of Textual so the grouping, ordering, folding and filtering are tested on
their own; the TUI only draws the ``Grid`` this module builds. Reading is one call
(``read_board``) and arranging is pure (``arrange``), so switching lanes, columns or
the filter never touches the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property

from mlkanban.domain.phases import PHASES
from mlkanban.domain.statuses import Status
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store import queries
from mlkanban.store.sql import Sql
from mlkanban.store.views import AbTestView, PersonView, ProjectView, TaskView

#: Done cards stay on the board this long; older ones fold into a count per cell.
RECENT_DONE = timedelta(days=7)

#: Order of cards inside a cell: what is moving first, what is finished last.
STATUS_ORDER = {
    Status.IN_PROGRESS: 0,
    Status.WAITING: 1,
    Status.TODO: 2,
    Status.DONE: 3,
}

BOARD_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.WAITING, Status.DONE)


class LaneMode(StrEnum):
    PERSON = "person"
    PROJECT = "project"


class ColumnMode(StrEnum):
    PHASE = "phase"
    STATUS = "status"


@dataclass(frozen=True)
class Card:
    """A task as the board shows it, with its age and size flag worked out once."""

    task: TaskView
    age: int | None
    over_size: bool
    haystack: str = field(repr=False, compare=False, default="")
    ab_test: str | None = None
    """"day N of M" while the task waits on its A/B test."""

    @property
    def key(self) -> str:
        return self.task.key

    def matches(self, terms: Iterable[str]) -> bool:
        return all(term in self.haystack for term in terms)


@dataclass(frozen=True)
class Snapshot:
    """Everything the board needs, read in one go from one connection."""

    people: tuple[PersonView, ...]
    projects: tuple[ProjectView, ...]
    cards: tuple[Card, ...]
    """In the order cells show them (see ``STATUS_ORDER``)."""
    folded: tuple[tuple[str | None, str, str, int], ...]
    """(owner, project, phase, count) of done tasks older than ``RECENT_DONE``."""
    today: date
    event_id: int


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    phase: str | None = None
    status: Status | None = None


@dataclass(frozen=True)
class Lane:
    """One swimlane: a person (``owner``; None is "unassigned") or a project."""

    key: str
    title: str
    detail: str = ""
    owner: str | None = None
    project: str | None = None
    in_progress: int = 0
    waiting: int = 0
    todo: int = 0
    wip_limit: int | None = None

    @property
    def over_limit(self) -> bool:
        return self.wip_limit is not None and self.in_progress > self.wip_limit


@dataclass(frozen=True)
class Cell:
    cards: tuple[Card, ...] = ()
    folded: int = 0


EMPTY_CELL = Cell()


@dataclass(frozen=True)
class Grid:
    """Lanes × columns of cells; what the board widget draws."""

    lanes: tuple[Lane, ...]
    columns: tuple[Column, ...]
    cells: dict[tuple[int, int], Cell]
    lane_mode: LaneMode = LaneMode.PERSON
    column_mode: ColumnMode = ColumnMode.PHASE
    filtered: bool = False

    def cell(self, lane: int, column: int) -> Cell:
        return self.cells.get((lane, column), EMPTY_CELL)

    def find(self, key: str) -> tuple[int, int, int] | None:
        """(lane, column, index) of the card with this key, if it is shown."""
        for (lane, column), cell in self.cells.items():
            for index, card in enumerate(cell.cards):
                if card.key == key:
                    return lane, column, index
        return None

    @cached_property
    def column_counts(self) -> list[int]:
        """Open (not done) cards per column, for the column headers."""
        counts = [0] * len(self.columns)
        for (_, column), cell in self.cells.items():
            counts[column] += sum(1 for c in cell.cards if c.task.status is not Status.DONE)
        return counts

    @property
    def card_count(self) -> int:
        return sum(len(cell.cards) for cell in self.cells.values())


def read_board(conn: Sql, *, now: datetime, calendar: WorkCalendar) -> Snapshot:
    """Open tasks, done ones of the last week, and the counts of older done ones."""
    event_id = queries.latest_event_id(conn)  # first: a change after it triggers a reload
    today = now.astimezone().date()
    since = now - RECENT_DONE
    tasks = queries.tasks(conn, statuses=BOARD_STATUSES, done_since=since)
    waiting = [task.key for task in tasks if task.status is Status.WAITING]
    ab_tests = queries.ab_tests(conn, waiting) if waiting else {}
    cards = sorted(
        (make_card(task, today, calendar, ab_tests.get(task.key)) for task in tasks),
        key=_card_order,
    )
    return Snapshot(
        people=tuple(queries.people(conn)),
        projects=tuple(queries.projects(conn)),
        cards=tuple(cards),
        folded=tuple(queries.done_counts_before(conn, since)),
        today=today,
        event_id=event_id,
    )


def make_card(
    task: TaskView, today: date, calendar: WorkCalendar, ab_test: AbTestView | None = None
) -> Card:
    age = task.age(today, calendar)
    haystack = " ".join(
        part
        for part in (
            task.key,
            task.title,
            f"@{task.owner}" if task.owner else "@unassigned",
            task.phase.value,
            task.phase.title,
            task.status.label,
            task.reason or "",
            task.wip_override or "",
            task.jira_key or "",
            " ".join(f"#{label}" for label in task.labels),  # the filter's #label
        )
        if part
    ).lower()
    progress = ab_test.progress(today) if ab_test is not None else None
    return Card(task, age, task.over_size(today, calendar), haystack, progress)


def filter_terms(text: str) -> tuple[str, ...]:
    return tuple(text.lower().split())


def arrange(
    snapshot: Snapshot,
    *,
    lanes: LaneMode = LaneMode.PERSON,
    columns: ColumnMode = ColumnMode.PHASE,
    filter_text: str = "",
    me: str | None = None,
) -> Grid:
    """Place every card in its lane and column; fold old done cards into counts.

    ``me`` (the acting person) gets the first lane: a scientist's own work comes first.
    """
    terms = filter_terms(filter_text)
    if lanes is LaneMode.PERSON:
        lane_list = _person_lanes(snapshot)
        lane_list.sort(key=lambda lane: lane.owner != me or me is None)
    else:
        lane_list = _project_lanes(snapshot)
    column_list = _columns(columns)
    lane_index = {lane.key: i for i, lane in enumerate(lane_list)}
    column_index = {column.key: i for i, column in enumerate(column_list)}

    placed: dict[tuple[int, int], list[Card]] = {}
    for card in snapshot.cards:
        if terms and not card.matches(terms):
            continue
        lane = lane_index[_lane_key(card.task.owner, card.task.project, lanes)]
        column = column_index[_column_key(card.task.phase.value, card.task.status, columns)]
        placed.setdefault((lane, column), []).append(card)

    folded: Counter[tuple[int, int]] = Counter()
    if not terms:
        for owner, project, phase, count in snapshot.folded:
            key = _lane_key(owner, project, lanes)
            if key not in lane_index:
                continue
            column = column_index[_column_key(phase, Status.DONE, columns)]
            folded[(lane_index[key], column)] += count

    cells = {
        position: Cell(tuple(placed.get(position, ())), folded[position])
        for position in set(placed) | set(folded)
    }
    if terms:
        shown = sorted({lane for lane, _ in cells})
        renumber = {old: new for new, old in enumerate(shown)}
        lane_list = [lane_list[i] for i in shown]
        cells = {(renumber[lane], column): cell for (lane, column), cell in cells.items()}
    return Grid(tuple(lane_list), column_list, cells, lanes, columns, bool(terms))


def _card_order(card: Card) -> tuple:
    task = card.task
    done_first = -(task.done_at.timestamp()) if task.done_at and task.status is Status.DONE else 0
    return (STATUS_ORDER[task.status], done_first, task.project, task.number)


def _lane_key(owner: str | None, project: str, mode: LaneMode) -> str:
    if mode is LaneMode.PERSON:
        return f"@{owner}" if owner else "@"
    return project


def _column_key(phase: str, status: Status, mode: ColumnMode) -> str:
    return phase if mode is ColumnMode.PHASE else status.value


def _columns(mode: ColumnMode) -> tuple[Column, ...]:
    if mode is ColumnMode.PHASE:
        return tuple(Column(p.value, p.title, phase=p.value) for p in PHASES)
    return tuple(Column(s.value, s.label.capitalize(), status=s) for s in BOARD_STATUSES)


def _open_counts(cards: Iterable[Card], attribute: str) -> dict[str | None, Counter[Status]]:
    counts: dict[str | None, Counter[Status]] = {}
    for card in cards:
        counts.setdefault(getattr(card.task, attribute), Counter())[card.task.status] += 1
    return counts


def _person_lanes(snapshot: Snapshot) -> list[Lane]:
    """One lane per active person (and anyone inactive who still holds cards), then
    "unassigned" last."""
    counts = _open_counts(snapshot.cards, "owner")
    lanes = []
    for person in snapshot.people:
        if not person.active and person.handle not in counts:
            continue
        tally = counts.get(person.handle, Counter())
        detail = f"@{person.handle}" + ("" if person.active else " (inactive)")
        lanes.append(
            Lane(
                key=f"@{person.handle}",
                title=person.display,
                detail=detail,
                owner=person.handle,
                in_progress=tally[Status.IN_PROGRESS],
                waiting=tally[Status.WAITING],
                todo=tally[Status.TODO],
                wip_limit=person.wip_limit,
            )
        )
    tally = counts.get(None, Counter())
    lanes.append(
        Lane(
            key="@",
            title="Unassigned",
            detail="anyone can pick these up",
            in_progress=tally[Status.IN_PROGRESS],
            waiting=tally[Status.WAITING],
            todo=tally[Status.TODO],
        )
    )
    return lanes


def _project_lanes(snapshot: Snapshot) -> list[Lane]:
    """One lane per project that is active or paused, or still has cards."""
    counts = _open_counts(snapshot.cards, "project")
    lanes = []
    for project in snapshot.projects:
        if project.status not in ("active", "paused") and project.key not in counts:
            continue
        tally = counts.get(project.key, Counter())
        status = "" if project.status == "active" else f" · {project.status}"
        lanes.append(
            Lane(
                key=project.key,
                title=f"{project.key}  {project.name}",
                detail=(f"owner @{project.owner}" if project.owner else "") + status,
                project=project.key,
                in_progress=tally[Status.IN_PROGRESS],
                waiting=tally[Status.WAITING],
                todo=tally[Status.TODO],
            )
        )
    return lanes
