"""Add a project (an epic) or change its record, plan included, from the board.

One dialog holds what ``mlkanban project add`` takes: key, name, owner, hypothesis,
success metric and the planned weeks per phase (the Research deliverable). The same
checks and messages as the command line; the service checks again when the board saves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Input, Label, Select

from mlkanban.domain.phases import PHASES, Phase
from mlkanban.store import validate
from mlkanban.store.views import PersonView, ProjectView
from mlkanban.tui.project.dialog import FormDialog
from mlkanban.tui.project.plan_dialog import read_plan

NO_OWNER = "-"


@dataclass(frozen=True)
class ProjectForm:
    """What the project dialog returns."""

    key: str
    name: str
    owner: str | None
    hypothesis: str
    metric: str
    plan: dict[Phase, float] = field(default_factory=dict)
    """Weeks per phase; 0 for a phase not planned."""


class ProjectFormScreen(FormDialog[ProjectForm]):
    """A new project (``project`` is None) or an existing one's record and plan."""

    def __init__(self, people: list[PersonView], project: ProjectView | None = None,
                 owner: str | None = None) -> None:
        super().__init__()
        self.people = people
        self.project = project
        self.initial_owner = project.owner if project else owner
        self.heading = f"Edit project {project.key}" if project else "Add a project"
        self.explanation = (
            "A project is an epic: a hypothesis to test, split into tasks of at most a "
            "week. The plan is weeks of effort per phase (empty: not planned)."
        )

    def fields(self) -> ComposeResult:
        project = self.project
        owners = [(f"{p.display} (@{p.handle})", p.handle) for p in self.people if p.active]
        if self.initial_owner and self.initial_owner not in {h for _, h in owners}:
            owners.append((f"@{self.initial_owner}", self.initial_owner))
        owners.append(("No owner", NO_OWNER))
        with Horizontal(classes="field-row"):
            with Vertical(classes="project-key"):
                yield Label("Key (e.g. CHURN)", classes="field-label")
                yield Input(project.key if project else "", id="key", placeholder="CHURN",
                            disabled=project is not None)
            with Vertical():
                yield Label("Name", classes="field-label")
                yield Input(project.name if project else "", id="name",
                            placeholder="Churn prediction")
        yield Label("Owner", classes="field-label")
        yield Select(owners, value=self.initial_owner or NO_OWNER, allow_blank=False,
                     id="owner")
        yield Label("Hypothesis", classes="field-label")
        yield Input(project.hypothesis if project else "", id="hypothesis",
                    placeholder="what the project expects to be true")
        yield Label("Success metric", classes="field-label")
        yield Input(project.metric if project else "", id="metric",
                    placeholder="how success is measured")
        yield Label("Plan: weeks per phase", classes="field-label")
        plan = project.plan if project else {}
        with Grid(classes="plan-grid"):
            for phase in PHASES:
                weeks = plan.get(phase)
                yield Label(phase.info.short, classes="plan-phase")
                yield Input("" if weeks is None else f"{weeks:g}", placeholder="-",
                            id=f"plan-{phase.value}", compact=True, classes="plan-weeks")

    def on_mount(self) -> None:
        self.query_one("#name" if self.project else "#key", Input).focus()

    def collect(self) -> ProjectForm:
        key = validate.project_key(self.query_one("#key", Input).value)
        name = validate.title(self.query_one("#name", Input).value, "project name")
        plan = read_plan(self)
        owner = self.query_one("#owner", Select).value
        return ProjectForm(
            key=key,
            name=name,
            owner=None if owner in (NO_OWNER, Select.NULL) else str(owner),
            hypothesis=validate.text(self.query_one("#hypothesis", Input).value, "hypothesis"),
            metric=validate.text(self.query_one("#metric", Input).value, "metric"),
            plan=plan,
        )
