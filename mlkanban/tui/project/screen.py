"""The project record: hypothesis and metric, plan against actual, deliverables, pivots
and outcome, with dialogs to change them.

Keys: ``p`` plan, ``d`` deliverable reached, ``v`` pivot, ``c`` close with the outcome,
``e`` hypothesis / metric / status, Escape or ``q`` back. Every change goes through the
service in a thread worker; a refusal shows as an error notification and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from mlkanban.domain.errors import MlkanbanError
from mlkanban.domain.phases import Phase
from mlkanban.history.weekly import Period, ProjectSection
from mlkanban.tui.project.checklist import DeliverableChecklist, day
from mlkanban.tui.project.close_dialog import CloseDialog, OutcomeForm
from mlkanban.tui.project.deliver_dialog import DeliverableForm, DeliverDialog
from mlkanban.tui.project.edit_dialog import EditDialog, ProjectEdit
from mlkanban.tui.project.phase_timeline import PhaseTimeline
from mlkanban.tui.project.pivot_dialog import PivotDialog
from mlkanban.tui.project.pivots import PivotTimeline
from mlkanban.tui.project.plan_bars import PlanBars
from mlkanban.tui.project.plan_dialog import PlanDialog
from mlkanban.tui.project.record import ProjectRecord, load_record
from mlkanban.tui.workspace import Workspace

if TYPE_CHECKING:
    from mlkanban.store.service import Service

Change = Callable[["Service"], object]
"""One write through the service."""

OUTCOME_MARKS = {"positive": "✓", "negative": "✗", "inconclusive": "?"}


class ProjectScreen(Screen[None]):
    """One project's record, read fresh from the database after every change.

    ``section`` (from the weekly review) adds that week's changes at the bottom.
    """

    CSS_PATH = "project.tcss"
    AUTO_FOCUS = "#project"
    BINDINGS = [
        Binding("p", "plan", "Plan", id="project.plan",
                tooltip="Edit the planned weeks per phase"),
        Binding("d", "deliver", "Deliverable", id="project.deliver",
                tooltip="Record a phase's deliverable as reached and shared"),
        Binding("v", "pivot", "Pivot", id="project.pivot",
                tooltip="Record a pivot: what failed and the new approach"),
        Binding("c", "close_project", "Close", id="project.close",
                tooltip="Close with the outcome (positive, negative, inconclusive) and why"),
        Binding("e", "edit", "Hypothesis", id="project.edit",
                tooltip="Edit the hypothesis, the success metric and the status"),
        Binding("escape,q", "back", "Back", id="project.back",
                tooltip="Back to where the project was opened from"),
    ]

    def __init__(self, workspace: Workspace | Service, project_key: str,
                 period: Period | None = None, *,
                 section: ProjectSection | None = None) -> None:
        super().__init__()
        self.workspace = Workspace.of(workspace)
        self.key = project_key.strip().upper()
        self.period = period
        self.section = section
        self.record: ProjectRecord | None = None

    def compose(self) -> ComposeResult:
        yield Label(self.key, id="project-title", markup=False)
        with VerticalScroll(id="project"):
            yield Static("Loading…", id="project-facts")
            yield Static("", id="project-outcome")
            yield Label("Plan against actual, weeks per phase", classes="section-title")
            yield PlanBars(id="project-plan")
            yield Label("Deliverables", classes="section-title")
            yield DeliverableChecklist(id="project-deliverables")
            yield Label("Pivots", classes="section-title")
            yield PivotTimeline(id="project-pivots")
            yield Label("Phase timeline (█ some task of the phase in progress, "
                        "◆ deliverable, ↻ pivot)", classes="section-title")
            yield PhaseTimeline(self.workspace.today(), id="project-timeline")
            if self.section is not None:
                label = self.period.label if self.period else "under review"
                yield Label(f"Week {label}", classes="section-title")
                yield Static(week_changes(self.section), id="project-week", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#project-outcome").display = False
        self.load()

    # ------------------------------------------------------------ data

    @work(thread=True, exclusive=True, group="project-load")
    def load(self) -> None:
        self._fetch()

    def _fetch(self) -> None:
        """Read the record (in a worker thread) and show it."""
        try:
            record = load_record(self.workspace, self.key)
        except MlkanbanError as exc:
            self.app.call_from_thread(self._missing, exc.message)
            return
        self.app.call_from_thread(self.show_record, record)

    def _missing(self, message: str) -> None:
        self.query_one("#project-title", Label).update(f"{self.key}  (not found)")
        self.query_one("#project-facts", Static).update(message)
        self.notify(message, severity="error")

    def show_record(self, record: ProjectRecord) -> None:
        self.record = record
        project = record.project
        self.query_one("#project-title", Label).update(f"{project.key}  {project.name}")
        self.query_one("#project-facts", Static).update(facts(record))
        outcome = self.query_one("#project-outcome", Static)
        outcome.display = bool(project.outcome)
        outcome.set_classes(f"-{project.outcome}" if project.outcome else "")
        if project.outcome:
            outcome.update(outcome_text(record))
        self.query_one("#project-plan", PlanBars).show(record.phases, record.current_phase)
        self.query_one("#project-deliverables", DeliverableChecklist).record = record
        self.query_one("#project-pivots", PivotTimeline).record = record
        milestones = [(d.reached_at.astimezone().date(), "◆")
                      for line in record.phases for d in line.deliverables]
        milestones += [(p.at.astimezone().date(), "↻") for p in record.pivots]
        self.query_one("#project-timeline", PhaseTimeline).show(
            list(record.timeline), record.as_of.astimezone().date(), milestones)

    # ------------------------------------------------------------ writes

    @work(thread=True, group="project-write")
    def save(self, done: str, change: Change) -> None:
        """Make one change through the service, say what happened, then read it back."""
        try:
            change(self.workspace.writer())
        except MlkanbanError as exc:
            self.app.call_from_thread(self.notify, exc.message, title="Not saved",
                                      severity="error")
            return
        self.app.call_from_thread(self.notify, done)
        self._fetch()

    def action_plan(self) -> None:
        record = self.record
        if record is None:
            return

        def chosen(plan: dict[Phase, float] | None) -> None:
            if plan is None:
                return
            changed = {phase: weeks for phase, weeks in plan.items()
                       if weeks != (record.line(phase).planned_weeks or 0)}
            if not changed:
                self.notify("The plan is unchanged.")
                return
            self.save(f"Plan of {self.key} saved",
                      lambda service: service.set_plan(self.key, changed))

        self.app.push_screen(PlanDialog(record), chosen)

    def action_deliver(self) -> None:
        if self.record is None:
            return

        def chosen(form: DeliverableForm | None) -> None:
            if form is not None:
                self.save(f"{form.phase.title} deliverable recorded: {form.title}",
                          lambda service: service.deliver(self.key, form.phase, form.title,
                                                          link=form.link))

        self.app.push_screen(DeliverDialog(self.record), chosen)

    def action_pivot(self) -> None:
        if self.record is None:
            return

        def chosen(text: str | None) -> None:
            if text is not None:
                self.save(f"Pivot recorded for {self.key}",
                          lambda service: service.pivot(self.key, text))

        self.app.push_screen(PivotDialog(), chosen)

    def action_close_project(self) -> None:
        if self.record is None:
            return

        def chosen(form: OutcomeForm | None) -> None:
            if form is not None:
                self.save(f"{self.key} closed: {form.outcome}",
                          lambda service: service.close_project(
                              self.key, form.outcome, form.why, drop_open=form.drop_open))

        self.app.push_screen(CloseDialog(self.record.open_tasks), chosen)

    def action_edit(self) -> None:
        if self.record is None:
            return

        def chosen(edit: ProjectEdit | None) -> None:
            if edit is not None:
                self.save(f"{self.key} updated",
                          lambda service: service.edit_project(
                              self.key, hypothesis=edit.hypothesis, metric=edit.metric,
                              status=edit.status))

        self.app.push_screen(EditDialog(self.record.project), chosen)

    def action_back(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------- text


def facts(record: ProjectRecord) -> Content:
    """Status, owner, where the work is, then the hypothesis and the success metric."""
    project = record.project
    phase = record.current_phase.title if record.current_phase else "-"
    head = Content.assemble(
        (f"● {project.status}", f"bold {_STATUS_STYLES.get(project.status, '')}"),
        ("   owner ", "$text-muted"), (project.owner or "nobody", "bold"),
        ("   now in ", "$text-muted"), (phase, "bold"),
        ("   tasks ", "$text-muted"), f"{record.open_tasks} open, {record.done_tasks} done",
    )
    rows = [head]
    for label, value, hint in (("hypothesis", project.hypothesis, "none stated (e edits it)"),
                               ("metric", project.metric, "none stated (e edits it)")):
        rows.append(Content.assemble(
            (f"{label:<12}", "$text-muted"),
            (value, "") if value else (hint, "$text-muted italic"),
        ))
    return Content("\n").join(rows)


def outcome_text(record: ProjectRecord) -> Content:
    project = record.project
    outcome = project.outcome or ""
    when = f"closed {day(record.closed_at)}" if record.closed_at else "closed"
    return Content.assemble(
        ("outcome     ", "$text-muted"),
        (f"{OUTCOME_MARKS.get(outcome, '')} {outcome}", "bold"), (f"   {when}\n", "$text-muted"),
        ("why         ", "$text-muted"), (project.outcome_why or "", ""),
    )


def week_changes(section: ProjectSection) -> str:
    """The week's done / started / moved / delivered / pivot lines of the weekly review."""
    week = [f"✓ done     {t.key}  {t.title}" for t in section.done]
    week += [f"▶ started  {t.key}  {t.title}" for t in section.started]
    week += [f"↔ moved    {m.key}  {_title(m.from_phase)} → {_title(m.to_phase)}"
             + (" (back)" if m.back else "") for m in section.moved]
    week += [f"◆ delivered  {_title(d.phase)}: {d.title}" for d in section.deliverables]
    week += [f"↻ pivot    {text}" for text in section.pivots]
    return "\n".join(week) or "No change."


def _title(value: str | None) -> str:
    try:
        return Phase(value).title if value else "-"
    except ValueError:
        return value or "-"


_STATUS_STYLES = {"active": "$success", "paused": "$warning", "shipped": "$primary",
                  "stopped": "$error"}


