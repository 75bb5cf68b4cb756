"""The board opens on a reader and builds its writing service afterwards: its first
paint imports none of SQLModel, SQLAlchemy, Alembic or pydantic, and keys pressed
before the service is ready still make their changes, in order.

The import check runs ``mlkanban`` in a fresh interpreter (this test process has long
imported all of them), headless, and looks at the modules loaded at the first frame
that shows a lane.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from mlkanban.config import Settings
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.service import Service
from mlkanban.tui.app import make_app
from mlkanban.tui.workspace import Workspace
from tests.tui.conftest import SIZE, acting_as, wait_for_board

HEAVY = ("sqlmodel", "sqlalchemy", "alembic", "pydantic")

#: Opens the board the way ``mlkanban`` does, headless; at the first frame showing a
#: lane it notes the heavy modules loaded, then presses ``s`` at once (the service is
#: not built yet) and waits for the card to be in progress.
PROBE = """
import asyncio, json, sys
from textual.app import App
from textual.screen import Screen

heavy = {heavy!r}
seen = {{}}
painted = asyncio.Event()
refresh = Screen._compositor_refresh

def compositor_refresh(self):
    refresh(self)
    if painted.is_set():
        return
    if "Alice Martin" in "\\n".join(s.text for s in self._compositor.render_strips()):
        seen["at_paint"] = [name for name in heavy if name in sys.modules]
        seen["service_ready"] = self.app.workspace.ready
        painted.set()

async def auto_pilot(pilot):
    await painted.wait()
    app = pilot.app
    await pilot.press("s")
    for _ in range(600):
        await pilot.pause(0.05)
        snapshot = app.screen.snapshot
        card = next(c for c in snapshot.cards if c.key == "CHURN-1")
        if card.status.value == "in_progress":
            break
    seen["status"] = card.status.value
    seen["after_write"] = [name for name in heavy if name in sys.modules]
    app.exit()

Screen._compositor_refresh = compositor_refresh
run = App.run
App.run = lambda self, *a, **k: run(self, headless=True, size=(120, 40), auto_pilot=auto_pilot)
from mlkanban.cli import cli
try:
    cli.main([], standalone_mode=False)
finally:
    sys.stderr.write("\\n" + json.dumps(seen) + "\\n")
