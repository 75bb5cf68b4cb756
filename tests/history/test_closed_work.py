"""The closed tasks' work kept between reports (``history.closed_work``) changes no
report: on SQLite and PostgreSQL, a report with the file, cold and warm, is the report
without it, after every kind of change a board sees (a task closed, an old task
reopened, a finish undone, an export and a Jira CSV imported, an event gone), under
other holidays and time zones, and for a past week. A file that cannot be read or
written is passed over."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from mlkanban.domain.clock import FixedClock
from mlkanban.domain.phases import Phase
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import closed_work
from mlkanban.history.day_counter import local_day
from mlkanban.history.weekly import Period, weekly_report
from mlkanban.io.jsonl import read_jsonl, write_jsonl
from mlkanban.io.restore import restore
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from mlkanban.store.sql import open_database
from tests import jira_export
from tests.conftest import NOW
from tests.helpers import acting_as, run_cli
from tests.history.test_chart_counts import busy
from tests.store.varied_board import build

CALENDAR = WorkCalendar()
HOLIDAYS = WorkCalendar([datetime(2026, 11, 20).date(), datetime(2026, 6, 1).date()])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def board(request, tmp_path):
    """The busy varied board (``test_chart_counts``), its URL and its service."""
    if request.param == "sqlite":
        url = str(tmp_path / "board.db")
    else:
        url = request.getfixturevalue("pg_server").empty_database()
    engine = make_engine(url)
    busy(build(Service(engine, actor="alice", clock=FixedClock(NOW))))
    # Changes are made in the hours after the board's "now" (and the reports after them).
    yield url, Service(engine, actor="alice", clock=FixedClock(NOW + timedelta(hours=2)),
                       migrate=False)
    engine.dispose()


def _zone(name: str) -> None:
    import os

    os.environ["TZ"] = name
    time.tzset()


@pytest.fixture
def zones():
    yield _zone
    _zone("UTC")


def _reports(url: str, kept: Path, period: Period, now: datetime,
             calendar: WorkCalendar = CALENDAR) -> tuple[dict, dict, bool]:
    """The report with the file and without it, and whether the file served it."""
    database = open_database(url, create=False)
    try:
        with database.read() as sql:
            warm = closed_work.Keeper(kept, sql, calendar).kept is not None
            with_file = weekly_report(sql, period, now=now, calendar=calendar, kept=kept)
            without = weekly_report(sql, period, now=now, calendar=calendar)
    finally:
        database.close()
    return with_file.to_data(), without.to_data(), warm


def _same(url, kept, period, now, calendar=CALENDAR) -> bool:
    with_file, without, warm = _reports(url, kept, period, now, calendar)
    assert with_file == without
    assert without["projects"]  # a report with something in it
    return warm


def _closed_long_ago(service: Service) -> tuple[str, str]:
    """A task done months ago, with work logged, and its owner (who has room for it)."""
    with service.engine.connect() as conn:
        key, owner = conn.execute(text(
            "SELECT t.key, p.handle FROM task t JOIN person p ON t.owner_id = p.id"
            " WHERE t.status = 'done' AND t.done_at < :before AND t.work_log <> '[]'"
            " AND p.handle IN ('pia', 'quinn', 'ravi') ORDER BY t.done_at LIMIT 1"),
            {"before": datetime(2026, 8, 1)}).one()
    return key, owner


def _in_progress(service: Service) -> tuple[str, str]:
    with service.engine.connect() as conn:
        key, owner = conn.execute(text(
            "SELECT t.key, p.handle FROM task t JOIN person p ON t.owner_id = p.id"
            " WHERE t.status = 'in_progress' ORDER BY t.id LIMIT 1")).one()
    return key, owner


def test_every_change_leaves_the_report_as_it_is_without_the_file(board, tmp_path, zones):
    url, service = board
    kept = tmp_path / "cache" / "closed.json"
    this_week = Period.week_of(local_day(NOW))
    past = Period.parse_week("2026-W40")
    now = NOW + timedelta(hours=3)

    # A project stopped long ago, which reports leave out (until it is active again).
    service.add_person("olly", at=datetime(2026, 3, 2, tzinfo=UTC))
    service.add_project("OLD", "Old", at=datetime(2026, 3, 2, tzinfo=UTC))
    olly = acting_as(service, "olly")
    task = service.add_task("OLD", "Old work", Phase.MODELING, owner="olly",
                            at=datetime(2026, 3, 3, 9, tzinfo=UTC))
    olly.start(task.key, at=datetime(2026, 3, 3, 10, tzinfo=UTC))
    olly.done(task.key, at=datetime(2026, 3, 5, 16, tzinfo=UTC))
    service.edit_project("OLD", status="stopped", at=datetime(2026, 4, 1, tzinfo=UTC))

    # Cold, for a past week: its sums are kept; the next report adds the weeks since.
    assert not _same(url, kept, past, now)
    cut = json.loads(kept.read_text())["cut"]
    assert _same(url, kept, this_week, now)
    assert json.loads(kept.read_text())["cut"] > cut
    assert _same(url, kept, this_week, now)
    # A past week before the kept one is told as it was (the file is left out).
    assert _same(url, kept, Period.parse_week("2026-W44"), now)
    assert _same(url, kept, this_week, now)

    assert "OLD" in json.loads(kept.read_text())["skipped"]

    # A task closed now: not among the kept ones, which still serve.
    key, owner = _in_progress(service)
    acting_as(service, owner).done(key, at=NOW + timedelta(minutes=5))
    assert _same(url, kept, this_week, now)

    # An old task reopened: the kept sums no longer serve, and are counted afresh.
    old, old_owner = _closed_long_ago(service)
    service.reopen(old, at=NOW + timedelta(minutes=10))
    assert not _same(url, kept, this_week, now)
    assert _same(url, kept, this_week, now)

    # A finish undone; an old task finished and that undone.
    key, owner = _in_progress(service)
    acting_as(service, owner).done(key, at=NOW + timedelta(minutes=15))
    acting_as(service, owner).undo(at=NOW + timedelta(minutes=20))
    assert _same(url, kept, this_week, now)
    acting_as(service, old_owner).start(old, at=NOW + timedelta(minutes=25))
    acting_as(service, old_owner).done(old, at=NOW + timedelta(minutes=30))
    assert _same(url, kept, this_week, now)
    acting_as(service, old_owner).undo(at=NOW + timedelta(minutes=35))
    assert _same(url, kept, this_week, now)
    assert _same(url, kept, this_week, now)

    # The stopped project active again: the sums left it out, so they are counted afresh.
    service.edit_project("OLD", status="active", at=NOW + timedelta(minutes=40))
    _same(url, kept, this_week, now)
    assert "OLD" not in json.loads(kept.read_text())["skipped"]
    assert _same(url, kept, this_week, now)
    assert any(p["key"] == "OLD" for p in _reports(url, kept, this_week, now)[0]["projects"])

    # Other holidays, other time zones: counted afresh, each time.
    assert not _same(url, kept, this_week, now, HOLIDAYS)
    assert _same(url, kept, this_week, now, HOLIDAYS)
    for name in ("Europe/Berlin", "America/New_York", "Europe/Berlin"):
        _zone(name)
        assert not _same(url, kept, this_week, now)
        assert _same(url, kept, this_week, now)
        assert _same(url, kept, Period.parse_week("2026-W13"), now)
    _zone("UTC")
    assert not _same(url, kept, this_week, now)


def test_imports_leave_the_report_as_it_is_without_the_file(board, tmp_path):
    url, service = board
    kept = tmp_path / "cache" / "closed.json"
    this_week = Period.week_of(local_day(NOW))
    now = NOW + timedelta(hours=3)
    assert not _same(url, kept, this_week, now)
    assert _same(url, kept, this_week, now)

    # An export of another board, its tasks done months ago (old moments, new ids).
    other = Service(make_engine(str(tmp_path / "other.db")), actor="olga",
                    clock=FixedClock(NOW))
    other.add_person("olga", at=datetime(2026, 2, 2, tzinfo=UTC))
    other.add_project("IMPT", "Imported", at=datetime(2026, 2, 2, tzinfo=UTC))
    for day in (3, 10, 17):
        task = other.add_task("IMPT", f"Old work {day}", Phase.MODELING, owner="olga",
                              at=datetime(2026, 3, day, 9, tzinfo=UTC))
        other.start(task.key, at=datetime(2026, 3, day, 10, tzinfo=UTC))
        other.move(task.key, Phase.AB_TESTING, at=datetime(2026, 3, day + 1, 10, tzinfo=UTC))
        other.done(task.key, at=datetime(2026, 3, day + 2, 16, tzinfo=UTC))
    export = tmp_path / "other.jsonl"
    with other.read() as sql, export.open("w", encoding="utf-8") as out:
        write_jsonl(sql, out, NOW)
    other.engine.dispose()
    with export.open(encoding="utf-8") as lines:
        restore(service.engine, read_jsonl(lines, str(export)))
    assert _same(url, kept, this_week, now)
    assert _same(url, kept, this_week, now)

    # A Jira CSV: issues of 2024, before anything else on the board.
    result = run_cli(url, FixedClock(NOW + timedelta(hours=1)), "import-jira",
                     str(jira_export.write(tmp_path / "jira.csv")))
    assert result.exit_code == 0, result.output
    assert _same(url, kept, this_week, now)
    assert _same(url, kept, this_week, now)


def test_an_event_gone_is_seen(board, tmp_path):
    url, service = board
    kept = tmp_path / "closed.json"
    this_week = Period.week_of(local_day(NOW))
    now = NOW + timedelta(hours=3)
    _same(url, kept, this_week, now)
    old, _ = _closed_long_ago(service)
    with service.engine.begin() as conn:  # as if a finish were never recorded
        conn.execute(text(
            "DELETE FROM event WHERE id = (SELECT max(e.id) FROM event e JOIN task t"
            " ON e.task_id = t.id WHERE t.key = :key AND e.new = 'done')"), {"key": old})
        conn.execute(text("UPDATE task SET work_log = '[]' WHERE key = :key"), {"key": old})
    assert not _same(url, kept, this_week, now)
    assert _same(url, kept, this_week, now)


@pytest.fixture
def small_board(tmp_path):
    url = str(tmp_path / "board.db")
    engine = make_engine(url)
    service = busy(build(Service(engine, actor="alice", clock=FixedClock(NOW))))
    yield url, service
    engine.dispose()


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"version": 1}',
                                     b'{"version": 1, "mark": "x", "sums": {}}'])
def test_a_damaged_file_is_passed_over_and_replaced(small_board, tmp_path, content):
    url, _ = small_board
    kept = tmp_path / "closed.json"
    kept.write_bytes(content)
    this_week = Period.week_of(local_day(NOW))
    assert not _same(url, kept, this_week, NOW)
    assert _same(url, kept, this_week, NOW)


def test_a_file_that_cannot_be_read_or_written_is_no_error(small_board, tmp_path):
    url, _ = small_board
    this_week = Period.week_of(local_day(NOW))
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    assert not _same(url, blocker / "closed.json", this_week, NOW)  # cannot be written
    folder = tmp_path / "a-folder.json"
    folder.mkdir()
    assert not _same(url, folder, this_week, NOW)  # cannot be read, nor replaced


def test_the_command_keeps_its_file_in_the_cache_directory(small_board, tmp_path, monkeypatch):
    url, _ = small_board
    monkeypatch.setenv("MLKANBAN_CACHE_DIR", str(tmp_path / "cache"))
    clock = FixedClock(NOW)
    first = run_cli(url, clock, "report")
    assert first.exit_code == 0, first.output
    files = list((tmp_path / "cache").iterdir())
    assert [f.name for f in files] == [closed_work.cache_file(url).name]
    second = run_cli(url, clock, "report")
    assert second.output == first.output
    files[0].unlink()  # deleted at any time
    assert run_cli(url, clock, "report").output == first.output


def test_files_are_named_by_the_board_without_its_password(tmp_path, monkeypatch):
    monkeypatch.setenv("MLKANBAN_CACHE_DIR", str(tmp_path))
    a = closed_work.cache_file("postgresql+psycopg://me:secret@db:5432/board")
    b = closed_work.cache_file("postgresql+psycopg://me:other@db:5432/board")
    c = closed_work.cache_file("postgresql+psycopg://me:secret@db:5432/other")
    assert a == b != c and "secret" not in a.name
    monkeypatch.chdir(tmp_path)
    assert closed_work.cache_file("board.db") == closed_work.cache_file(str(tmp_path / "board.db"))


def test_the_cache_directory_follows_the_user_s(monkeypatch, tmp_path):
    monkeypatch.delenv("MLKANBAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert closed_work.cache_dir() == tmp_path / "mlkanban"
