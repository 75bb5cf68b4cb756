"""Local times across daylight saving, through the command line: what ``--at`` stores,
what ``show`` prints and which ISO week a report puts an event in."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime

import pytest

from mlkanban.domain.clock import FixedClock
from tests.helpers import run_cli


@pytest.fixture
def berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def december() -> FixedClock:
    """Tuesday 1 December 2026 in Berlin: winter time (UTC+1)."""
    return FixedClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def board(tmp_path, december):
    db = tmp_path / "board.db"
    for args in (("person", "add", "alice", "--at", "2026-06-01 09:00"),
                 ("project", "add", "CHURN", "Churn", "--at", "2026-06-01 09:00"),
                 ("add", "Summer task", "-p", "CHURN", "--phase", "eda", "-o", "alice",
                  "-e", "2", "--at", "2026-06-29 09:00")):
        assert run_cli(db, december, *args).exit_code == 0
    return db


def _stored(db, kind: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [at for (at,) in conn.execute(
            "SELECT at FROM event WHERE kind = ? ORDER BY id", (kind,))]


def test_a_summer_time_given_in_winter_is_stored_and_shown_as_summer_time(berlin, board,
                                                                         december):
    result = run_cli(board, december, "start", "CHURN-1", "--at", "2026-07-01 10:00")
    assert result.exit_code == 0, result.output
    assert _stored(board, "started") == ["2026-07-01 08:00:00.000000"]
    shown = run_cli(board, december, "show", "CHURN-1").stdout
    assert "2026-07-01 10:00" in shown
    assert "2026-07-01 11:00" not in shown


def test_a_sunday_evening_in_summer_belongs_to_its_own_iso_week(berlin, board, december):
    assert run_cli(board, december, "start", "CHURN-1", "--at", "2026-07-01 10:00").exit_code == 0
    result = run_cli(board, december, "done", "CHURN-1", "--at", "2026-07-05 23:30")
    assert result.exit_code == 0, result.output
    assert _stored(board, "status_changed") == ["2026-07-05 21:30:00.000000"]
    week = json.loads(run_cli(board, december, "report", "-w", "2026-W27", "-f", "json").stdout)
    after = json.loads(run_cli(board, december, "report", "-w", "2026-W28", "-f", "json").stdout)
    assert week["summary"]["done"] == 1
    assert after["summary"]["done"] == 0
    assert [t["key"] for t in week["people"][0]["done"]] == ["CHURN-1"]
