"""``ls --json`` on SQLite is written by the database (``store.task_json``): it must be
the text Python writes for the same items, for any stored text and timestamps, with
Python building only the rows SQLite cannot."""

from __future__ import annotations

import json

import pytest

from mlkanban.commands import tasks as task_commands
from mlkanban.commands.common import echo_json, echo_json_texts
from mlkanban.domain.phases import Phase
from mlkanban.store import sql as sql_module
from tests.helpers import rows_built_in_python, run_cli

HOSTILE = ['quote " and \\ backslash', "line\nfeed\ttab\r\x08\x0c", "bell \x07 unit \x1f",
           "del \x7f csi \x9b31m", "bidi \u202e", "emoji 🧪 Définir", "\\u0041 not an escape",
           '"}], "key": "X-1"']


@pytest.fixture
def board(team, clock, db_path, engine):
    """Tasks of every kind of text and timestamp, written past the service's checks as a
    hand-edited or older database could hold them."""
    keys = []
    for i in range(len(HOSTILE)):
        clock.advance(hours=5, microseconds=0 if i % 2 else 1000 * (i + 1))
        keys.append(team.add_task("CHURN", f"task {i}", Phase.MODELING, owner="alice",
                                  estimate=1 + i % 5).key)
    team.start(keys[0])
    clock.advance(days=3)
    team.done(keys[0])
    team.start(keys[1])
    clock.advance(days=8)
    with engine.begin() as conn:
        for key, title in zip(keys, HOSTILE, strict=True):
            conn.exec_driver_sql("UPDATE task SET title = ?, reason = ? WHERE key = ?",
                                 (title, title[::-1], key))
        conn.exec_driver_sql("UPDATE task SET created_at = '2026-11-20T09:30:00' WHERE key = ?",
                             (keys[2],))
        conn.exec_driver_sql("UPDATE task SET started_at = '2026-11-20 09:30:00+00:00'"
                             " WHERE key = ?", (keys[1],))
        conn.exec_driver_sql("UPDATE task SET created_at = '2026-11-20 09:30:00.000000'"
                             " WHERE key = ?", (keys[4],))
        conn.exec_driver_sql("UPDATE task SET labels = ' a  Éval \"q\" ' WHERE key = ?",
                             (keys[3],))
    team.engine.dispose()
    return db_path


def python_items(db, clock) -> list[dict]:
    """The items as Python builds them (the path for PostgreSQL and for a terminal)."""
    from mlkanban.commands.common import AppContext

    app = AppContext(db=str(db), clock=clock)
    return [item for batch in task_commands.task_items(app.reader, {"statuses": None})
            for item in batch]


def test_sqlite_writes_the_text_python_would(board, clock, monkeypatch):
    built = rows_built_in_python(monkeypatch)
    monkeypatch.setattr(sql_module, "BATCH", 3)
    result = run_cli(board, clock, "ls", "--all", "--json")
    assert result.exit_code == 0, result.stderr
    built_in_python = list(built)
    expected = python_items(board, clock)
    text = json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    assert result.stdout == text.translate({0x7f: "\\u007f", 0x9b: "\\u009b",
                                            0x202e: "\\u202e"}) + "\n"
    assert json.loads(result.stdout) == expected
    assert [item["title"] for item in expected] == HOSTILE
    # only the two tasks whose timestamps are not SQLite's usual text went through Python
    assert built_in_python == ["CHURN-2", "CHURN-3"]
    assert expected[4]["created_at"] == "2026-11-20T09:30:00+00:00"
    assert expected[3]["labels"] == ["a", "Éval", '"q"']
    assert expected[0]["age"] == 3 and expected[1]["over_size"] is True  # 3 days; 8 > 2


def test_a_label_filter_and_an_empty_listing(board, clock):
    labelled = run_cli(board, clock, "ls", "--all", "--json", "--label", "éval")
    assert [item["key"] for item in json.loads(labelled.stdout)] == ["CHURN-4"]
    nothing = run_cli(board, clock, "ls", "--json", "--status", "dropped")
    assert (nothing.exit_code, nothing.stdout) == (0, "[]\n")


def test_texts_make_the_array_echo_json_writes(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    items = [{"title": title, "n": i} for i, title in enumerate(HOSTILE)]
    texts = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items]
    for batches in ([], [[]], [texts], [texts[:3], [], texts[3:4], texts[4:]]):
        echo_json([json.loads(text) for batch in batches for text in batch])
        whole = capsys.readouterr().out
        echo_json_texts(iter(batches))
        assert capsys.readouterr().out == whole
