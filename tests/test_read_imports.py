"""Commands that only read, and status changes, never import SQLAlchemy, SQLModel,
Alembic or pydantic: they start faster (reads are plain SQL on the driver, ``store.sql``;
status changes too, ``store.status_changes``).

Each check runs in a fresh interpreter, because this test process has long imported
all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.store.service import Service
from tests.conftest import NOW
from tests.helpers import acting_as

HEAVY = ("sqlmodel", "sqlalchemy.orm", "alembic", "sqlalchemy", "pydantic")

READS = [
    ["ls"],
    ["ls", "--all", "--json"],
    ["show", "CHURN-1"],
    ["report"],
    ["report", "--format", "json"],
    ["export"],
    ["export", "--format", "csv"],
    ["info"],
    ["person", "ls"],
    ["project", "ls"],
    ["project", "show", "CHURN"],
]

#: The writes people make many times a day, in an order each of them is allowed in.
STATUS_CHANGES = [
    ["--as", "alice", "wait", "CHURN-1", "--reason", "Waiting for data access"],
    ["--as", "alice", "start", "CHURN-1"],
    ["--as", "alice", "done", "CHURN-1"],
    ["--as", "alice", "reopen", "CHURN-1"],
    ["--as", "alice", "drop", "CHURN-1", "--reason", "Superseded"],
]

#: Runs commands one after the other in-process (at the tests' fixed "now") and reports,
#: after each, its exit code and which of the heavy modules are loaded.
PROBE = """
import json, sys
from datetime import datetime
from mlkanban.cli import cli
from mlkanban.commands.common import AppContext
from mlkanban.domain.clock import FixedClock

now = datetime.fromisoformat({now!r})

heavy = {heavy!r}
seen = []
for args in {commands!r}:
    try:
        cli.main(args, standalone_mode=False, obj=AppContext(clock=FixedClock(now)))
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    seen.append([args, code, [name for name in heavy if name in sys.modules]])
sys.stdout.flush()
sys.stderr.write("\\n" + json.dumps(seen) + "\\n")
"""


@pytest.fixture
def board_db(team: Service, db_path):
    """A small board with a task in progress, one done and an event history."""
    team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=3)
    team.add_task("CHURN", "Features", Phase.DATA_EXPLORATION, owner="bob", estimate=2)
    team.start("CHURN-1")
    bob = acting_as(team, "bob")  # only a task's owner starts or finishes it
    bob.start("CHURN-2")
    bob.done("CHURN-2")
    team.engine.dispose()
    return db_path


def _run(commands: list[list[str]], db_path, tmp_path) -> tuple[str, list]:
    env = dict(os.environ)  # already isolated by the autouse fixture in conftest
    env["MLKANBAN_DB"] = str(db_path)
    env["MLKANBAN_CONFIG"] = os.devnull  # no settings: an empty file
    code = PROBE.format(heavy=HEAVY, commands=commands, now=NOW.isoformat())
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout, json.loads(result.stderr.strip().splitlines()[-1])


def test_read_only_commands_do_not_import_the_orm(board_db, tmp_path):
    stdout, seen = _run(READS, board_db, tmp_path)
    assert [(args, code) for args, code, _ in seen] == [(args, 0) for args in READS]
    assert [(args, loaded) for args, _, loaded in seen] == [(args, []) for args in READS]
    # They did their work: the task list, its history and the week's report were printed.
    assert "CHURN-1" in stdout
    assert "Baseline" in stdout
    assert "# Week 2026-W48" in stdout


def test_status_changes_do_not_import_the_orm(board_db, tmp_path):
    stdout, seen = _run(STATUS_CHANGES + [["show", "CHURN-1"]], board_db, tmp_path)
    assert [(args, code, loaded) for args, code, loaded in seen] == [
        (args, 0, []) for args in STATUS_CHANGES + [["show", "CHURN-1"]]]
    # Each was made: the task went round, and its history says so.
    assert "Dropped CHURN-1" in stdout
    assert stdout.count("alice") >= 5 and "Superseded" in stdout


def test_the_probe_sees_a_write_load_the_orm(board_db, tmp_path):
    """The same check notices SQLModel once a command that writes through the ORM has
    run."""
    commands = [["ls"], ["--as", "alice", "estimate", "CHURN-1", "2"]]
    _, seen = _run(commands, board_db, tmp_path)
    assert seen[0][1:] == [0, []]
    assert seen[1][1] == 0
    assert "sqlmodel" in seen[1][2] and "sqlalchemy.orm" in seen[1][2]


def test_on_postgresql_too(pg_url, clock, tmp_path):
    """On a server, reads go through psycopg alone; ``info`` shows the URL unparsed."""
    from mlkanban.store.engine import make_engine

    team = Service(make_engine(pg_url), actor="alice", clock=clock)
    team.add_person("alice")
    team.add_project("CHURN", "Churn prediction")
    team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=3)
    team.engine.dispose()
    stdout, seen = _run(READS + STATUS_CHANGES, pg_url, tmp_path)
    assert [(args, code, loaded) for args, code, loaded in seen] == [
        (args, 0, []) for args in READS + STATUS_CHANGES]
    assert "Baseline" in stdout and "postgresql+psycopg://postgres@" in stdout
    assert "Dropped CHURN-1" in stdout
