"""``ls`` is run many times a day, and most of its time is Python starting: it imports
the task commands and the read path, and none of the modules the other commands need.

Each check runs the real program in a fresh interpreter (this test process has long
imported everything).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.store.service import Service

#: Modules ``ls`` never needs: the command modules loaded on demand (``cli.LAZY_COMMANDS``),
#: the TOML parser (no settings in an empty config file) and what finds the OS user
#: (``MLKANBAN_USER`` names them).
NOT_FOR_LS = (
    "mlkanban.commands.people",
    "mlkanban.commands.projects",
    "mlkanban.commands.data",
    "mlkanban.commands.jira",
    "mlkanban.commands.serve",
    "mlkanban.commands.report",
    "tomllib",
    "getpass",
)

#: Runs the program as its console script does, and says which of the modules above
#: were loaded when it ended (on stderr, after what the command printed).
PROBE = """
import atexit, json, os, sys
watched = {watched!r}

def said():
    sys.stderr.write("\\n" + json.dumps([m for m in watched if m in sys.modules]) + "\\n")
    sys.stderr.flush()

real_exit = os._exit
os._exit = lambda code: (said(), real_exit(code))  # the program's quick exit
sys.argv = ["mlkanban", *{args!r}]
from mlkanban.launch import main
main()
"""


@pytest.fixture
def board(team: Service, db_path):
    team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=3)
    team.start("CHURN-1")
    team.engine.dispose()
    return db_path


def _run(args: list[str], db_path, config: str = os.devnull) -> tuple[str, list[str]]:
    env = dict(os.environ)  # already isolated by the autouse fixture in conftest
    env.update(MLKANBAN_DB=str(db_path), MLKANBAN_CONFIG=config, MLKANBAN_USER="alice")
    code = PROBE.format(watched=NOT_FOR_LS, args=args)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout, json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["ls"], ["ls", "--all", "--json"]])
def test_ls_imports_no_other_command(board, args):
    stdout, loaded = _run(args, board)
    assert "Baseline" in stdout  # it did list the task
    assert loaded == []


def test_the_probe_sees_a_lazy_command_load_its_module(board):
    """The same check notices the modules once a command that needs them runs."""
    stdout, loaded = _run(["person", "ls"], board)
    assert "alice" in stdout
    assert loaded == ["mlkanban.commands.people"]


def test_a_config_file_with_settings_is_still_read(board, tmp_path):
    """Only a file with nothing in it skips the TOML parser: one with a setting in it
    is read, and a broken one is refused."""
    config = tmp_path / "config.toml"
    config.write_text('\n  \nuser = "bob"\n', encoding="utf-8")
    _, loaded = _run(["ls"], board, str(config))
    assert "tomllib" in loaded
    config.write_text("\n\nuser = \n", encoding="utf-8")
    env = dict(os.environ, MLKANBAN_DB=str(board), MLKANBAN_CONFIG=str(config))
    result = subprocess.run([sys.executable, "-m", "mlkanban", "ls"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith(f"mlkanban: cannot read config file {config}:")
