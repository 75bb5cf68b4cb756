"""Export then import reproduces the board; a second import changes nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mlkanban.domain.phases import Phase
from tests.helpers import acting_as, dump_db, run_cli


@pytest.fixture
def history(team, clock):
    a = team.add_task("CHURN", "Baseline | v1", Phase.MODELING, owner="alice", estimate=3)
    b = team.add_task("CHURN", "Ünïcode “quotes”\nand a newline", Phase.RESEARCH, owner="bob")
    team.add_project("FRAUD", "Fraud", plan={Phase.RESEARCH: 1.5, Phase.MODELING: 3})
    clock.advance(hours=1)
    team.start(a.key)
    bob = acting_as(team, "bob")  # only a task's owner starts or parks it
    bob.start(b.key)
    clock.advance(hours=1)
    team.move(a.key, Phase.DATA_EXPLORATION)
    bob.wait(b.key, "data access")
    team.done(a.key)
    return team


def _logical(path, clock):
    """The database's content without internal ids, which may differ between databases."""
    out = {}
    for line in run_cli(path, clock, "export").stdout.splitlines()[1:]:
        record = json.loads(line)
        out.setdefault(record["type"], []).append(record)
    return out


def test_round_trip_into_an_empty_database(history, db_path, tmp_path, clock):
    export = tmp_path / "board.jsonl"
    assert run_cli(db_path, clock, "export", "-o", str(export)).exit_code == 0
    copy = tmp_path / "copy.db"
    result = run_cli(copy, clock, "import", str(export))
    assert result.exit_code == 0
    assert "3 people" not in result.stdout and "2 people" in result.stdout
    assert _logical(copy, clock) == _logical(db_path, clock)
    assert len(_logical(copy, clock)["event"]) == history.counts()["events"]

    before = dump_db(copy)
    again = run_cli(copy, clock, "import", str(export))
    assert again.exit_code == 0
    assert "Nothing to import" in again.stdout
    assert dump_db(copy) == before


def test_import_merges_newer_changes(history, db_path, tmp_path, clock):
    export = tmp_path / "before.jsonl"
    run_cli(db_path, clock, "export", "-o", str(export))
    copy = tmp_path / "copy.db"
    run_cli(copy, clock, "import", str(export))
    clock.advance(hours=1)
    acting_as(history, "bob").done("CHURN-2")
    newer = tmp_path / "after.jsonl"
    run_cli(db_path, clock, "export", "-o", str(newer))
    result = run_cli(copy, clock, "import", str(newer))
    assert result.stdout == "Imported 1 event; updated 1 task\n"
    assert _logical(copy, clock) == _logical(db_path, clock)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("garbage\n", "line 1: not JSON"),
        ("", "not an mlkanban export"),
        ('{"type": "person", "handle": "x"}\n', "line 1"),
        ("[1, 2]\n", "expected a JSON object"),
    ],
)
def test_garbage_import_changes_nothing(history, db_path, tmp_path, clock, content, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    before = dump_db(db_path)
    result = run_cli(db_path, clock, "import", str(bad))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert dump_db(db_path) == before


def test_a_bad_line_late_in_the_file_changes_nothing(history, db_path, tmp_path, clock):
    export = tmp_path / "board.jsonl"
    run_cli(db_path, clock, "export", "-o", str(export))
    lines = export.read_text().splitlines()
    lines[-1] = (
        lines[-1].replace('"kind":"', '"kind":"x', 1).replace('"at":"', '"at":"not a date', 1)
    )
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n")
    empty = tmp_path / "empty.db"
    result = run_cli(empty, clock, "import", str(broken))
    assert result.exit_code == 2
    assert f"line {len(lines)}" in result.stderr
    assert not empty.exists()  # the file is checked before the database is even opened


def test_unknown_references_are_refused(history, db_path, tmp_path, clock):
    export = tmp_path / "board.jsonl"
    run_cli(db_path, clock, "export", "-o", str(export))
    lines = [line for line in export.read_text().splitlines() if '"type":"project"' not in line]
    (tmp_path / "orphans.jsonl").write_text("\n".join(lines) + "\n")
    result = run_cli(tmp_path / "fresh.db", clock, "import", str(tmp_path / "orphans.jsonl"))
    assert result.exit_code == 2
    assert "unknown project" in result.stderr


def test_csv_export_has_one_row_per_event(history, db_path, clock):
    result = run_cli(db_path, clock, "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == history.counts()["events"]
    assert list(rows[0]) == [
        "id", "uid", "at", "actor", "kind", "project", "task", "person", "field", "old", "new",
        "reason",
    ]
    moved = [r for r in rows if r["kind"] == "moved_phase"]
    assert moved[0]["task"] == "CHURN-1" and moved[0]["new"] == "data-exploration"
