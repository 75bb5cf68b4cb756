"""What the board's database workers report back to the screen (posted from threads)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from mlkanban.domain.rules import SPLIT
from mlkanban.store.board import Card, Snapshot
from mlkanban.store.changes import Change
from mlkanban.store.views import EventView, TaskView

if TYPE_CHECKING:  # the write side is imported after the board's first paint
    from mlkanban.store.service import Service

#: How the board words each remedy a refusal names (``MlkanbanError.remedy``).
REMEDIES = {SPLIT: "S on a card splits it"}

Write = Callable[["Service"], "Change | None"]
"""One change to make through the service; returns what it did."""


@dataclass
class BoardLoaded(Message):
    """A fresh snapshot of the board."""

    snapshot: Snapshot


@dataclass
class Settled(Message):
    """Work done in the background (cards indexed, modules imported) left objects that
    live as long as the board: time to set them aside from the garbage collector."""


@dataclass
class BoardStale(Message):
    """Someone (another terminal, a teammate) changed the database."""


@dataclass
class ChangeMade(Message):
    """A write succeeded: say what it did and show the board as it is now."""

    messages: list[str]
    notice: str = ""
    focus: str | None = None


@dataclass
class ChangeRefused(Message):
    """A write was refused; ``override`` retries it past the WIP limit with a reason."""

    message: str
    key: str | None = None
    override: Callable[[str], Write] | None = None


@dataclass
class HistoryLoaded(Message):
    """A card's history, read to show it."""

    card: Card
    events: list[EventView]



@dataclass
class ClosedLoaded(Message):
    """Every done and dropped task, to show in a list; the cursor goes to ``key``."""

    tasks: list[TaskView]
    key: str | None = None
