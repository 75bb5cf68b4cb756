"""Edit the plan: planned weeks for each phase (the Research phase's estimate)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label

from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import PHASES, Phase
from mlkanban.store import validate
from mlkanban.tui.project.dialog import FormDialog
from mlkanban.tui.project.record import ProjectRecord


def parse_weeks(text: str, phase: Phase) -> float:
    """Weeks typed for ``phase``: empty means not planned (0); 0 to 104 otherwise."""
    text = text.strip()
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise BadInput(f"{phase.title}: {text!r} is not a number of weeks") from None
    try:
        return validate.weeks(value, phase.title)
    except BadInput:
        raise BadInput(f"{phase.title}: planned weeks must be between 0 and 104, "
                       f"not {text}") from None


class PlanDialog(FormDialog[dict[Phase, float]]):
    """A field per phase, in weeks; returns the whole plan (0 for a phase not planned)."""

    heading = "Plan: weeks of effort per phase"
    explanation = ("Estimates of ML work run optimistic: double for each complicating "
                   "factor. 0 or empty: the phase is not planned.")
    live = True

    def __init__(self, record: ProjectRecord) -> None:
        super().__init__()
        self.record = record

    def fields(self) -> ComposeResult:
        for line in self.record.phases:
            planned = "" if line.planned_weeks is None else f"{line.planned_weeks:g}"
            with Horizontal(classes="plan-row"):
                yield Label(line.phase.title, classes="plan-phase")
                yield Input(planned, placeholder="-", id=f"plan-{line.phase.value}",
                            classes="plan-weeks")
                yield Label(f"weeks   spent so far {line.spent_weeks:g}",
                            classes="plan-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def collect(self) -> dict[Phase, float]:
        return read_plan(self)


def read_plan(form) -> dict[Phase, float]:
    """The weeks typed in a form's ``#plan-PHASE`` inputs; the first bad one is marked
    invalid and its error raised (the project form and the plan dialog share these)."""
    plan = {}
    for phase in PHASES:
        box = form.query_one(f"#plan-{phase.value}", Input)
        try:
            plan[phase] = parse_weeks(box.value, phase)
        except BadInput:
            box.add_class("-invalid")
            raise
        box.remove_class("-invalid")
    return plan
