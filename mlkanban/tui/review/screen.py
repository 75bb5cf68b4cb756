"""The weekly review screen: a lead's fifteen minutes, week by week.

Keys: ``[``/``←`` the previous week, ``]``/``→`` the next one (never past this week),
``1``-``3`` the tabs, Enter on a project opens its phase timeline, Escape goes back.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label, Markdown, TabbedContent, TabPane

from mlkanban.history.weekly import Period, WeeklyReport, weekly_report
from mlkanban.io.markdown_report import render_markdown
from mlkanban.tui.project import ProjectScreen
from mlkanban.tui.review.charts import FlowChart, PhasePlanChart, ThroughputChart
from mlkanban.tui.review.stacked import stack_tables
from mlkanban.tui.widgets.key_bar import KeyBar
from mlkanban.tui.workspace import Workspace

NARROW = 130
"""Below this many columns, tables are stacked and the project tab is one column."""


class ReviewScreen(Screen[None]):
    """The same content as ``mlkanban report``, for one week at a time."""

    CSS_PATH = "review.tcss"
    AUTO_FOCUS = "#review-scroll"
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="review.close", tooltip="Back to the board"),
        Binding("left_square_bracket,left", "week(-1)", "Previous week", id="review.previous",
                tooltip="Show the week before"),
        Binding("right_square_bracket,right", "week(1)", "Next week", id="review.next",
                tooltip="Show the week after (up to this week)"),
        Binding("1", "tab('report')", "Report", id="review.report", tooltip="The report"),
        Binding("2", "tab('flow')", "Flow", id="review.flow",
                tooltip="Cumulative flow and throughput"),
        Binding("3", "tab('projects')", "Projects", id="review.projects",
                tooltip="Time per phase against plan"),
    ]

    def __init__(self, workspace, period: Period | None = None) -> None:
        """``workspace``: the board's ``Workspace`` (or a service)."""
        super().__init__()
        self.workspace = Workspace.of(workspace)
        self.period = period or Period.week_of(self.workspace.today())
        self.report: WeeklyReport | None = None
        self._text = ""

    def compose(self) -> ComposeResult:
        yield Label("Loading the week…", id="review-title", markup=False)
        with TabbedContent(initial="report", id="review-tabs"):
            with TabPane("Report", id="report"), VerticalScroll(id="review-scroll"):
                yield Markdown(id="review-markdown")
            with TabPane("Flow", id="flow"), Vertical():
                yield FlowChart(id="flow-chart")
                yield ThroughputChart(id="throughput-chart")
            with TabPane("Projects", id="projects"), Horizontal():
                yield DataTable(id="project-table", cursor_type="row", zebra_stripes=True)
                yield PhasePlanChart(id="phase-chart")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#project-table", DataTable)
        table.add_columns("project", "phase now", "plan w", "spent w", "done", "flag")
        self._fit(self.size.width)
        self.load(self.period)

    def _fit(self, width: int) -> None:
        """Narrow terminals stack what sits side by side on wide ones."""
        narrow = width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            if self.report is not None:
                self._show_title()
                self._show_markdown()

    def on_resize(self, event) -> None:
        self._fit(event.size.width)

    # ------------------------------------------------------------ data

    def load(self, period: Period) -> None:
        """Read ``period`` in a worker; the tabs show a loading indicator meanwhile."""
        self.query_one("#review-tabs", TabbedContent).loading = True
        self._load(period)

    @work(thread=True, exclusive=True, group="review")
    def _load(self, period: Period) -> None:
        workspace = self.workspace
        with workspace.read() as conn:
            report = weekly_report(conn, period, now=workspace.now(),
                                   calendar=workspace.calendar)
        text = render_markdown(report, charts=False)
        self.app.call_from_thread(self.show_report, period, report, text)

    def show_report(self, period: Period, report: WeeklyReport, text: str) -> None:
        self.period = period
        self.report = report
        self._show_title()
        # The report's own heading is already the screen's title.
        self._text = text.split("\n", 2)[2]
        self._show_markdown()
        self.query_one("#flow-chart", FlowChart).show(report.flow)
        self.query_one("#throughput-chart", ThroughputChart).show(report.throughput)
        table = self.query_one("#project-table", DataTable)
        table.clear()
        for section in report.projects:
            plan = sum(row.planned_weeks or 0 for row in section.phases)
            spent = sum(row.actual_weeks for row in section.phases)
            flag = f"stalled {section.stalled_days}d" if section.stalled_days else ""
            current = _phase_title(section.current_phase)
            table.add_row(section.key, current, f"{plan:g}", f"{spent:.1f}",
                          str(len(section.done)), flag, key=section.key)
        self._chart_project(0)
        self.query_one("#review-tabs", TabbedContent).loading = False

    def _show_title(self) -> None:
        assert self.report is not None
        as_of = self.report.as_of.astimezone()
        when = "" if self.has_class("-narrow") else f"   (as of {as_of:%a %d %b %H:%M})"
        self.query_one("#review-title", Label).update(
            f"{self.report.title}{when}   [ ] change week")

    def _show_markdown(self) -> None:
        narrow = self.has_class("-narrow")
        self.run_worker(self._show_text(stack_tables(self._text) if narrow else self._text,
                                     balance=not narrow),
                        group="markdown", exclusive=True)

    async def _show_text(self, text: str, *, balance: bool) -> None:
        markdown = self.query_one("#review-markdown", Markdown)
        await markdown.update(text)
        if balance:
            balance_tables(markdown)

    def _chart_project(self, row: int) -> None:
        if self.report is None or not self.report.projects:
            self.query_one("#phase-chart", PhasePlanChart).show("No active projects", [])
            return
        section = self.report.projects[min(row, len(self.report.projects) - 1)]
        self.query_one("#phase-chart", PhasePlanChart).show(
            f"{section.key}: weeks per phase, plan vs spent", section.phases
        )

    @on(DataTable.RowHighlighted, "#project-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._chart_project(event.cursor_row)

    @on(DataTable.RowSelected, "#project-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if self.report is None:
            return
        section = next(p for p in self.report.projects if p.key == event.row_key.value)
        self.app.push_screen(ProjectScreen(self.workspace, section.key, self.period,
                                           section=section))

    # ------------------------------------------------------------ actions

    def action_week(self, step: int) -> None:
        target = self.period.next() if step > 0 else self.period.previous()
        if target.start > self.workspace.today():
            self.notify("This is the current week; there is no later one yet.",
                        severity="warning")
            return
        self.load(target)

    def action_tab(self, tab: str) -> None:
        self.query_one("#review-tabs", TabbedContent).active = tab
        self.query_one(_FOCUS[tab]).focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _phase_title(value: str | None) -> str:
    from mlkanban.domain.phases import Phase

    return Phase(value).title if value else "-"


#: What takes the focus when a tab is chosen by its number key.
_FOCUS = {"report": "#review-scroll", "flow": "#review-tabs Tabs", "projects": "#project-table"}


SHORT = 16
"""A column whose longest cell is this short is never squeezed."""


def balance_tables(markdown: Markdown) -> None:
    """Give each table column room in proportion to its longest cell, capped, so that
    no column takes all the spare width while another wraps over many lines."""
    from textual.widgets._markdown import MarkdownTableContent

    for table in markdown.query(MarkdownTableContent):
        columns = len(table.headers)
        longest = [len(header.plain) for header in table.headers]
        for row in table.rows:
            for i, cell in enumerate(row[:columns]):
                longest[i] = max(longest[i], len(cell.plain))
        # Short columns (an age, a phase) keep their width; long ones share the rest.
        table.styles.grid_columns = " ".join(
            "auto" if n <= SHORT else f"{min(n, 40)}fr" for n in longest)
