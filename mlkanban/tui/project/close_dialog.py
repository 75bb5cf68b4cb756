"""Close the project with the outcome of Results Analysis, and why."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Label, Select

from mlkanban.domain.errors import BadInput
from mlkanban.store import validate
from mlkanban.store.project_records import OUTCOMES
from mlkanban.tui.project.dialog import FormDialog


@dataclass(frozen=True)
class OutcomeForm:
    outcome: str
    why: str
    drop_open: bool = False
    """Drop the project's open tasks with it (``close --drop-open``)."""


class CloseDialog(FormDialog[OutcomeForm]):
    """Outcome (positive, negative, inconclusive) and the why."""

    heading = "Close the project"
    explanation = ("A positive outcome ships the project; a negative or inconclusive one "
                   "stops it. When the result disappoints, say why you think it did.")
    confirm = "Close project"

    def __init__(self, open_tasks: int = 0) -> None:
        super().__init__()
        self.open_tasks = open_tasks

    def fields(self) -> ComposeResult:
        yield Label("Outcome", classes="field-label")
        yield Select([(o, o) for o in OUTCOMES], prompt="choose the outcome", id="outcome")
        yield Label("Why", classes="field-label")
        yield Input(placeholder="what the results say, and why", id="why")
        if self.open_tasks:
            yield Checkbox(f"Drop its {self.open_tasks} open task(s) with it (they stay in "
                           "the history)", id="drop-open")

    def on_mount(self) -> None:
        self.query_one("#outcome", Select).focus()

    def collect(self) -> OutcomeForm:
        outcome = self.query_one("#outcome", Select).value
        if outcome is Select.NULL:
            raise BadInput("Choose the outcome: positive, negative or inconclusive.")
        why = validate.reason(self.query_one("#why", Input).value,
                              "why (the outcome's explanation)")
        drop = bool(self.open_tasks) and self.query_one("#drop-open", Checkbox).value
        if self.open_tasks and not drop:
            raise BadInput(f"The project has {self.open_tasks} open task(s): finish or drop "
                           "them first, or tick the box to drop them with it.")
        return OutcomeForm(str(outcome), why, drop)
