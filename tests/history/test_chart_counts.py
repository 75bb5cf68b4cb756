"""The charts' numbers counted by the database (``history.chart_counts``) are those a
replay of the whole event log finds (``metrics.throughput``, ``metrics.cumulative_flow``):
on the varied board, on SQLite and PostgreSQL, for moments around the year's clock
changes, in three time zones. Where the database cannot count exactly, the report
replays and still tells the same."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from mlkanban.domain.clock import FixedClock
from mlkanban.domain.errors import MlkanbanError
from mlkanban.domain.phases import Phase
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import metrics
from mlkanban.history.chart_counts import day_starts, load_chart_counts
from mlkanban.history.day_counter import DayCounter, local_day
from mlkanban.history.replay import build_timelines
from mlkanban.history.report_load import chart_start
from mlkanban.history.weekly import Period, build_report, load_history, weekly_report
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from mlkanban.store.sql import open_database
from tests.conftest import NOW
from tests.helpers import acting_as
from tests.store.varied_board import build

CALENDAR = WorkCalendar()
#: Moments around the spring and autumn clock changes of 2026 (Europe: 29 March and
#: 25 October; the US: 8 March and 1 November), late on Sundays and early on Mondays,
#: and the board's "now".
MOMENTS = [
    datetime(2026, 3, 8, 22, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 21, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 3, 30, 3, 0, tzinfo=UTC),
    datetime(2026, 6, 15, 9, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
    datetime(2026, 11, 2, 4, 59, tzinfo=UTC),
    NOW,
]
ZONES = ["UTC", "Europe/Berlin", "America/New_York"]


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path_factory):
    """The varied board (``tests.store.varied_board``), built once per database."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("charts") / "board.db")
    else:
        url = request.getfixturevalue("pg_server").empty_database()
    engine = make_engine(url)
    busy(build(Service(engine, actor="alice", clock=FixedClock(NOW))))
    yield open_database(url, create=False)
    engine.dispose()


def busy(service: Service) -> Service:
    """Most of a year of random work on two more projects: starts, waits, finishes, drops,
    reopenings, moves, splits and undos, some of them late at night or on a weekend
    around the clock changes (seeded: the same board every time)."""
    rng = random.Random(7)
    people = ["pia", "quinn", "ravi"]
    for handle in people:
        service.add_person(handle, wip_limit=9, at=datetime(2026, 1, 2, tzinfo=UTC))
    for key in ("BUSY", "LOAD"):
        service.add_project(key, key.title(), at=datetime(2026, 1, 2, tzinfo=UTC))
    moment = datetime(2026, 1, 5, 8, tzinfo=UTC)
    keys: list[str] = []
    while True:
        moment += timedelta(minutes=rng.choice([7, 50, 240, 600, 1300]))
        if moment >= NOW - timedelta(hours=1):
            return service
        owner = rng.choice(people)
        actor = acting_as(service, owner)
        roll = rng.random()
        try:
            if roll < 0.15 or not keys:
                task = service.add_task(rng.choice(["BUSY", "LOAD"]), f"Work {len(keys)}",
                                        rng.choice(list(Phase)), owner=owner,
                                        estimate=rng.randint(1, 5), at=moment)
                keys.append(task.key)
                continue
            key = rng.choice(keys)
            actor = acting_as(service, service.task(key).owner or owner)
            if roll < 0.40:
                actor.start(key, at=moment)
            elif roll < 0.50:
                actor.wait(key, "on review", at=moment)
            elif roll < 0.68:
                actor.done(key, at=moment)
            elif roll < 0.72:
                actor.drop(key, "not needed", at=moment)
            elif roll < 0.80:
                actor.reopen(key, at=moment)
            elif roll < 0.88:
                actor.move(key, rng.choice(list(Phase)), at=moment)
            elif roll < 0.92:
                actor.split(key, "Split off", estimate=1, at=moment)
            else:
                actor.undo(at=moment)
        except MlkanbanError:
            pass


