"""The new-task and edit-task dialog, with the board's rules checked as you type.

The dialog returns a ``TaskForm``; the board screen hands it to the service, which
checks everything again (the dialog's checks are for comfort, the service's for truth).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from mlkanban.domain import rules
from mlkanban.domain.errors import BadInput, MlkanbanError
from mlkanban.domain.phases import PHASES, Phase
from mlkanban.store import validate
from mlkanban.store.views import PersonView, ProjectView, TaskView
from mlkanban.tui.messages import REMEDIES

UNASSIGNED = "-"
FormResult = TypeVar("FormResult")


@dataclass(frozen=True)
class TaskForm:
    """What the dialog collected, already checked."""

    title: str
    project: str
    phase: Phase
    owner: str | None
    estimate: int | None
    description: str


def parse_estimate(text: str) -> int | None:
    """Working days from the estimate field; raises ``MlkanbanError`` with the rule's words
    (and its remedy, for the dialog to word)."""
    text = text.strip()
    if not text:
        return None
    try:
        days = int(text)
    except ValueError:
        raise BadInput(f"{text!r} is not a whole number of working days") from None
    verdict = rules.check_estimate(days)
    if not verdict.allowed:
        raise BadInput(verdict.message, remedy=verdict.remedy)
    return days


class CheckedForm(ModalScreen[FormResult | None]):
    """A dialog with a title and an estimate checked as you type, errors shown under
    their fields, ctrl+s to save and escape to cancel; subclasses compose the fields
    and ``collect`` them."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel",
                tooltip="Close without changing anything"),
        Binding("ctrl+s", "save", "Save", id="dialog.save", tooltip="Save the task"),
    ]
    remedies: dict[str, str] = REMEDIES
    """How this dialog words a refused estimate's way out."""

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def collect(self) -> FormResult | None:
        raise NotImplementedError

    def _show_error(self, field: str, message: str) -> None:
        label = self.query_one(f"#{field}-error", Label)
        label.update(message)
        label.display = bool(message)

    def _show_errors(self, errors: dict[str, str], fields: tuple[str, ...]) -> bool:
        """Show each field's error (or none); focus the first field in error."""
        for field in fields:
            self._show_error(field, errors.get(field, ""))
        if errors:
            self.query_one(f"#{next(iter(errors))}").focus()
        return bool(errors)

    @on(Input.Changed, "#estimate")
    def _check_estimate(self, event: Input.Changed) -> None:
        try:
            parse_estimate(event.value)
        except MlkanbanError as exc:
            self._show_error("estimate", exc.worded(self.remedies))
            event.input.add_class("-invalid")
        else:
            self._show_error("estimate", "")
            event.input.remove_class("-invalid")

    @on(Input.Changed, "#title")
    def _clear_title_error(self) -> None:
        self._show_error("title", "")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        form = self.collect()
        if form is not None:
            self.dismiss(form)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TaskFormScreen(CheckedForm[TaskForm]):
    """Create a task (``task`` is None) or edit one; None if cancelled."""

    def __init__(
        self,
        *,
        people: list[PersonView],
        projects: list[ProjectView],
        task: TaskView | None = None,
        project: str | None = None,
        phase: Phase | None = None,
        owner: str | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.people = people
        self.projects = projects
        self.editing = task
        self.initial_project = task.project if task else project
        self.initial_phase = task.phase if task else (phase or Phase.RESEARCH)
        self.initial_owner = task.owner if task else owner

    def compose(self) -> ComposeResult:
        task = self.editing
        title = f"Edit {task.key}" if task else "New task"
        # A task never changes project: editing offers its own only, so that the
        # field is still there (and Tab moves through the same fields as New).
        projects = [(f"{p.key}  {p.name}", p.key) for p in self.projects
                    if task is None or p.key == task.project]
        if task is not None and not projects:
            projects = [(task.project, task.project)]
        owners = [(f"{p.display} (@{p.handle})", p.handle) for p in self.people if p.active]
        if self.initial_owner and self.initial_owner not in {h for _, h in owners}:
            owners.append((f"@{self.initial_owner}", self.initial_owner))
        owners.append(("Unassigned", UNASSIGNED))
        with VerticalScroll(id="dialog", classes="task-form"):  # scrolls on a short terminal
            yield Label(title, classes="dialog-title")
            with Vertical(classes="form-fields"):
                yield Label("Title", classes="field-label")
                yield Input(task.title if task else "", placeholder="what is to be done",
                            id="title", select_on_focus=False)
                yield Label("", id="title-error", classes="field-error")
                with Horizontal(classes="field-row"):
                    with Vertical():
                        yield Label("Project", classes="field-label")
                        yield Select(projects, value=self.initial_project or Select.NULL,
                                     prompt="choose a project", id="project",
                                     allow_blank=task is None)
                        yield Label("", id="project-error", classes="field-error")
                    with Vertical():
                        yield Label("Phase", classes="field-label")
                        yield Select([(p.title, p.value) for p in PHASES],
                                     value=self.initial_phase.value, allow_blank=False,
                                     id="phase")
                with Horizontal(classes="field-row"):
                    with Vertical():
                        yield Label("Owner", classes="field-label")
                        yield Select(owners, value=self.initial_owner or UNASSIGNED,
                                     allow_blank=False, id="owner")
                    with Vertical():
                        yield Label("Estimate (working days, 1-5)", classes="field-label")
                        estimate = "" if not task or task.estimate is None else str(task.estimate)
                        yield Input(estimate, placeholder="unknown", id="estimate",
                                    select_on_focus=False)
                yield Label("", id="estimate-error", classes="field-error")
                yield Label("Description", classes="field-label")
                yield Input(task.description if task else "", placeholder="optional",
                            id="description", select_on_focus=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save", tooltip="ctrl+s")
                yield Button("Cancel", id="cancel")

    def collect(self) -> TaskForm | None:
        """The form's values, or None after showing what is wrong next to each field."""
        errors: dict[str, str] = {}
        values: dict = {}
        try:
            values["title"] = validate.title(self.query_one("#title", Input).value)
        except MlkanbanError as exc:
            errors["title"] = exc.message
        project = self.query_one("#project", Select).value
        if project is Select.NULL:
            errors["project"] = "Choose the project (the epic) this task belongs to."
        try:
            values["estimate"] = parse_estimate(self.query_one("#estimate", Input).value)
        except MlkanbanError as exc:
            errors["estimate"] = exc.worded(self.remedies)
        if self._show_errors(errors, ("title", "project", "estimate")):
            return None
        owner = self.query_one("#owner", Select).value
        return TaskForm(
            title=values["title"],
            project=str(project),
            phase=Phase(self.query_one("#phase", Select).value),
            owner=None if owner == UNASSIGNED else str(owner),
            estimate=values["estimate"],
            description=self.query_one("#description", Input).value.strip(),
        )
