"""The board's shape: which card sits in which lane and column, and what is folded away.

Kept free of Textual so the grouping, ordering, folding and filtering are tested on
their own; the TUI only draws the ``Grid`` this module builds. Reading is one call
(``read_board``) and arranging is pure (``arrange``), so switching lanes, columns or
the filter never touches the database.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from operator import attrgetter

from mlkanban.domain import phases, statuses
from mlkanban.domain.phases import PHASES
from mlkanban.domain.statuses import Status
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store import queries
from mlkanban.store.board_cards import (  # noqa: F401 (Card, make_card: re-exported)
    Card,
    make_card,
    matching,
    row_card,
    row_cards,
)
from mlkanban.store.sql import Sql, moment
from mlkanban.store.views import PersonView, ProjectView

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

#: The board's tasks: every open one, and those done since a moment, found on the
#: covering index ``ix_task_done`` (the rows of older done tasks are never visited).
BOARD_TASKS = (
    f"SELECT {queries.TASK_COLUMNS}{queries.TASK_FROM}"
    " WHERE t.status IN ('todo', 'in_progress', 'waiting')"
    f" UNION ALL SELECT {queries.TASK_COLUMNS}{queries.TASK_FROM}"
    " WHERE t.id IN (SELECT id FROM task WHERE status = 'done' AND done_at >= ?)"
)


class LaneMode(StrEnum):
    PERSON = "person"
    PROJECT = "project"


class ColumnMode(StrEnum):
    PHASE = "phase"
    STATUS = "status"


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
    _placed: dict[tuple, Placed] = field(default_factory=dict, compare=False, repr=False)

    def placed(self, lanes: LaneMode, columns: ColumnMode, me: str | None) -> Placed:
        """The cards in their cells for this arrangement, worked out once."""
        key = (lanes, columns, me)
        found = self._placed.get(key)
        if found is None:
            found = self._placed[key] = Placed(self, lanes, columns, me)
        return found


@dataclass(frozen=True)
class Column:
    """A column of the board: a phase, or a status."""

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
    """The cards of one lane in one column, and how many old done ones are folded."""

    cards: tuple[Card, ...] = ()
    """In the order of ``STATUS_ORDER``: done cards last."""
    folded: int = 0

    @property
    def done(self) -> int:
        """How many of its cards are done (they come last: counted from the end)."""
        count = 0
        for card in reversed(self.cards):
            if card.status is not Status.DONE:
                break
            count += 1
        return count

    def tally(self) -> dict[Status, int]:
        """Its cards by status, found by bisection (the cards are ordered by status)."""
        cards = self.cards
        ends = [bisect_right(cards, rank, key=_rank) for rank in range(len(STATUS_ORDER))]
        starts = [0, *ends[:-1]]
        return {status: end - start
                for status, start, end in zip(STATUS_ORDER, starts, ends, strict=True)
                if end > start}


def _rank(card: Card) -> int:
    return STATUS_ORDER[card.status]


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
            counts[column] += len(cell.cards) - cell.done
        return counts

    @property
    def card_count(self) -> int:
        return sum(len(cell.cards) for cell in self.cells.values())


def read_board(conn: Sql, *, now: datetime, calendar: WorkCalendar,
               rows: BoardRows | None = None) -> Snapshot:
    """Open tasks, done ones of the last week, and the counts of older done ones.

    ``rows``: the tasks and counts already read (``board_rows`` at ``now``), when
    another process read them; the rest (people, projects, A/B tests: a few rows) is
    read here."""
    today = now.astimezone().date()
    if rows is None:
        rows = board_rows(conn, now=now)
    event_id, ordered, folded = rows
    cards = tuple(row_cards(ordered, today, calendar, phases.BY_VALUE, statuses.BY_VALUE))
    waiting = [card.key for card in cards if card.status is Status.WAITING]
    if waiting:
        ab_tests = queries.ab_tests(conn, waiting)
        for card in cards:
            if card.key in ab_tests:
                card.ab_test = ab_tests[card.key].progress(today)
    return Snapshot(
        people=tuple(queries.people(conn)),
        projects=tuple(queries.projects(conn)),
        cards=cards,
        folded=tuple(folded),
        today=today,
        event_id=event_id,
    )


BoardRows = tuple[int, list[tuple], list[tuple]]
"""(latest event id, the board's task rows in the order cells show them, the folded
counts): plain values, which ``marshal`` carries from one process to another."""


def board_rows(conn: Sql, *, now: datetime) -> BoardRows:
    """The part of a snapshot that takes time to read on a big board."""
    event_id = queries.latest_event_id(conn)  # first: a change after it triggers a reload
    since = now - RECENT_DONE
    rows = conn.rows(BOARD_TASKS, (conn.bind(since),))
    ordered = [rows[i] for i in _card_order(rows)]
    return event_id, ordered, [tuple(row) for row in queries.done_counts_before(conn, since)]


#: ``STATUS_ORDER`` by the stored value.
_RANK = {status.value: rank for status, rank in STATUS_ORDER.items()}


def _card_order(rows: list[tuple]) -> list[int]:
    """The indexes of ``rows`` in the order cells show their cards: by ``STATUS_ORDER``,
    recently done ones newest first, then by project and number. Worked out on the
    stored values (projects ranked once by key), as the board has ten thousand rows."""
    projects = {key: rank for rank, key in enumerate(sorted({row[2] for row in rows}))}
    keys = []
    for key, _, project, _, _, _, status, *rest in rows:  # queries.TASK_COLUMNS
        done_at = rest[6]
        done_first = (-moment(done_at).timestamp()
                      if status == "done" and done_at is not None else 0)
        keys.append((_RANK[status], done_first, projects[project],
                     int(key.rsplit("-", 1)[1])))
    return sorted(range(len(rows)), key=keys.__getitem__)


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
    A filter keeps the matching cards and the lanes that hold some.
    """
    whole = snapshot.placed(lanes, columns, me)
    terms = filter_terms(filter_text)
    if not terms:
        return Grid(whole.lanes, whole.columns, whole.cells, lanes, columns, False)
    found = whole.matching(terms)
    shown = sorted({lane for lane, _ in found})
    renumber = {old: new for new, old in enumerate(shown)}
    cells = {(renumber[lane], column): Cell(cards) for (lane, column), cards in found.items()}
    return Grid(tuple(whole.lanes[i] for i in shown), whole.columns, cells, lanes, columns,
                True)


