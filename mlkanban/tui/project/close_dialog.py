"""Close the project with the outcome of Results Analysis, and why."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from mlkanban.domain.errors import BadInput
from mlkanban.store import validate
from mlkanban.store.project_records import OUTCOMES
from mlkanban.tui.project.dialog import FormDialog


@dataclass(frozen=True)
class OutcomeForm:
    outcome: str
    why: str


class CloseDialog(FormDialog[OutcomeForm]):
    """Outcome (positive, negative, inconclusive) and the why."""

    heading = "Close the project"
    explanation = ("A positive outcome ships the project; a negative or inconclusive one "
                   "stops it. When the result disappoints, say why you think it did.")
    confirm = "Close project"

    def fields(self) -> ComposeResult:
        yield Label("Outcome", classes="field-label")
        yield Select([(o, o) for o in OUTCOMES], prompt="choose the outcome", id="outcome")
        yield Label("Why", classes="field-label")
        yield Input(placeholder="what the results say, and why", id="why")

    def on_mount(self) -> None:
        self.query_one("#outcome", Select).focus()

    def collect(self) -> OutcomeForm:
        outcome = self.query_one("#outcome", Select).value
        if outcome is Select.NULL:
            raise BadInput("Choose the outcome: positive, negative or inconclusive.")
        why = validate.reason(self.query_one("#why", Input).value,
                              "why (the outcome's explanation)")
        return OutcomeForm(str(outcome), why)
