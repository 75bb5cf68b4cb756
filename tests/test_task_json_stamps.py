"""The timestamps of ``ls --json`` written by SQLite (``store.task_json``): SQLite cuts
the stored text into ISO text and Python takes out zero microseconds afterwards; the
result must be Python's own ``iso_text`` for every value SQLite takes, however odd the
characters it does not look at."""

from __future__ import annotations

import json

import pytest

from mlkanban.commands import tasks as task_commands
from mlkanban.commands.common import AppContext
from mlkanban.domain.phases import Phase
from mlkanban.store import sql as sql_module
from mlkanban.store.task_json import _whole_seconds
from tests.helpers import rows_built_in_python, run_cli

#: Stored texts of 26 characters with a space and a point in their places and six
#: digits at the end, as SQLite's cut takes them, and a few it leaves to Python.
STAMPS = [
    "2026-11-20 09:30:00.000000",  # zero microseconds: left out
    "2026-11-20 09:30:00.000100",
    '2026-11-2" 09:30:0\\.000000',  # characters JSON escapes, where the cut ignores them
    "2\x01\x7f6-11-20 09:3 :00.000000",  # a control, DEL, and a space out of place
    "2026-11-20 09:30:00.00000\u00b2",  # not a digit for SQLite: built by Python
    "2026-11-20 09:30:00.000000+00:00",  # longer: built by Python
]


@pytest.fixture
def board(team, clock, db_path, engine):
    """A task for each stored text, as its creation, start and end."""
    keys = [team.add_task("CHURN", f"task {i}", Phase.MODELING, owner="alice",
                          estimate=2).key for i in range(len(STAMPS))]
    with engine.begin() as conn:
        for key, stamp in zip(keys, STAMPS, strict=True):
            conn.exec_driver_sql("UPDATE task SET created_at = ?, done_at = ? WHERE key = ?",
                                 (stamp, stamp, key))
        conn.exec_driver_sql("UPDATE task SET started_at = ? WHERE key = ?",
                             (STAMPS[0], keys[2]))
    team.engine.dispose()
    return db_path


def test_sqlite_cuts_timestamps_as_python_does(board, clock, monkeypatch):
    built = rows_built_in_python(monkeypatch)
    monkeypatch.setattr(sql_module, "BATCH", 2)
    result = run_cli(board, clock, "ls", "--all", "--json")
    assert result.exit_code == 0, result.stderr
    built_in_python = list(built)
    app = AppContext(db=str(board), clock=clock)
    expected = [item for batch in task_commands.task_items(app.reader, {"statuses": None})
                for item in batch]
    assert json.loads(result.stdout) == expected
    text = json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    assert result.stdout == text.replace("\x7f", "\\u007f") + "\n"
    assert built_in_python == ["CHURN-5", "CHURN-6"]
    assert [item["created_at"] for item in expected[:4]] == [
        "2026-11-20T09:30:00+00:00", "2026-11-20T09:30:00.000100+00:00",
        '2026-11-2"T09:30:0\\+00:00', "2\x01\x7f6-11-20T09:3 :00+00:00"]
    assert expected[2]["started_at"] == "2026-11-20T09:30:00+00:00"


def test_only_timestamps_lose_their_zero_microseconds():
    """A title or a reason that looks like one keeps its text."""
    text = ('{"title":"a.000000+00:00\\"","reason":"\\"created_at\\":\\"x.000000+00:00",'
            '"created_at":"2026-11-20T09:30:00.000000+00:00","started_at":null,'
            '"done_at":"2026-11-20T09:30:00.000001+00:00"}')
    assert json.loads(_whole_seconds(text)) == {
        "title": 'a.000000+00:00"', "reason": '"created_at":"x.000000+00:00',
        "created_at": "2026-11-20T09:30:00+00:00", "started_at": None,
        "done_at": "2026-11-20T09:30:00.000001+00:00"}
