"""The board's cards: a task as the board shows it, cheap to make by the ten thousand.

A board of a hundred thousand tasks shows ten thousand cards, and a screen shows a few
dozen of them. So a card read from a row keeps the row and what placing, ordering and
filtering need (key, title, owner, project, phase, status); the full ``TaskView`` (five
timestamps to parse), the age in working days and the size flag are worked out the
first time something asks for them, which is for the cards drawn on screen. The words
a filter searches are put together on the first filter, once per card.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store.queries import task_view
from mlkanban.store.views import AbTestView, TaskView

_UNSET = object()


class Card:
    """A task as the board shows it, with its age and size flag worked out on demand."""

    __slots__ = ("key", "title", "owner", "project", "phase", "status", "ab_test",
                 "_row", "_task", "_today", "_calendar", "_age", "_haystack")

    def __init__(self, *, key: str, title: str, owner: str | None, project: str,
                 phase: Phase, status: Status, today: date, calendar: WorkCalendar,
                 row: tuple | None = None, task: TaskView | None = None,
                 ab_test: str | None = None) -> None:
        self.key = key
        self.title = title
        self.owner = owner
        self.project = project
        self.phase = phase
        self.status = status
        self.ab_test = ab_test
        """"day N of M" while the task waits on its A/B test."""
        self._row = row
        self._task = task
        self._today = today
        self._calendar = calendar
        self._age: object = _UNSET
        self._haystack: str | None = None

    @property
    def task(self) -> TaskView:
        if self._task is None:
            self._task = task_view(self._row)
        return self._task

    @property
    def age(self) -> int | None:
        """Working days since the task was first started (None before it starts)."""
        if self._age is _UNSET:
            self._age = self.task.age(self._today, self._calendar)
        return self._age  # type: ignore[return-value]

    @property
    def over_size(self) -> bool:
        return self.task.over_size(self._today, self._calendar)

    @property
    def haystack(self) -> str:
        """What the filter searches: key, title, @owner, phase, status, reason, WIP
        override, Jira key and #labels, in lower case."""
        if self._haystack is None:
            if self._row is not None:
                row = self._row  # queries.TASK_COLUMNS
                reason, wip_override, jira_key, labels = row[7], row[8], row[15], row[16]
                labels = tuple(labels.split()) if labels else ()
            else:
                task = self.task
                reason, wip_override, jira_key = task.reason, task.wip_override, task.jira_key
                labels = task.labels
            self._haystack = _words(self.key, self.title, self.owner, self.phase, self.status,
                                    reason, wip_override, jira_key, labels)
        return self._haystack

    def matches(self, terms: Iterable[str]) -> bool:
        haystack = self.haystack
        return all(term in haystack for term in terms)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Card):
            return NotImplemented
        return (self.key == other.key and self.task == other.task and self.age == other.age
                and self.ab_test == other.ab_test)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Card({self.key!r}, {self.status.value}, {self.title!r})"


def matching(cards: tuple[Card, ...], terms: tuple[str, ...]) -> tuple[Card, ...]:
    """The cards whose words hold every term (``Card.matches``, in one tight loop: a
    filter keystroke runs it over every card on the board)."""
    if len(terms) == 1:
        term = terms[0]
        return tuple([card for card in cards if term in (card._haystack or card.haystack)])
    return tuple([card for card in cards
                  if all(term in (card._haystack or card.haystack) for term in terms)])


def _words(key: str, title: str, owner: str | None, phase: Phase, status: Status,
           reason: str | None, wip_override: str | None, jira_key: str | None,
           labels: tuple[str, ...]) -> str:
    return " ".join(
        part
        for part in (
            key,
            title,
            f"@{owner}" if owner else "@unassigned",
            phase.value,
            phase.title,
            status.label,
            reason or "",
            wip_override or "",
            jira_key or "",
            " ".join(f"#{label}" for label in labels),  # the filter's #label
        )
        if part
    ).lower()


def make_card(
    task: TaskView, today: date, calendar: WorkCalendar, ab_test: AbTestView | None = None
) -> Card:
    """The card of a task already read as a view."""
    return Card(key=task.key, title=task.title, owner=task.owner, project=task.project,
                phase=task.phase, status=task.status, today=today, calendar=calendar,
                task=task, ab_test=ab_test.progress(today) if ab_test is not None else None)


def row_card(row: tuple, today: date, calendar: WorkCalendar, phases: dict[str, Phase],
             statuses: dict[str, Status]) -> Card:
    """The card of a row of ``queries.TASK_COLUMNS``, its view left for later."""
    return Card(key=row[0], title=row[1], owner=row[4], project=row[2], phase=phases[row[3]],
                status=statuses[row[6]], today=today, calendar=calendar, row=row)


def row_cards(rows: Iterable[tuple], today: date, calendar: WorkCalendar,
              phases: dict[str, Phase], statuses: dict[str, Status]) -> list[Card]:
    """``row_card`` of every row, in one loop that fills the cards' slots directly: a
    big board makes ten thousand of them while Textual starts."""
    cards = []
    append = cards.append
    new = object.__new__
    for row in rows:
        card = new(Card)
        card.key = row[0]
        card.title = row[1]
        card.owner = row[4]
        card.project = row[2]
        card.phase = phases[row[3]]
        card.status = statuses[row[6]]
        card.ab_test = None
        card._row = row
        card._task = None
        card._today = today
        card._calendar = calendar
        card._age = _UNSET
        card._haystack = None
        append(card)
    return cards
