"""``ls --json`` and the exports are written as they are read, straight from the rows:
they must say exactly what the views say, on SQLite and on PostgreSQL, in any time zone,
whatever the batch size.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta, timezone

import pytest

from mlkanban.commands.common import echo_json, echo_json_items, render_table
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.io.csv_export import cell_time, timestamp
from mlkanban.store import sql as sql_module
from mlkanban.store.reader import Reader
from mlkanban.store.sql import moment, open_database
from mlkanban.store.views import LocalDays, iso_text
from tests.helpers import acting_as, run_cli

#: Time zones where the local day is not the UTC day: half- and quarter-hour offsets,
#: summer time, and a half-hour change of clocks (Lord Howe).
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kathmandu", "America/St_Johns",
         "Australia/Lord_Howe"]


@pytest.fixture
def engine(backend_engine):
    """Every test here runs once on SQLite and once on PostgreSQL."""
    return backend_engine


@pytest.fixture
def small_batches(monkeypatch):
    """Streams of three rows a batch, so that every read spans several."""
    monkeypatch.setattr(sql_module, "BATCH", 3)


@pytest.fixture
def board(team, clock, engine):
    """Tasks in every status, over several weeks, with microseconds and without, a
    waiting A/B test, labels, a Jira key and a sub-task."""
    bob = acting_as(team, "bob")
    team.add_project("FRAUD", "Fraud", plan={Phase.MODELING: 2})
    keys = []
    for i in range(8):
        clock.advance(days=3, hours=7, microseconds=0 if i % 2 else 123_400 * (i + 1))
        keys.append(team.add_task("CHURN" if i % 3 else "FRAUD", f"Task “{i}”", Phase.MODELING,
                                  owner="bob" if i % 2 else "alice", estimate=1 + i % 5).key)
    clock.advance(hours=2)
    team.start(keys[0])
    clock.advance(days=9, hours=3, microseconds=7)  # over its size by now
    team.done(keys[0])
    team.start(keys[2])
    bob.start(keys[1])
    bob.move(keys[1], Phase.AB_TESTING)
    bob.set_ab_test(keys[1], started_at=clock() - timedelta(days=2), duration_days=14,
                    traffic_share=25, control="rules", metric="loss")
    bob.wait(keys[1], "A/B test running")
    bob.drop(keys[3], "pivot")
    bob.start(keys[5])
    clock.advance(days=1, seconds=1, microseconds=999_999)
    bob.done(keys[5])
    clock.advance(days=8)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE task SET labels = 'data  ML', jira_key = 'ML-7' WHERE key = %s"
            if engine.dialect.name == "postgresql" else
            "UPDATE task SET labels = 'data  ML', jira_key = 'ML-7' WHERE key = ?",
            (keys[4],))
        conn.exec_driver_sql(
            "UPDATE task SET jira_parent = 'ML-7', labels = ' ml Éval ' WHERE key = %s"
            if engine.dialect.name == "postgresql" else
            "UPDATE task SET jira_parent = 'ML-7', labels = ' ml Éval ' WHERE key = ?",
            (keys[6],))
    team.engine.dispose()
    return engine.url.render_as_string(hide_password=False)


def expected_ls(db: str, clock, **filters) -> list[dict]:
    """What ``ls --json`` printed when it went through the views (its code then)."""
    reader = Reader(open_database(db, create=False), clock=clock)
    tasks = reader.tasks(**filters)
    today = reader.today()
    waiting = [t.key for t in tasks if t.status is Status.WAITING]
    ab_tests = reader.ab_tests(waiting) if waiting else {}
    payload = []
    for task in tasks:
        item = task.as_dict()
        item["age"] = task.age(today, reader.calendar)
        item["over_size"] = task.over_size(today, reader.calendar)
        if task.key in ab_tests:
            item["ab_test"] = ab_tests[task.key].progress(today)
        payload.append(item)
    return payload


@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_ls_json_says_what_the_views_say(board, clock, small_batches, zone):
    open_statuses = {Status.TODO, Status.IN_PROGRESS, Status.WAITING}
    cases = [
        (["--all"], {"statuses": None}),
        ([], {"statuses": open_statuses}),
        (["--owner", "bob", "--all"], {"statuses": None, "owner": "bob"}),
        (["--label", "ml", "--all"], {"statuses": None, "label": "ml"}),
        (["--label", "éVAL", "--all"], {"statuses": None, "label": "éVAL"}),
        (["--status", "done", "--project", "CHURN"], {"statuses": {Status.DONE},
                                                     "project": "CHURN"}),
    ]
    for args, filters in cases:
        result = run_cli(board, clock, "ls", "--json", *args)
        assert result.exit_code == 0, result.stderr
        expected = expected_ls(board, clock, **filters)
        compact = json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
        assert result.stdout == compact + "\n", args
    everything = expected_ls(board, clock, statuses=None)
    assert len(everything) == 8
    assert {"todo", "in_progress", "waiting", "done", "dropped"} <= {
        item["status"] for item in everything}
    assert any(item.get("ab_test") for item in everything)
    assert any(item["over_size"] for item in everything)
    assert any(item["parent"] for item in everything)
    assert [item["labels"] for item in expected_ls(board, clock, statuses=None, label="éval")] \
        == [["ml", "Éval"]]
    assert any(".123400+00:00" in item["created_at"] for item in everything)


def expected_table(db: str, clock, **filters) -> str:
    """What ``ls`` printed when it went through the views (its code then)."""
    reader = Reader(open_database(db, create=False), clock=clock)
    today, calendar = reader.today(), reader.calendar
    tasks = reader.tasks(**filters)
    ab_tests = reader.ab_tests([t.key for t in tasks if t.status is Status.WAITING])
    rows = []
    for task in tasks:
        age = task.age(today, calendar)
        flags = []
        if task.over_size(today, calendar):
            flags.append("OVER SIZE")
        if task.wip_override and task.status is Status.IN_PROGRESS:
            flags.append("WIP OVERRIDE")
        if task.reason:
            flags.append(task.reason)
        if task.key in ab_tests:
            flags.append(f"A/B {ab_tests[task.key].progress(today)}")
        rows.append([task.key, f"{task.status.marker} {task.status.label}", task.phase.value,
                     task.owner or "-", str(task.estimate) if task.estimate else "?",
                     f"{age}d" if age is not None else "",
                     task.title + (f"  [{'; '.join(flags)}]" if flags else "")])
    headers = ["KEY", "STATUS", "PHASE", "OWNER", "EST", "AGE", "TITLE"]
    return render_table(headers, rows) + "\n"


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kathmandu"], indirect=True)
def test_ls_table_says_what_the_views_say(board, clock, small_batches, zone):
    result = run_cli(board, clock, "ls", "--all")
    assert result.stdout == expected_table(board, clock, statuses=None)
    assert "OVER SIZE" in result.stdout and "A/B day" in result.stdout
    assert run_cli(board, clock, "ls").stdout == expected_table(
        board, clock, statuses={Status.TODO, Status.IN_PROGRESS, Status.WAITING})
    nobody = run_cli(board, clock, "ls", "--owner", "nobody")
    assert (nobody.stdout, nobody.stderr) == ("", "No tasks match.\n")


def test_an_export_does_not_depend_on_the_batch_size(board, clock, monkeypatch):
    whole = run_cli(board, clock, "export").stdout
    csv_whole = run_cli(board, clock, "export", "--format", "csv").stdout
    monkeypatch.setattr(sql_module, "BATCH", 2)
    assert run_cli(board, clock, "export").stdout == whole
    assert run_cli(board, clock, "export", "--format", "csv").stdout == csv_whole
    assert len(whole.splitlines()) > 30  # several batches of each kind


def test_stored_times_read_as_their_moments(engine, board):
    """``iso_text`` (cut from the stored text) is ``moment(...).isoformat()``, and
    ``LocalDays`` is ``moment(...).astimezone().date()``, on what this database stores."""
    database = open_database(board, create=False)
    with database.read() as sql:
        stored = [value for row in sql.rows(
            "SELECT created_at, updated_at, started_at, status_at, done_at FROM task"
            " UNION ALL SELECT at, at, at, at, at FROM event") for value in row]
    stored = [value for value in stored if value is not None]
    assert any(moment(value).microsecond == 0 for value in stored)
    assert any(moment(value).microsecond for value in stored)
    days = LocalDays()
    for value in stored:
        assert iso_text(value) == moment(value).isoformat()
        assert days(value) == moment(value).astimezone().date()


SAMPLES = ["2026-11-20 09:30:00.000000", "2026-11-20 09:30:00.123400",
           "2026-11-20 23:59:59.999999", "2026-03-29 00:59:59.000001", "1970-01-01 00:00:00.000000",
           "2026-11-20 09:30:00", "2026-11-20T09:30:00.5", "2026-11-20 09:30:00+02:00",
           "2026-11-20 09:30:00.123+02", "2026-11-20 23:30:00.000000-05:00"]


@pytest.mark.parametrize("zone", ["Asia/Kathmandu"], indirect=True)
@pytest.mark.parametrize("value", SAMPLES)
def test_iso_text_is_the_isoformat_of_the_moment(value, zone):
    """Text in another form than SQLite's own (an offset, fewer digits) is read in full."""
    assert iso_text(value) == moment(value).isoformat()
    assert LocalDays()(value) == moment(value).astimezone().date()
    assert cell_time(value) == timestamp(moment(value))
    aware = moment(value)
    assert iso_text(aware) == aware.isoformat()
    assert iso_text(aware.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")) \
        == aware.isoformat()
    assert iso_text(None) is None


@pytest.mark.parametrize("zone", ZONES + ["Africa/Monrovia"], indirect=True)
def test_local_days_are_the_local_dates(zone):
    """Every 31 minutes and 7 seconds of two years, changes of clocks included."""
    days = LocalDays()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(minutes=31, seconds=7, microseconds=1)
    for i in range(0, 2 * 365 * 24 * 60 // 31):
        moment_ = start + i * step
        text = moment_.replace(tzinfo=None).isoformat(" ", "microseconds")
        assert days(text) == moment_.astimezone().date(), text
        assert days(moment_) == moment_.astimezone().date(), text


TITLES = ["plain", "Définir | le label", "bell \x07", "csi \x9b31m", "del \x7f", "bidi \u202e",
          "two\nlines", ""]


@pytest.mark.parametrize("tty", [False, True])
def test_a_streamed_array_is_the_text_echo_json_writes(tty, monkeypatch, capsys):
    """Indented at a terminal, one line in a pipe, terminal controls escaped, as before."""
    items = [{"key": f"CHURN-{i}", "title": title, "labels": [title], "age": i}
             for i, title in enumerate(TITLES)]
    monkeypatch.setattr("sys.stdout.isatty", lambda: tty)
    for batches in ([], [[]], [items], [items[:3], [], items[3:4], items[4:]]):
        echo_json([item for batch in batches for item in batch])
        whole = capsys.readouterr().out
        echo_json_items(iter(batches))
        assert capsys.readouterr().out == whole
    assert "\x9b" not in whole and "\x7f" not in whole and "\u202e" not in whole


@pytest.mark.parametrize("exported_at", [
    datetime(2026, 12, 2, 1, 0, tzinfo=UTC),
    datetime(2026, 12, 2, 1, 0, 0, 123_400, tzinfo=UTC),
    datetime(2026, 12, 2, 1, 0, 0, 5, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(2026, 12, 2, 1, 0, tzinfo=timezone(timedelta(hours=1))),
])
def test_the_export_header_is_the_records_header(exported_at):
    """Written without pydantic, read back with it: the same line either way."""
    from mlkanban.io.jsonl import header
    from mlkanban.io.records import Header
    from mlkanban.store.revisions import HEAD

    ours = header(exported_at)
    theirs = Header(schema_revision=HEAD, exported_at=exported_at).model_dump(mode="json")
    assert json.dumps(ours) == json.dumps(theirs)


def test_a_reader_that_stops_early_is_not_an_error(tmp_path, clock):
    """``mlkanban export | head``: the pipe closes while the output is being written (the
    demo's export is more than a pipe holds). Click alone would exit 1."""
    import subprocess
    import sys

    db = tmp_path / "demo.db"
    assert run_cli(db, clock, "demo", "--no-open").exit_code == 0
    env = {**os.environ, "MLKANBAN_DB": str(db)}
    process = subprocess.Popen([sys.executable, "-m", "mlkanban", "export"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout.read(10)
    process.stdout.close()  # more than a pipe holds is still to come: its writes fail
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""
