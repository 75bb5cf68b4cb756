"""Board fixtures: a small, realistic team seeded through the service with a fixed clock,
and the app built by the same factory the command line uses."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from datetime import datetime, timedelta

import pytest

from mlkanban.config import Settings
from mlkanban.domain.clock import FixedClock
from mlkanban.domain.phases import Phase
from mlkanban.store.service import Service
from mlkanban.tui.app import BoardApp, make_app

SIZE = (160, 45)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests (pilot tests) in a fresh event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True


def acting_as(service: Service, handle: str) -> Service:
    """The same database and clock, acting as ``handle``."""
    return Service(service.engine, actor=handle, clock=service.clock,
                   calendar=service.calendar, migrate=False)


def seed_board(service: Service, now: datetime) -> None:
    """Three people, two projects; every status, a fold of old done cards, an over-size
    task and a WIP override, all backdated so ages are real working days."""

    def at(days: float, hour: int = 10) -> datetime:
        return (now - timedelta(days=days)).replace(hour=hour, minute=0)

    service.add_person("alice", name="Alice Martin", at=at(60))
    service.add_person("bob", name="Bob Chen", wip_limit=2, at=at(60))
    service.add_person("carol", name="Carol Diaz", at=at(60))
    service.add_project("CHURN", "Churn prediction", hypothesis="Usage drops predict churn",
                        owner="alice", at=at(50))
    service.add_project("RECS", "Homepage recommendations", owner="bob", at=at(50))

    def task(project, title, phase, owner=None, estimate=None, created=30):
        return service.add_task(project, title, phase, owner=owner, estimate=estimate,
                                at=at(created)).key

    # Older work, done long ago: folds into a count.
    for i in range(3):
        key = task("CHURN", f"Literature review part {i + 1}", Phase.RESEARCH, "alice", 2, 40)
        service.start(key, at=at(39 - i * 3))
        service.done(key, at=at(38 - i * 3))

    # Alice: one in progress (over size), one waiting, one to do, one done this week.
    done = task("CHURN", "Profile event logs", Phase.DATA_EXPLORATION, "alice", 2, 20)
    service.start(done, at=at(13))
    service.done(done, at=at(3))
    busy = task("CHURN", "Train LightGBM baseline on 90-day usage features",
                Phase.MODELING, "alice", 3, 12)
    service.start(busy, at=at(10))
    wait = task("CHURN", "Label leakage check with the data team", Phase.DATA_EXPLORATION,
                "alice", 1, 12)
    service.start(wait, override="incident", at=at(9))
    service.wait(wait, "waiting for warehouse access", at=at(8))
    task("CHURN", "Write the evaluation report", Phase.MODELING, "alice", 2, 5)

    # Bob: WIP limit 2, one started with an override, an A/B test waiting.
    # Only a task's owner starts, parks or finishes it: bob acts for himself.
    bob = acting_as(service, "bob")
    first = task("RECS", "Serve two-tower model behind a flag", Phase.PRODUCTIZATION, "bob", 4, 8)
    bob.start(first, at=at(2))
    ab = task("RECS", "Run A/B test on 10% of traffic", Phase.AB_TESTING, "bob", 5, 8)
    bob.start(ab, at=at(7))
    bob.wait(ab, "A/B test collecting traffic until Friday", at=at(6))
    second = task("RECS", "Backfill item embeddings", Phase.PRODUCTIZATION, "bob", 2, 6)
    bob.start(second, at=at(1))
    hot = task("RECS", "Fix cold-start fallback crash", Phase.PRODUCTIZATION, "bob", 1, 1)
    bob.start(hot, override="production incident", at=at(0, hour=9))

    # Carol: only to do; unassigned work in research.
    task("RECS", "Define success metric with product", Phase.RESEARCH, "carol", 1, 4)
    task("CHURN", "Design the retention A/B test", Phase.AB_TESTING, "carol", 3, 4)
    task("RECS", "Survey session-based recommenders", Phase.RESEARCH, None, 3, 3)
    task("CHURN", "Results analysis template", Phase.RESULTS_ANALYSIS, None, None, 2)


@pytest.fixture
def settings() -> Settings:
    """No polling during a test unless it asks for it (a reload could land mid-test)."""
    return Settings(poll_seconds=3600)


@pytest.fixture
def polling_settings() -> Settings:
    return Settings(poll_seconds=0.2)


@pytest.fixture
def board_service(service: Service, clock: FixedClock) -> Service:
    """The seeded board, acting as alice."""
    seed_board(service, clock())
    return service


@pytest.fixture
def app(board_service: Service, settings: Settings) -> BoardApp:
    return make_app(board_service, settings)


@pytest.fixture
def carol_app(board_service: Service, settings: Settings) -> BoardApp:
    """The seeded board acting as carol, who owns RECS-5 and has nothing in progress."""
    return make_app(acting_as(board_service, "carol"), settings)


@pytest.fixture
def polling_app(board_service: Service, polling_settings: Settings) -> BoardApp:
    return make_app(board_service, polling_settings)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo team's database, built once (it replays six weeks through the service)."""
    from mlkanban.demo import create_demo_database
    from tests.conftest import NOW

    return create_demo_database(tmp_path_factory.mktemp("demo") / "demo.db", now=NOW)


@pytest.fixture
def demo_service(demo_template, tmp_path, clock: FixedClock) -> Service:
    """A private copy of the demo board, acting as priya (a scientist on the team)."""
    from mlkanban.store.engine import make_engine

    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    engine = make_engine(str(path))
    yield Service(engine, actor="priya", clock=clock)
    engine.dispose()


@pytest.fixture
def demo_app(demo_service: Service, settings: Settings) -> BoardApp:
    return make_app(demo_service, settings)


async def wait_for_board(pilot, *, cards: int | None = None) -> None:
    """Wait until the board has loaded (and, if given, shows ``cards`` cards)."""
    from mlkanban.tui.screens.board import BoardScreen

    for _ in range(200):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if (
            isinstance(screen, BoardScreen)
            and screen.grid is not None
            and (cards is None or screen.grid.card_count == cards)
        ):
            await pilot.pause()
            return
    raise AssertionError("the board did not load")


async def still(pilot) -> None:
    """Let every worker, message and repaint finish, and stop text cursors blinking,
    so that a snapshot shows one settled frame."""
    from textual.widgets import Input

    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