"""


def test_the_board_paints_before_importing_the_write_side(team: Service, db_path):
    team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=3)
    team.engine.dispose()
    env = dict(os.environ, MLKANBAN_DB=str(db_path), MLKANBAN_USER="alice")
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY)],
                            capture_output=True, text=True, env=env, timeout=120)
    seen = json.loads(result.stderr.strip().splitlines()[-1])
    assert result.returncode == 0, result.stderr[-2000:]
    assert seen["at_paint"] == []
    assert seen["service_ready"] is False
    # s pressed before the service was built started the task once it was
    assert seen["status"] == "in_progress"
    assert "sqlmodel" in seen["after_write"]


async def test_keys_pressed_before_the_service_is_ready_are_applied_in_order(
    board_service: Service, settings: Settings
):
    carol = acting_as(board_service, "carol")  # her first card: CHURN-8, to do
    gate = threading.Event()

    def open_service() -> Service:
        gate.wait(30)  # a slow start of the write side
        return carol

    workspace = Workspace(carol, actor="carol", open_service=open_service)
    app = make_app(workspace, settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        assert app.screen.board.current_card.key == "CHURN-8"
        await pilot.press("s", "L")  # start it, then move it to the next phase
        await pilot.pause(0.2)
        assert not workspace.ready
        assert carol.task("CHURN-8").status is Status.TODO  # nothing written yet
        gate.set()
        for _ in range(200):
            await pilot.pause(0.05)
            task = carol.task("CHURN-8")
            if task.phase is not Phase.AB_TESTING:
                break
        assert task.status is Status.IN_PROGRESS
        assert task.phase is Phase.RESULTS_ANALYSIS
        kinds = [e.kind for e in carol.history("CHURN-8")]
        assert kinds.index("started") < kinds.index("moved_phase")


async def test_a_key_typed_before_the_cards_are_read_waits_for_them(
    board_service: Service, settings: Settings
):
    """``n`` typed as the board opens opens the new-task dialog once there are cards
    (and projects) to put it among, instead of finding nothing."""
    from mlkanban.tui.screens.task_form import TaskFormScreen

    reading = threading.Event()
    workspace = Workspace.of(board_service)
    read_board = workspace.read_board

    def slow_read():
        reading.wait(30)
        return read_board()

    workspace.read_board = slow_read
    app = make_app(workspace, settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause(0.2)
        assert app.screen.__class__.__name__ == "BoardScreen"
        reading.set()
        for _ in range(200):
            await pilot.pause(0.05)
            if isinstance(app.screen, TaskFormScreen) and app.focused is not None \
                    and app.focused.id == "title":
                break
        assert isinstance(app.screen, TaskFormScreen)  # and mounted, its title focused
        assert app.focused.id == "title"


async def test_an_enter_typed_ahead_arrives_as_a_line_feed_and_still_saves(
    board_service: Service, settings: Settings
):
    """Keys typed while the program starts pass the terminal's line discipline, which
    turns Enter into a line feed (``ctrl+j``): it must still save the dialog."""
    app = make_app(board_service, settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        before = len(board_service.tasks())
        await pilot.press("n", *"Typed ahead", "ctrl+j")
        for _ in range(100):
            await pilot.pause(0.05)
            if len(board_service.tasks()) > before:
                break
        titles = [task.title for task in board_service.tasks()]
        assert "Typed ahead" in titles
        assert app.screen.__class__.__name__ == "BoardScreen"


def test_the_rows_read_by_a_child_process_make_the_same_board(
        board_service: Service, db_path, clock, monkeypatch):
    """On a SQLite file the first read runs in a child process: the board it gives is
    the one a read in this process gives, card for card, and the child is reaped."""
    from mlkanban.store.sql import open_database
    from mlkanban.tui import workspace as workspace_module

    monkeypatch.setattr(workspace_module.threading, "active_count", lambda: 1)
    monkeypatch.setattr(workspace_module.os, "sched_getaffinity", lambda pid: {0, 1})
    database = open_database(str(db_path))
    now = clock()
    apart = workspace_module.read_apart(database, now)
    assert apart is not None
    rows = apart.rows()
    assert rows is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(apart.pid, os.WNOHANG)  # already reaped: no zombie left behind
    reader = Workspace.of(board_service)
    read_here = reader._read_board(now)
    read_apart = reader._read_board(now, rows)
    assert read_apart.cards == read_here.cards
    assert [c.key for c in read_apart.cards] == [c.key for c in read_here.cards]
    assert read_apart.folded == read_here.folded
    assert read_apart.event_id == read_here.event_id
    assert len(read_here.cards) > 5
    database.close()


def test_a_failed_child_read_is_done_again_in_the_thread(monkeypatch):
    """A child that dies without sending its rows leaves the read to this process."""
    from mlkanban.tui.workspace import ReadApart

    pid = os.fork()
    if pid == 0:
        os._exit(3)
    read_end, write_end = os.pipe()
    os.close(write_end)
    assert ReadApart(pid, os.fdopen(read_end, "rb")).rows() is None


def test_no_child_process_for_a_board_it_cannot_read(clock):
    """PostgreSQL (or a board already open through SQLAlchemy) is read in the thread."""
    from mlkanban.store.sql import Database
    from mlkanban.tui.workspace import read_apart

    assert read_apart(Database("postgresql://x/y", "postgresql"), clock()) is None


def test_no_child_process_with_one_processor(db_path, clock, monkeypatch):
    """With one processor the child's extra work (sending the rows, receiving them)
    would only add to the reading: the thread reads. With two, the child does, however
    busy the last minute was."""
    from mlkanban.store.split_reads import can_fork
    from mlkanban.store.sql import open_database
    from mlkanban.tui import workspace as workspace_module

    monkeypatch.setattr(workspace_module.threading, "active_count", lambda: 1)
    monkeypatch.setattr(workspace_module.os, "getloadavg", lambda: (3.5, 3.0, 3.0))
    database = open_database(str(db_path))
    monkeypatch.setattr(workspace_module.os, "sched_getaffinity", lambda pid: {0})
    assert can_fork(database) is False
    assert workspace_module.read_apart(database, clock()) is None
    monkeypatch.setattr(workspace_module.os, "sched_getaffinity", lambda pid: {0, 1})
    assert can_fork(database) is True
    database.close()


async def test_the_garbage_collector_held_for_the_first_read_runs_again_once_painted(
        board_service: Service, settings: Settings):
    """Collections wait while the board starts, and only until its first paint."""
    import gc

    workspace = Workspace(board_service, actor="alice", open_service=lambda: board_service)
    try:
        workspace.start_reading()
        assert not gc.isenabled()
        app = make_app(workspace, settings)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_board(pilot)
            await pilot.pause()
            assert app.screen.board.current_card is not None
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
