"""The project record screen on the demo team: what it shows, and that its dialogs
write through the service (checked in the database after the key presses)."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, Label, Select, Static

from mlkanban.domain.errors import RuleRefused
from mlkanban.domain.phases import Phase
from mlkanban.history.weekly import Period, weekly_report
from mlkanban.store.service import Service
from mlkanban.tui.project import ProjectScreen
from mlkanban.tui.project.close_dialog import CloseDialog
from mlkanban.tui.project.dialog import FormDialog
from mlkanban.tui.project.plan_bars import PlanBars
from mlkanban.tui.project.plan_dialog import PlanDialog
from mlkanban.tui.project.record import load_record
from tests.helpers import dump_db
from tests.tui.conftest import SIZE, still

R, D, M, P, A, S = Phase

#: CHURN's plan in the demo (weeks per phase).
CHURN_PLAN = {R: 1.0, D: 1.5, M: 2.0, P: 2.0, A: 2.0, S: 1.0}


class ProjectApp(App[None]):
    """Just the project screen, opened the way a card or the command palette opens it."""

    def __init__(self, service: Service, key: str) -> None:
        super().__init__()
        self.service = service
        self.key = key

    def on_mount(self) -> None:
        self.push_screen(ProjectScreen(self.service, self.key))


def kinds(service: Service, key: str = "CHURN") -> list[str]:
    return [e.kind for e in service.project_events(key)]


def error_line(app: App) -> str:
    screen = app.screen
    assert isinstance(screen, FormDialog), screen
    return screen.error


# ---------------------------------------------------------------- what it shows


def test_snapshot_project_record(snap_compare, demo_service):
    """CHURN on Mon 23 Nov 2026: title bar "CHURN  Churn prediction"; status active,
    owner aisha, now in Data Exploration, 4 open / 10 done tasks; the hypothesis and the
    metric; plan-against-spent bars for the six phases on one scale (Data Exploration
    1.5w planned, 3.4w spent with "+1.9w past plan" and the overrun in the error colour;
    Modeling 2w / 2.4w; the later phases planned but not started, "·"); the checklist
    with ✓ Research and ✓ Data Exploration (title, link, date) and ☐ for the other four
    with what is expected; the pivot timeline: added Fri 16 Oct, the ↻ pivot of Thu 19
    Nov by aisha wrapped under its own column, today; the footer with p d v c e keys."""
    assert snap_compare(ProjectApp(demo_service, "CHURN"), terminal_size=SIZE,
                        run_before=still)


def test_snapshot_plan_dialog_refuses_a_negative_value(snap_compare, demo_service):
    """p, then -1 for Research: the plan dialog over the screen, a field per phase with
    the current plan and the weeks spent so far, the Research field in red and one line
    of error: "Research: planned weeks must be between 0 and 104, not -1"."""

    async def run_before(pilot) -> None:
        await still(pilot)
        await pilot.press("p", "minus", "1")
        await still(pilot)

    assert snap_compare(ProjectApp(demo_service, "CHURN"), terminal_size=SIZE,
                        run_before=run_before)


def test_spent_weeks_agree_with_the_weekly_report(demo_service):
    record = load_record(demo_service, "churn")
    with demo_service.read() as conn:
        report = weekly_report(conn, Period.week_of(demo_service.today()),
                               now=demo_service.now(), calendar=demo_service.calendar)
    section = next(p for p in report.projects if p.key == "CHURN")
    assert {Phase(row.phase): row.actual_weeks for row in section.phases} == {
        line.phase: line.spent_weeks for line in record.phases}
    assert record.line(D).spent_weeks == 3.4
    assert record.line(D).over_plan and not record.line(R).over_plan
    assert record.current_phase is D
    assert [p.actor for p in record.pivots] == ["aisha"]
    assert [d.phase for line in record.phases for d in line.deliverables] == [R, D]


async def test_an_unknown_project_says_so(demo_service):
    app = ProjectApp(demo_service, "NOPE")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        assert "not found" in str(app.screen.query_one("#project-title", Label).content)
        assert [n.severity for n in app._notifications] == ["error"]


def test_every_key_can_be_remapped_and_explains_itself():
    bindings = {b.id: (b.key, b.tooltip) for b in ProjectScreen.BINDINGS}
    assert {i: k for i, (k, _) in bindings.items()} == {
        "project.plan": "p", "project.deliver": "d", "project.pivot": "v",
        "project.close": "c", "project.edit": "e", "project.back": "escape,q"}
    assert all(tooltip for _, tooltip in bindings.values())


# ---------------------------------------------------------------- the plan


async def test_editing_the_plan_writes_it_to_the_database(demo_service):
    app = ProjectApp(demo_service, "CHURN")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        await pilot.press("p")
        await still(pilot)
        assert isinstance(app.screen, PlanDialog)
        # Focus starts on Research with its value selected; tab selects the next one.
        await pilot.press("2", "tab", "2", "full_stop", "5", "tab", "tab", "tab", "tab",
                          "backspace", "enter")
        await still(pilot)
        assert isinstance(app.screen, ProjectScreen)
        plan = demo_service.require_project("CHURN").plan
        assert plan == {R: 2.0, D: 2.5, M: 2.0, P: 2.0, A: 2.0}  # Results Analysis emptied
        changes = [(e.field, e.old, e.new) for e in demo_service.project_events("CHURN")
                   if e.kind == "plan_set" and e.actor == "priya"]
        assert changes == [("research", "1.0", "2.0"), ("data-exploration", "1.5", "2.5"),
                           ("results-analysis", "1.0", "0.0")]
        bars = app.screen.query_one(PlanBars)
        assert [line.planned_weeks for line in bars.lines] == [2.0, 2.5, 2.0, 2.0, 2.0, None]


async def test_a_bad_plan_value_shows_the_error_and_writes_nothing(demo_service, tmp_path):
    before = dump_db(tmp_path / "demo.db")
    app = ProjectApp(demo_service, "CHURN")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        await pilot.press("p", "minus", "1")
        await still(pilot)
        assert error_line(app) == "Research: planned weeks must be between 0 and 104, not -1"
        await pilot.press("enter")  # refused: the dialog stays
        await still(pilot)
        assert isinstance(app.screen, PlanDialog)
        assert app.screen.query_one("#plan-research", Input).has_class("-invalid")
        await pilot.press("tab", *"abc", "enter")
        await still(pilot)
        assert isinstance(app.screen, PlanDialog)
        # Research is still wrong, and it is the first field: its error is the one shown.
        assert error_line(app).startswith("Research:")
        await pilot.press("shift+tab", "1", "enter")
        await still(pilot)
        assert error_line(app) == "Data Exploration: 'abc' is not a number of weeks"
        await pilot.press("escape")
        await still(pilot)
        assert isinstance(app.screen, ProjectScreen)
    assert dump_db(tmp_path / "demo.db") == before
    assert demo_service.require_project("CHURN").plan == CHURN_PLAN


async def test_an_unchanged_plan_writes_nothing(demo_service, tmp_path):
    before = dump_db(tmp_path / "demo.db")
    app = ProjectApp(demo_service, "CHURN")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        await pilot.press("p", "enter")
        await still(pilot)
        assert isinstance(app.screen, ProjectScreen)
        assert [n.message for n in app._notifications] == ["The plan is unchanged."]
    assert dump_db(tmp_path / "demo.db") == before


# ---------------------------------------------------------------- deliverables, pivots, close


async def test_adding_a_deliverable_writes_its_event(demo_service):
    app = ProjectApp(demo_service, "CHURN")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        await pilot.press("d")
        await still(pilot)
        assert app.screen.query_one("#phase", Select).value == D.value  # the current phase
        await pilot.press("enter")  # no title yet
        await still(pilot)
        assert error_line(app) == "the deliverable title cannot be empty"
        await pilot.press(*"Leakage audit report", "tab", *"notebooks/churn/02_leakage.ipynb",
                          "enter")
        await still(pilot)
        assert isinstance(app.screen, ProjectScreen)
        shown = app.screen.query_one("#project-deliverables").render()
        assert "Leakage audit report  notebooks/churn/02_leakage.ipynb  Mon 23 Nov 2026" in str(
            shown)
    items = demo_service.deliverables("CHURN")
    assert (items[-1].phase, items[-1].title, items[-1].link) == (
        D, "Leakage audit report", "notebooks/churn/02_leakage.ipynb")
    event = [e for e in demo_service.project_events("CHURN") if e.kind == "delivered"][-1]
    assert (event.actor, event.field, event.new, event.at) == (
        "priya", "data-exploration", "Leakage audit report", demo_service.now())


async def test_recording_a_pivot_and_escape_cancelling_one(demo_service):
    app = ProjectApp(demo_service, "CHURN")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        await pilot.press("v", *"never mind", "escape")
        await still(pilot)
        assert kinds(demo_service).count("pivot") == 1
        await pilot.press("v", *"Uplift model instead of a churn score", "enter")
        await still(pilot)
        assert "Uplift model instead" in str(app.screen.query_one("#project-pivots").render())
    pivots = [e for e in demo_service.project_events("CHURN") if e.kind == "pivot"]
    assert [(e.actor, e.new) for e in pivots[1:]] == [
        ("priya", "Uplift model instead of a churn score")]


async def test_closing_with_an_outcome_writes_its_events(demo_service):
    app = ProjectApp(demo_service, "CHURN")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        await pilot.press("c")
        await still(pilot)
        assert isinstance(app.screen, CloseDialog)
        await pilot.press("tab", *"the label leaked", "enter")
        await still(pilot)
        assert error_line(app) == "Choose the outcome: positive, negative or inconclusive."
        await pilot.press("shift+tab", "enter", "down", "down", "enter", "tab", "enter")
        await still(pilot)
        assert error_line(app).startswith("The project has 4 open task(s)")
        await pilot.press("tab", "space", "ctrl+s")  # drop them with it
        await still(pilot)
        assert isinstance(app.screen, ProjectScreen)
        outcome = app.screen.query_one("#project-outcome", Static)
        assert outcome.display and outcome.has_class("-negative")
        assert "the label leaked" in str(outcome.render())
    project = demo_service.require_project("CHURN")
    assert (project.outcome, project.outcome_why, project.status) == (
        "negative", "the label leaked", "stopped")
    assert kinds(demo_service)[-2:] == ["closed", "project_edited"]


async def test_editing_the_hypothesis(demo_service):
    app = ProjectApp(demo_service, "SEARCH")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        await pilot.press("e", "enter")  # nothing changed: refused in the dialog
        await still(pilot)
        assert error_line(app) == "Nothing changed."
        await pilot.press(*"A learned ranker lifts conversion", "tab", *"conversion", "enter")
        await still(pilot)
        assert isinstance(app.screen, ProjectScreen)
        assert "A learned ranker lifts conversion" in str(
            app.screen.query_one("#project-facts", Static).render())
    project = demo_service.require_project("SEARCH")
    assert (project.hypothesis, project.metric) == ("A learned ranker lifts conversion",
                                                    "conversion")
    edits = [(e.field, e.new) for e in demo_service.project_events("SEARCH")
             if e.kind == "project_edited"]
    assert edits == [("hypothesis", "A learned ranker lifts conversion"),
                     ("metric", "conversion")]


async def test_a_refused_write_is_an_error_notification(demo_service, monkeypatch):
    def refuse(key, text, **kw):
        raise RuleRefused(f"{key} is closed; reopen it first")

    monkeypatch.setattr(demo_service, "pivot", refuse)
    app = ProjectApp(demo_service, "CHURN")
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        await pilot.press("v", *"try again", "enter")
        await still(pilot)
        assert isinstance(app.screen, ProjectScreen)
        assert [(n.severity, n.message) for n in app._notifications] == [
            ("error", "CHURN is closed; reopen it first")]
    assert kinds(demo_service).count("pivot") == 1


async def test_opened_from_the_review_it_adds_the_weeks_changes(demo_service):
    period = Period.parse_week("2026-W47")
    with demo_service.read() as conn:
        report = weekly_report(conn, period, now=demo_service.now(),
                               calendar=demo_service.calendar)
    section = next(p for p in report.projects if p.key == "CHURN")

    class ReviewedApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ProjectScreen(demo_service, "CHURN", period, section=section))

    app = ReviewedApp()
    async with app.run_test(size=SIZE) as pilot:
        await still(pilot)
        week = str(app.screen.query_one("#project-week", Static).render())
        assert "↻ pivot    Back to Data Exploration" in week
        assert "(back)" in week  # the audit task moved back from Modeling
