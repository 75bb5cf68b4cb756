"""Record a deliverable: what a phase handed to stakeholders, and where it is."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from mlkanban.domain.phases import Phase
from mlkanban.store import validate
from mlkanban.tui.project.dialog import FormDialog
from mlkanban.tui.project.record import ProjectRecord


@dataclass(frozen=True)
class DeliverableForm:
    phase: Phase
    title: str
    link: str | None


class DeliverDialog(FormDialog[DeliverableForm]):
    """Phase (the current one first), title and an optional link or path."""

    heading = "Deliverable reached"
    confirm = "Record"

    def __init__(self, record: ProjectRecord) -> None:
        super().__init__()
        self.record = record

    def fields(self) -> ComposeResult:
        phase = self.record.current_phase or Phase.RESEARCH
        yield Label("Phase", classes="field-label")
        yield Select([(line.phase.title, line.phase.value) for line in self.record.phases],
                     value=phase.value, allow_blank=False, id="phase")
        yield Label("Title", classes="field-label")
        yield Input(placeholder=phase.info.deliverable, id="title")
        yield Label("Link or path (optional)", classes="field-label")
        yield Input(placeholder="a notebook, a PR, a report", id="link")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def collect(self) -> DeliverableForm:
        title = validate.title(self.query_one("#title", Input).value, "deliverable title")
        link = validate.text(self.query_one("#link", Input).value, "link") or None
        return DeliverableForm(Phase(self.query_one("#phase", Select).value), title, link)
