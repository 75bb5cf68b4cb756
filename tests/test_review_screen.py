"""The weekly review screen and the project screen, on the demo team (fixed clock)."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from textual.widgets import DataTable, Label, TabbedContent

from mlkanban.demo import create_demo_database
from mlkanban.domain.clock import FixedClock
from mlkanban.history.weekly import Period
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from mlkanban.tui.project.plan_bars import PlanBars
from mlkanban.tui.review import ProjectScreen, ReviewScreen
from tests.conftest import NOW

SIZE = (160, 45)


@pytest.fixture(scope="module")
def demo_service(tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "demo.db"
    create_demo_database(path, now=NOW)
    engine = make_engine(str(path))
    yield Service(engine, actor="viewer", clock=FixedClock(NOW))
    engine.dispose()


class ReviewApp(App):
    """Just enough app to show the review screen for one week."""

    def __init__(self, service: Service, week: str | None) -> None:
        super().__init__()
        self.service = service
        self.week = week

    def on_mount(self) -> None:
        period = Period.parse_week(self.week) if self.week else None
        self.push_screen(ReviewScreen(self.service, period))


def title(app: App) -> str:
    return str(app.screen.query_one("#review-title", Label).content)


def loaded(app: App) -> bool:
    screen = app.screen
    return (isinstance(screen, ReviewScreen) and screen.report is not None
            and not screen.query_one(TabbedContent).loading)


async def until(pilot, condition, what: str) -> None:
    """Let the app work until ``condition()`` holds: wait for the screen's state, never
    for a length of time (a busy machine only makes this take longer)."""
    for _ in range(500):
        await pilot.pause()
        if condition():
            await pilot.pause()
            return
        await pilot.app.workers.wait_for_complete()
    raise AssertionError(f"never happened: {what}")


async def settle(pilot) -> None:
    """Wait until the week on screen is loaded (the title names it, no indicator)."""
    await until(pilot, lambda: loaded(pilot.app), "the week loaded")


async def week_shown(pilot, prefix: str) -> None:
    await until(pilot, lambda: loaded(pilot.app) and title(pilot.app).startswith(prefix),
                f"the title starting {prefix!r}")


def test_keys_move_between_weeks_but_not_into_the_future(demo_service):
    asyncio.run(_keys_move_between_weeks_but_not_into_the_future(demo_service))


async def _keys_move_between_weeks_but_not_into_the_future(demo_service):
    app = ReviewApp(demo_service, None)
    async with app.run_test(size=SIZE) as pilot:
        await week_shown(pilot, "Week 2026-W48: Mon 23 Nov")
        await pilot.press("left_square_bracket")
        await week_shown(pilot, "Week 2026-W47: Mon 16 Nov")
        await pilot.press("left")
        await week_shown(pilot, "Week 2026-W46")
        await pilot.press("right_square_bracket")
        await week_shown(pilot, "Week 2026-W47")
        await pilot.press("right")
        await week_shown(pilot, "Week 2026-W48")
        await pilot.press("right")
        await until(pilot, lambda: any("no later one" in n.message
                                       for n in app._notifications), "the refusal")
        assert title(app).startswith("Week 2026-W48")
        assert app.screen.period.start.isoformat() == "2026-11-23"


def test_enter_on_a_project_opens_its_timeline_and_escape_comes_back(demo_service):
    asyncio.run(_enter_on_a_project_opens_its_timeline_and_escape_comes_back(demo_service))


async def _enter_on_a_project_opens_its_timeline_and_escape_comes_back(demo_service):
    app = ReviewApp(demo_service, "2026-W47")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        assert app.screen.query_one(TabbedContent).active == "projects"
        table = app.screen.query_one("#project-table", DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == [
            "CHURN", "DEMAND", "FRAUD", "SEARCH"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
        assert str(app.screen.query_one("#project-title", Label).content).startswith("DEMAND")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)


def test_the_project_screen_loads_on_its_own(demo_service):
    asyncio.run(_the_project_screen_loads_on_its_own(demo_service))


async def _the_project_screen_loads_on_its_own(demo_service):
    class ProjectApp(App):
        def on_mount(self) -> None:
            self.push_screen(ProjectScreen(demo_service, "FRAUD", Period.parse_week("2026-W47")))

    app = ProjectApp()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ProjectScreen) and bool(
            app.screen.query_one("#project-plan", PlanBars).lines), "the plan")
        phases = app.screen.query_one("#project-plan", PlanBars)
        assert [line.phase.value for line in phases.lines][:2] == ["research", "data-exploration"]
        assert len(phases.lines) == 6
        heading = app.screen.query_one("#project-title", Label).content
        assert str(heading) == "FRAUD  Fraud detection"


def test_snapshot_review_report(snap_compare, demo_service):
    """Week 2026-W47: the title bar with the range and as-of time, the tabs with Report
    active, the summary sentence and the people table (aisha, diego, jonas, marco), and
    the footer with the week keys."""
    assert snap_compare(ReviewApp(demo_service, "2026-W47"), terminal_size=SIZE,
                        run_before=settle)


def test_snapshot_flow_chart(snap_compare, demo_service):
    """The Flow tab of week 2026-W47: the cumulative flow (to do / in progress / waiting /
    done lines from 12 Oct) above weekly throughput bars W42-W47 (6, 9, 8, 9, 7, 8)."""

    async def flow(pilot):
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(ReviewApp(demo_service, "2026-W47"), terminal_size=SIZE,
                        run_before=flow)


def test_snapshot_project_timeline(snap_compare, demo_service):
    """Enter on CHURN in the Projects tab of 2026-W47 opens its record (as of today):
    status, owner, hypothesis and metric, plan-vs-spent bars per phase, the deliverables
    checklist (✓ Research, ✓ Data Exploration, ☐ the rest), the pivots and the phase
    timeline; a scroll bar, since the week's changes follow below."""

    async def project(pilot):
        await settle(pilot)
        await pilot.press("3", "enter")
        await pilot.pause()

    assert snap_compare(ReviewApp(demo_service, "2026-W47"), terminal_size=SIZE,
                        run_before=project)


def test_the_review_opens_at_once_with_a_loading_indicator(demo_service, monkeypatch):
    asyncio.run(_opens_at_once(demo_service, monkeypatch))


async def _opens_at_once(demo_service, monkeypatch):
    import threading

    from mlkanban.tui.review import screen as review_screen

    release = threading.Event()
    real = review_screen.weekly_report

    def slow_report(*args, **kwargs):
        release.wait(30)  # a busy machine: the week takes its time
        return real(*args, **kwargs)

    monkeypatch.setattr(review_screen, "weekly_report", slow_report)
    app = ReviewApp(demo_service, "2026-W47")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the screen")
        assert app.screen.query_one(TabbedContent).loading
        assert title(app) == "Loading the week…"
        release.set()
        await week_shown(pilot, "Week 2026-W47")


def test_a_narrow_review_stacks_its_tables(demo_service):
    asyncio.run(_narrow(demo_service))


async def _narrow(demo_service):
    from textual.widgets import Markdown

    app = ReviewApp(demo_service, "2026-W47")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        source = app.screen.query_one("#review-markdown", Markdown).source
        assert "|---" not in source and "| person" not in source
        assert "- **aisha (Aisha Okafor)**" in source
        assert app.screen.has_class("-narrow")
