"""Stored text cannot act on the terminal it is shown on.

A title, a reason, a description, a name or an ``--as`` handle written before the
checks existed (or straight into the database) holds an OSC that would set the window
title, BEL, DEL, the 8-bit CSI (U+009B), a DCS, an APC and the right-to-left override.
``ls``, ``show``, ``person ls`` and ``report`` run in a real pseudo-terminal, and the
board renders through Textual: none of those characters reaches the output, while
what they hid between is still shown. JSON keeps the exact text.
"""

from __future__ import annotations

import asyncio
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from mlkanban.config import Settings
from mlkanban.domain.clock import FixedClock
from mlkanban.domain.phases import Phase
from mlkanban.domain.text import terminal_safe
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from tests.conftest import NOW

#: Every kind of control a stored string could carry, between visible letters.
HOSTILE = ("A\x1b]0;pwned\x07B\x07C\x7fD\x9b31mE\u202eF\x1bP+qdcs\x1b\\G\x1b_apc\x1b\\H"
           "\u2066I\u2069")
#: What is left of it on a terminal: the letters, BEL and DEL as pictures.
VISIBLE = "AB␇C␡DEFGHI"
#: What must never be written: ESC, BEL, the 8-bit CSI, the RTL override, and the
#: payloads of the sequences (a window title, a DCS, an APC).
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e", "pwned", "dcs", "apc")


def test_the_sanitiser_keeps_the_letters_and_drops_the_controls():
    assert terminal_safe(HOSTILE) == VISIBLE
    assert terminal_safe("line one\nline two\tend", multiline=True) == "line one\nline two end"
    assert terminal_safe("Élan “quoted” 漢字") == "Élan “quoted” 漢字"  # text stays text


@pytest.fixture
def hostile_db(tmp_path) -> Path:
    """A board whose stored text is hostile everywhere a person typed something."""
    path = tmp_path / "board.db"
    engine = make_engine(str(path))
    clock = FixedClock(NOW.replace(hour=9))
    service = Service(engine, actor="alice", clock=clock)
    service.add_person("alice", name="Alice Martin")
    service.add_project("CHURN", "Churn prediction")
    service.add_task("CHURN", "Plain title", Phase.MODELING, owner="alice", estimate=2)
    service.start("CHURN-1")
    clock.advance(minutes=10)
    service.wait("CHURN-1", "placeholder")
    with engine.begin() as conn:  # as an old version or another tool could have left it
        conn.execute(text("UPDATE task SET title = :t, reason = :t, description = :t"),
                     {"t": HOSTILE})
        conn.execute(text("UPDATE event SET actor = :t, reason = :t"), {"t": HOSTILE})
        conn.execute(text("UPDATE person SET name = :t"), {"t": HOSTILE})
    engine.dispose()
    return path


def in_terminal(db: Path, *args: str) -> str:
    """Run ``mlkanban ARGS`` on a pseudo-terminal; everything it wrote, decoded."""
    leader, follower = pty.openpty()
    env = {name: value for name, value in os.environ.items() if name != "MLKANBAN_CONFIG"}
    env.update(TZ="UTC", MLKANBAN_USER="alice", TERM="xterm-256color")  # HOME is the test's
    process = subprocess.Popen([sys.executable, "-m", "mlkanban", "--db", str(db), *args],
                               stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=30) == 0, output
    return output.decode("utf-8")


def assert_safe(output: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in output, f"{bad!r} reached the terminal:\n{output}"


@pytest.mark.parametrize("args", [["ls"], ["show", "CHURN-1"], ["person", "ls"],
                                  ["report"], ["ls", "--all"]])
def test_nothing_stored_acts_on_the_terminal(hostile_db, args):
    output = in_terminal(hostile_db, *args)
    assert_safe(output)
    assert VISIBLE in output  # what the controls hid between is still shown


def test_show_keeps_the_history_readable(hostile_db):
    output = in_terminal(hostile_db, "show", "CHURN-1")
    assert "History (3 events)" in output  # created, started, waiting
    assert output.count(VISIBLE) >= 4  # title, reason, description, an actor


def test_json_keeps_the_exact_text_escaped(hostile_db):
    output = in_terminal(hostile_db, "ls", "--json")
    assert_safe(output.replace("pwned", "").replace("dcs", "").replace("apc", ""))
    assert json.loads(output)[0]["title"] == HOSTILE  # exact, once parsed


def test_the_board_shows_no_control(hostile_db):
    from mlkanban.tui.app import make_app
    from tests.tui.conftest import still, wait_for_board

    engine = make_engine(str(hostile_db))
    service = Service(engine, actor="alice", clock=FixedClock(NOW))

    async def run() -> tuple[str, list[str], str]:
        app = make_app(service, Settings())
        async with app.run_test(size=(160, 45)) as pilot:
            await wait_for_board(pilot, cards=1)
            await still(pilot)
            board = app.export_screenshot()
            await pilot.press("s")  # resume the waiting card: a notification names it
            await still(pilot)
            notified = [n.message for n in app._notifications]
            await pilot.press("v")  # its details and history
            await still(pilot)
            return board, notified, app.export_screenshot()

    board, notified, detail = asyncio.run(run())
    engine.dispose()
    for picture in (board, *notified, detail):
        assert_safe(picture)
    assert VISIBLE in board  # the card's title and the lane's name
    assert f"Resumed CHURN-1 “{VISIBLE}” (alice, Modeling)" in notified
    assert detail.count(VISIBLE) >= 3  # title, description, history


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_shown_on_a_terminal_acts_on_nothing(hostile_db, fmt):
    """At a terminal JSON Lines escape the controls (same values); CSV shows pictures."""
    output = in_terminal(hostile_db, "export", "--format", fmt)
    for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert bad not in output
    if fmt == "jsonl":
        tasks = [json.loads(line) for line in output.splitlines() if '"type":"task"' in line]
        assert tasks[0]["title"] == HOSTILE
    else:
        assert VISIBLE in output
