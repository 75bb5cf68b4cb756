"""A database that fails under a command (a corrupt file, a refused connection) is one
line on stderr and exit 2, never a traceback, whether the error comes from the driver
(reads) or from SQLAlchemy (writes), and checking it imports neither.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from mlkanban.cli import database_error
from mlkanban.domain.phases import Phase
from tests.helpers import run_cli
from tests.pgserver import free_port

MALFORMED = "mlkanban: database error: database disk image is malformed\n"


@pytest.fixture
def corrupt_board(team, db_path):
    """A board whose task table is garbage, while the schema's revision still reads."""
    team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=3)
    team.engine.dispose()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'task'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db_path, "r+b") as file:
        file.seek((root - 1) * page)
        file.write(b"\xff" * page)
    return db_path


@pytest.mark.parametrize("args", [
    ["ls"], ["ls", "--all", "--json"], ["show", "CHURN-1"], ["export"],
    ["export", "--format", "csv"],
])
def test_a_corrupt_file_is_one_line(corrupt_board, clock, args):
    result = run_cli(corrupt_board, clock, *args)
    assert (result.exit_code, result.stderr) == (2, MALFORMED)


def test_the_check_imports_no_sqlalchemy(corrupt_board):
    """A fresh interpreter: the error is worded without importing SQLAlchemy."""
    probe = ("import sys\nfrom mlkanban.cli import cli\ntry:\n    cli.main()\nfinally:\n"
             "    sys.stdout.write(str(sorted(m for m in ('sqlalchemy', 'psycopg')"
             " if m in sys.modules)))\n")
    env = {**os.environ, "MLKANBAN_DB": str(corrupt_board)}
    result = subprocess.run([sys.executable, "-c", probe, "ls"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert (result.returncode, result.stderr, result.stdout) == (2, MALFORMED, "[]")


def test_a_refused_connection_is_one_line(clock):
    url = f"postgresql://team:s3cret@127.0.0.1:{free_port()}/board"
    for args in (["ls"], ["ls", "--all", "--json"], ["export"], ["info"]):
        result = run_cli(url, clock, *args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("mlkanban: ") and result.stderr.count("\n") == 1
        assert "refused" in result.stderr and "s3cret" not in result.stderr
        assert "Traceback" not in result.output


def test_database_errors_are_known_by_name():
    import psycopg
    from sqlalchemy.exc import OperationalError

    assert database_error(sqlite3.OperationalError("database is locked")) == "database is locked"
    refused = psycopg.OperationalError("connection failed: refused\n\tIs the server running?")
    assert database_error(refused) == "connection failed: refused"
    wrapped = OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))
    assert database_error(wrapped) == "disk I/O error"
    assert database_error(sqlite3.DatabaseError()) == "DatabaseError"
    assert database_error(ValueError("not the database")) is None
    assert database_error(KeyError("sqlite3")) is None
