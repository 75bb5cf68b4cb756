"""Record a pivot: what failed, and the new approach."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input

from mlkanban.store import validate
from mlkanban.tui.project.dialog import FormDialog


class PivotDialog(FormDialog[str]):
    """One line of text, kept as a dated event on the project's timeline."""

    heading = "Pivot"
    explanation = "What did not work, and what the project does instead."
    confirm = "Record"

    def fields(self) -> ComposeResult:
        yield Input(placeholder="e.g. the label leaks; back to Data Exploration", id="text")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def collect(self) -> str:
        return validate.reason(self.query_one("#text", Input).value, "pivot description")
