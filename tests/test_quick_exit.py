"""The program ends as soon as a command is done (``cli.quick_exit``): whatever it said
must be whole, its exit code the documented one, and what it wrote committed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.store.service import Service


@pytest.fixture
def board(team: Service, db_path):
    """Three hundred tasks: more JSON than one pipe buffer holds."""
    for n in range(300):
        team.add_task("CHURN", f"Task {n} " + "x" * 150, Phase.MODELING, owner="alice",
                      estimate=1)
    team.engine.dispose()
    return db_path


def mlkanban(db_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MLKANBAN_DB": str(db_path), "MLKANBAN_CONFIG": os.devnull,
           "MLKANBAN_USER": "alice"}
    return subprocess.run([sys.executable, "-m", "mlkanban", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_a_long_output_through_a_pipe_is_whole(board):
    result = mlkanban(board, "ls", "--all", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 300


def test_exit_codes_and_messages_survive(board):
    missing = mlkanban(board, "show", "NOPE-1")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == "mlkanban: no task 'NOPE-1'; there is no project NOPE\n"
    assert mlkanban(board, "--version").returncode == 0
    assert mlkanban(board, "start", "CHURN-1").returncode == 0
    refused = mlkanban(board, "start", "CHURN-2")  # one task in progress each
    assert refused.returncode == 1
    assert "alice already has 1/1 task in progress" in refused.stderr


def test_a_write_is_committed_before_the_process_ends(board):
    assert mlkanban(board, "start", "CHURN-7").returncode == 0
    assert mlkanban(board, "done", "CHURN-7").returncode == 0
    shown = json.loads(mlkanban(board, "show", "CHURN-7", "--json").stdout)
    assert shown["status"] == "done"


def test_an_export_through_a_pipe_is_whole(board):
    result = mlkanban(board, "export")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum(json.loads(line).get("type") == "task" for line in lines) == 300
