"""One project: its phase timeline, its time per phase against plan, and its week."""

from __future__ import annotations

from datetime import date

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from mlkanban.domain.errors import NotFound
from mlkanban.domain.phases import Phase
from mlkanban.history.weekly import Period, ProjectSection, weekly_report
from mlkanban.tui.review.charts import PhasePlanChart
from mlkanban.tui.review.timeline import PhaseTimeline


class ProjectScreen(Screen[None]):
    """Given a project's section of a report, or loading it for ``period``."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="project.close", tooltip="Back to the review"),
    ]

    def __init__(self, service, key: str, period: Period | None = None, *,
                 section: ProjectSection | None = None, until: date | None = None) -> None:
        super().__init__()
        self.service = service
        self.key = key
        self.period = period or Period.week_of(service.today())
        self.section = section
        self.until = until or min(self.period.end, service.today())

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="project"):
            yield Label(self.key, id="project-title", markup=False)
            yield Static("", id="project-facts", markup=False)
            yield Label("Phase timeline (█ some task of the phase in progress)",
                        classes="section-title")
            yield PhaseTimeline(self.until, id="project-timeline")
            yield Label("Time per phase against plan", classes="section-title")
            yield DataTable(id="project-phases", show_cursor=False)
            yield PhasePlanChart(id="project-chart")
            yield Label(f"Week {self.period.label}", classes="section-title")
            yield Static("", id="project-week", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#project-phases", DataTable).add_columns(
            "phase", "plan (weeks)", "spent (weeks)", "open", "done")
        if self.section is not None:
            self.show_section(self.section)
        else:
            self.load()

    @work(thread=True, exclusive=True, group="project")
    def load(self) -> None:
        service = self.service
        with service.read() as conn:
            report = weekly_report(conn, self.period, now=service.now(),
                                   calendar=service.calendar)
        section = next((p for p in report.projects if p.key == self.key), None)
        if section is None:
            self.app.call_from_thread(
                self.notify, str(NotFound(f"no active project {self.key!r}")), severity="error")
            return
        self.app.call_from_thread(self.show_section, section)

    def show_section(self, section: ProjectSection) -> None:
        self.section = section
        self.query_one("#project-title", Label).update(f"{section.key}  {section.name}")
        facts = [f"status {section.status} · current phase {_title(section.current_phase)}"
                 + (f" · owner {section.owner}" if section.owner else "")]
        if section.hypothesis:
            facts.append(f"hypothesis  {section.hypothesis}")
        if section.metric:
            facts.append(f"metric      {section.metric}")
        if section.outcome:
            facts.append(f"outcome     {section.outcome}: {section.outcome_why}")
        if section.stalled_days:
            facts.append(f"stalled     no event since {section.last_event} "
                         f"({section.stalled_days} working days)")
        self.query_one("#project-facts", Static).update("\n".join(facts))
        self.query_one("#project-timeline", PhaseTimeline).show(section.timeline, self.until)
        table = self.query_one("#project-phases", DataTable)
        table.clear()
        for row in section.phases:
            planned = f"{row.planned_weeks:g}" if row.planned_weeks is not None else "-"
            table.add_row(row.title, planned, f"{row.actual_weeks:g}", str(row.open),
                          str(row.done))
        self.query_one("#project-chart", PhasePlanChart).show(
            "weeks per phase, plan vs spent", section.phases)
        week = [f"✓ done     {t.key}  {t.title}" for t in section.done]
        week += [f"▶ started  {t.key}  {t.title}" for t in section.started]
        week += [f"↔ moved    {m.key}  {_title(m.from_phase)} → {_title(m.to_phase)}"
                 + (" (back)" if m.back else "") for m in section.moved]
        week += [f"◆ delivered  {_title(d.phase)}: {d.title}" for d in section.deliverables]
        week += [f"↻ pivot    {text}" for text in section.pivots]
        self.query_one("#project-week", Static).update("\n".join(week) or "No change.")

    def action_close(self) -> None:
        self.dismiss(None)


def _title(value: str | None) -> str:
    try:
        return Phase(value).title if value else "-"
    except ValueError:
        return value or "-"