class Placed:
    """Every card of a snapshot in its cell, for one arrangement; and what each filter
    typed so far left in each cell. A filter that narrows an earlier one (``churn`` after
    ``chu``) searches only the cards the earlier one left, so each keystroke costs less
    than the last."""

    KEPT = 32
    """Filters remembered per arrangement (the words typed, one keystroke at a time)."""

    def __init__(self, snapshot: Snapshot, mode: LaneMode, column_mode: ColumnMode,
                 me: str | None) -> None:
        if mode is LaneMode.PERSON:
            lane_list = _person_lanes(snapshot)
            lane_list.sort(key=lambda lane: lane.owner != me or me is None)
        else:
            lane_list = _project_lanes(snapshot)
        column_list = _columns(column_mode)
        lane_index = {lane.key: i for i, lane in enumerate(lane_list)}
        column_index = {column.key: i for i, column in enumerate(column_list)}

        # Cards are grouped by what decides their cell (owner or project, phase or
        # status), and each group is placed once: ten thousand cards, a few hundred groups.
        by_person, by_phase = mode is LaneMode.PERSON, column_mode is ColumnMode.PHASE
        groups: dict[tuple, list[Card]] = {}
        for card, where in zip(snapshot.cards, map(attrgetter(
                "owner" if by_person else "project", "phase" if by_phase else "status"),
                snapshot.cards), strict=True):
            groups.setdefault(where, []).append(card)
        placed: dict[tuple[int, int], list[Card]] = {}
        for (lane_value, column_value), cards in groups.items():
            lane = lane_index[_lane_key(lane_value, lane_value, mode)]
            column = column_index[column_value.value]
            placed.setdefault((lane, column), []).extend(cards)

        # Folded counts come by owner, project and phase (thousands of rows on a big
        # board): summed by lane and phase first, then placed.
        by_lane: Counter[tuple[str | None, str]] = Counter()
        for owner, project, phase, count in snapshot.folded:
            by_lane[(owner if by_person else project, phase)] += count
        folded: Counter[tuple[int, int]] = Counter()
        for (lane_value, phase), count in by_lane.items():
            key = _lane_key(lane_value, lane_value, mode)
            if key not in lane_index:
                continue
            column = column_index[_column_key(phase, Status.DONE, column_mode)]
            folded[(lane_index[key], column)] += count

        self.lanes = tuple(lane_list)
        self.columns = column_list
        self.cells = {
            position: Cell(tuple(placed.get(position, ())), folded[position])
            for position in sorted(set(placed) | set(folded))
        }
        self._found: dict[tuple[str, ...], dict[tuple[int, int], tuple[Card, ...]]] = {
            (): {position: cell.cards for position, cell in self.cells.items() if cell.cards}
        }

    def matching(self, terms: tuple[str, ...]) -> dict[tuple[int, int], tuple[Card, ...]]:
        """The cards matching every term, by cell (cells left empty are left out)."""
        found = self._found.get(terms)
        if found is not None:
            return found
        wider = min((cells for earlier, cells in self._found.items()
                     if _narrows(terms, earlier)), key=_card_total)
        found = {}
        for position, cards in wider.items():
            kept = matching(cards, terms)
            if len(kept) == len(cards):
                found[position] = cards  # the same cell: the board reuses its layout
            elif kept:
                found[position] = kept
        if len(self._found) > self.KEPT:
            del self._found[next(key for key in self._found if key)]  # the oldest filter
        self._found[terms] = found
        return found


def _narrows(terms: tuple[str, ...], earlier: tuple[str, ...]) -> bool:
    """Whether every card matching ``terms`` matches ``earlier`` too: each earlier term
    is part of one of the new ones."""
    return all(any(old in new for new in terms) for old in earlier)


def _card_total(cells: dict[tuple[int, int], tuple[Card, ...]]) -> int:
    return sum(len(cards) for cards in cells.values())


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
    for (key, status), count in Counter(map(attrgetter(attribute, "status"), cards)).items():
        counts.setdefault(key, Counter())[status] += count
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
