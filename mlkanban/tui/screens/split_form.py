"""The split dialog: carve a new task out of one that is too big for the size limit.

The new task gets the same project, phase and owner (as ``mlkanban split``); the dialog
asks only what the new part is and how long it should take.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from mlkanban.domain import rules
from mlkanban.domain.errors import MlkanbanError
from mlkanban.store import validate
from mlkanban.store.views import TaskView
from mlkanban.tui.screens.task_form import CheckedForm, parse_estimate


@dataclass(frozen=True)
class Split:
    """The new task's title and estimate, already checked."""

    title: str
    estimate: int | None


class SplitFormScreen(CheckedForm[Split]):
    """Split ``task``: the new part's title and estimate; None if cancelled."""

    remedies = {rules.SPLIT: f"keep the new part to {rules.MAX_ESTIMATE_DAYS} days at most and "
                             "split again for the rest"}

    def __init__(self, task: TaskView) -> None:
        super().__init__(classes="dialog")
        self.splitting = task

    def compose(self) -> ComposeResult:
        task = self.splitting
        owner = f"@{task.owner}" if task.owner else "nobody yet"
        with VerticalScroll(id="dialog", classes="task-form"):  # scrolls on a short terminal
            yield Label(f"Split {task.key}", classes="dialog-title")
            yield Static(
                f"Carve a new task out of “{task.title}”: it goes to {task.project}, "
                f"{task.phase.title}, for {owner}. Edit this task afterwards if its own "
                "estimate should shrink.",
                classes="dialog-explanation", markup=False,
            )
            yield Label("Title of the new task", classes="field-label")
            yield Input("", placeholder="the part that becomes its own task", id="title")
            yield Label("", id="title-error", classes="field-error")
            yield Label("Estimate (working days, 1-5)", classes="field-label")
            yield Input("", placeholder="unknown", id="estimate")
            yield Label("", id="estimate-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Split", variant="primary", id="save", tooltip="ctrl+s")
                yield Button("Cancel", id="cancel")

    def collect(self) -> Split | None:
        """The new part, or None after showing what is wrong next to each field."""
        errors: dict[str, str] = {}
        title = estimate = None
        try:
            title = validate.title(self.query_one("#title", Input).value)
        except MlkanbanError as exc:
            errors["title"] = exc.message
        try:
            estimate = parse_estimate(self.query_one("#estimate", Input).value)
        except MlkanbanError as exc:
            errors["estimate"] = exc.worded(self.remedies)
        if self._show_errors(errors, ("title", "estimate")) or title is None:
            return None
        return Split(title, estimate)
