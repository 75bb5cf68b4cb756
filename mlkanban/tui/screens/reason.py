"""Small dialogs: a reason (wait, drop, WIP override) and a yes/no confirmation."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class ReasonScreen(ModalScreen[str | None]):
    """Ask why (a task waits, is dropped, or starts past the WIP limit); None if cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel",
                        tooltip="Close without changing anything")]

    def __init__(
        self,
        title: str,
        explanation: str = "",
        *,
        placeholder: str = "reason",
        confirm: str = "OK",
        variant: str = "primary",
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.explanation = explanation
        self.placeholder = placeholder
        self.confirm = confirm
        self.variant = variant

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.explanation:
                yield Static(self.explanation, classes="dialog-explanation", markup=False)
            yield Input(placeholder=self.placeholder, id="reason")
            yield Label("", id="reason-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm, variant=self.variant, id="ok")  # type: ignore[arg-type]
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            error = self.query_one("#reason-error", Label)
            error.update("A reason is needed: it is kept in the history and shown on the card.")
            error.display = True
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; Escape means no."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="dialog.no", tooltip="Answer no"),
        Binding("y", "answer(True)", "Yes", id="dialog.yes", tooltip="Answer yes"),
    ]

    def __init__(self, question: str, *, yes: str = "Yes") -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, classes="dialog-explanation", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button("No", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
