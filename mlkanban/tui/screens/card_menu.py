"""Everything that can be done to one card, as a list: the mouse's way to move cards
(right-click, or ``m``), and a keyboard user's reminder of what is possible."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from mlkanban.domain.phases import PHASES
from mlkanban.domain.statuses import TRANSITIONS, Status
from mlkanban.store.board import Card
from mlkanban.store.views import PersonView

STATUS_CHOICES = (
    (Status.IN_PROGRESS, "start", "Start"),
    (Status.WAITING, "wait", "Wait… (asks why)"),
    (Status.DONE, "done", "Done"),
    (Status.DROPPED, "drop", "Drop… (asks why)"),
    (Status.TODO, "reopen", "Back to to do"),
)


class CardMenuScreen(ModalScreen[str | None]):
    """Returns a choice such as ``"start"``, ``"phase:modeling"`` or ``"owner:bob"``."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel",
                        tooltip="Close without changing anything")]

    def __init__(self, card: Card, people: list[PersonView]) -> None:
        super().__init__(classes="dialog")
        self.card = card
        self.people = people

    def options(self) -> list[Option | None]:
        task = self.card.task
        allowed = TRANSITIONS[task.status]
        options: list[Option | None] = [
            Option("Details and history", id="open"),
            Option("Edit…", id="edit"),
        ]
        if task.status.is_open:
            options.append(Option("Split… (carve out a new task)", id="split"))
        options.append(None)
        options += [
            Option(label, id=choice) for status, choice, label in STATUS_CHOICES
            if status in allowed
        ]
        options.append(None)
        options += [
            Option(f"Move to {phase.title}", id=f"phase:{phase.value}")
            for phase in PHASES
            if phase is not task.phase
        ]
        options.append(None)
        options += [
            Option(f"Hand to {person.display} (@{person.handle})", id=f"owner:{person.handle}")
            for person in self.people
            if person.active and person.handle != task.owner
        ]
        if task.owner:
            options.append(Option("Unassign", id="owner:"))
        return options

    def compose(self) -> ComposeResult:
        task = self.card.task
        with Vertical(id="dialog", classes="card-menu"):
            yield Label(f"{task.key}  {task.title}", classes="dialog-title", markup=False)
            yield OptionList(*self.options(), id="choices")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
