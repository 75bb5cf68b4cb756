"""Edit what the project sets out to show: hypothesis, success metric and status."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from mlkanban.domain.errors import BadInput
from mlkanban.store import validate
from mlkanban.store.project_records import PROJECT_STATUSES
from mlkanban.store.views import ProjectView
from mlkanban.tui.project.dialog import FormDialog


@dataclass(frozen=True)
class ProjectEdit:
    """Only the fields that changed; None for the others."""

    hypothesis: str | None = None
    metric: str | None = None
    status: str | None = None


class EditDialog(FormDialog[ProjectEdit]):
    heading = "Hypothesis and success metric"
    explanation = "State what the project expects to be true, and how success is measured."

    def __init__(self, project: ProjectView) -> None:
        super().__init__()
        self.project = project

    def fields(self) -> ComposeResult:
        yield Label("Hypothesis", classes="field-label")
        yield Input(self.project.hypothesis, placeholder="what the project expects to be true",
                    id="hypothesis")
        yield Label("Success metric", classes="field-label")
        yield Input(self.project.metric, placeholder="how success is measured", id="metric")
        yield Label("Status", classes="field-label")
        yield Select([(s, s) for s in PROJECT_STATUSES], value=self.project.status,
                     allow_blank=False, id="status")

    def on_mount(self) -> None:
        self.query_one("#hypothesis", Input).focus()

    def collect(self) -> ProjectEdit:
        hypothesis = validate.text(self.query_one("#hypothesis", Input).value, "hypothesis")
        metric = validate.text(self.query_one("#metric", Input).value, "metric")
        status = str(self.query_one("#status", Select).value)
        edit = ProjectEdit(
            hypothesis if hypothesis != self.project.hypothesis else None,
            metric if metric != self.project.metric else None,
            status if status != self.project.status else None,
        )
        if edit == ProjectEdit():
            raise BadInput("Nothing changed.")
        return edit
