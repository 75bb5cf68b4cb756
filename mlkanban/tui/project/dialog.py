"""What the project record's dialogs share: a title, fields, one line of error, Save and
Cancel. Each dialog returns a typed result, or None when cancelled (Escape)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from mlkanban.domain.errors import MlkanbanError

ResultT = TypeVar("ResultT")

HERE = Path(__file__).parent


class FormDialog(ModalScreen[ResultT | None], Generic[ResultT]):
    """Subclasses give ``fields()`` and ``collect()``; ``collect`` raises ``MlkanbanError``
    with the words to show when something is wrong."""

    CSS_PATH = [HERE.parent / "dialogs.tcss", HERE / "project.tcss"]
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel",
                tooltip="Close without changing anything"),
        Binding("ctrl+s", "save", "Save", id="dialog.save", tooltip="Check and save"),
    ]

    heading: ClassVar[str] = ""
    explanation: ClassVar[str] = ""
    confirm: ClassVar[str] = "Save"
    live: ClassVar[bool] = False
    """Check the fields on every keystroke (otherwise only on save)."""

    def __init__(self) -> None:
        super().__init__(classes="dialog project-dialog")

    def compose(self) -> ComposeResult:
        # The whole dialog scrolls on a short terminal, so the field being typed into
        # and the buttons are never out of reach.
        with VerticalScroll(id="dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            if self.explanation:
                yield Static(self.explanation, classes="dialog-explanation", markup=False)
            yield from self.fields()
            yield Label("", id="form-error", classes="field-error form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm, variant="primary", id="save", tooltip="ctrl+s")
                yield Button("Cancel", id="cancel", tooltip="escape")

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def collect(self) -> ResultT:
        raise NotImplementedError

    @property
    def error(self) -> str:
        """The error line as shown ("" when there is none)."""
        label = self.query_one("#form-error", Label)
        return str(label.content) if label.display else ""

    def show_error(self, message: str) -> None:
        label = self.query_one("#form-error", Label)
        label.update(message)
        label.display = bool(message)

    @on(Input.Changed)
    def _changed(self) -> None:
        if not self.live:
            self.show_error("")
            return
        try:
            self.collect()
        except MlkanbanError as exc:
            self.show_error(exc.message)
        else:
            self.show_error("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            result = self.collect()
        except MlkanbanError as exc:
            self.show_error(exc.message)
            return
        self.dismiss(result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