def _replayed(sql, moment: datetime) -> tuple[list[int], list[dict[str, int]]]:
    """Throughput and flow as a replay of every event finds them."""
    data = load_history(sql)
    lines = build_timelines(data.tasks, data.events).values()
    first, today = chart_start(moment), local_day(moment)
    days = DayCounter(CALENDAR, first - timedelta(days=7), today + timedelta(days=7))
    weeks = [first + timedelta(weeks=n) for n in range(12)]
    finished = metrics.throughput(lines, weeks, moment, days.day)
    flow = [{status.value: n for status, n in counts.items()}
            for _, counts in metrics.cumulative_flow(lines, first, today, moment, days.day)]
    return finished, flow


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%m%d-%H%M"))
@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_the_database_counts_what_a_replay_finds(database, zone, moment):
    with database.read() as sql:
        counts = load_chart_counts(sql, chart_start(moment), moment)
        finished, flow = _replayed(sql, moment)
    assert counts is not None
    assert counts.finished == finished
    assert [{s: day.get(s, 0) for s in expected} for day, expected
            in zip(counts.flow, flow, strict=True)] == flow
    assert sum(finished) > 0 and any(day["in_progress"] for day in flow)  # not all naught


@pytest.mark.parametrize("moment", MOMENTS[1:], ids=lambda m: m.strftime("%m%d-%H%M"))
@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_the_report_with_counted_charts_is_the_full_replays(database, zone, moment):
    period = Period.week_of(local_day(moment))
    with database.read() as sql:
        full = build_report(load_history(sql), period, now=moment, calendar=CALENDAR)
        lean = weekly_report(sql, period, now=moment, calendar=CALENDAR)
        assert load_history(sql, until=period.as_of(moment), since=period.start_moment(),
                            calendar=CALENDAR).charts is not None
    assert lean.to_data() == full.to_data()


@pytest.mark.parametrize("zone", ["America/Sao_Paulo"], indirect=True)
def test_local_days_begin_where_the_clocks_say(zone):
    # 4 November 2018 began at 01:00 (clocks forward at midnight); 16 February 2019
    # lasted 25 hours (back from midnight to 23:00)
    spring = day_starts(date(2018, 11, 3), date(2018, 11, 5))
    autumn = day_starts(date(2019, 2, 16), date(2019, 2, 17))
    assert spring == [datetime(2018, 11, 3, 3, tzinfo=UTC), datetime(2018, 11, 4, 3, tzinfo=UTC),
                      datetime(2018, 11, 5, 2, tzinfo=UTC)]
    assert autumn == [datetime(2019, 2, 16, 2, tzinfo=UTC), datetime(2019, 2, 17, 3, tzinfo=UTC)]


@pytest.mark.parametrize("zone", ["XXX-0:30XXY-1:30,M3.5.0/0:30,M10.5.0/0:30"], indirect=True)
def test_days_out_of_order_are_not_counted(zone):
    """Where the clocks went back across midnight, a moment after the change belongs to
    the day before: days are no spans of UTC time there."""
    across = day_starts(date(2026, 10, 19), date(2026, 11, 1))
    other = day_starts(date(2026, 11, 2), date(2026, 11, 15))
    assert across is None
    assert other is not None and len(other) == 14


def test_a_task_with_no_creation_event_is_replayed(tmp_path):
    """An import may leave a task's events out: its row alone tells its history, which the
    database's counts cannot see, so the report replays the charts."""
    url = str(tmp_path / "board.db")
    engine = make_engine(url)
    build(Service(engine, actor="alice", clock=FixedClock(NOW)))
    with engine.begin() as conn:  # a task done in the report's week, as if imported so
        task_id = conn.execute(text("SELECT id FROM task WHERE status = 'done'"
                                    " ORDER BY status_at DESC LIMIT 1")).scalar()
        conn.execute(text("DELETE FROM event WHERE task_id = :t"), {"t": task_id})
        conn.execute(text("UPDATE task SET work_log = '[]' WHERE id = :t"), {"t": task_id})
    database = open_database(url, create=False)
    period = Period.week_of(NOW.date())
    with database.read() as sql:
        assert load_chart_counts(sql, chart_start(NOW), NOW) is None
        full = build_report(load_history(sql), period, now=NOW, calendar=CALENDAR)
        lean = weekly_report(sql, period, now=NOW, calendar=CALENDAR)
    engine.dispose()
    assert lean.to_data() == full.to_data()


def test_counts_serve_only_the_moment_they_were_counted_up_to(database):
    period = Period.week_of(NOW.date())
    with database.read() as sql:
        data = load_history(sql, until=period.as_of(NOW), since=period.start_moment(),
                            calendar=CALENDAR)
    with pytest.raises(ValueError, match="another moment"):
        build_report(data, period, now=NOW - timedelta(hours=1), calendar=CALENDAR)
