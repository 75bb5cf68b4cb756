"""The report reads only recent events and each task's work log; replaying the whole
event log must give the very same report. Both ways are built here on boards with a
year of history and compared field by field, for this week and for weeks long gone.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from mlkanban.demo import populate_demo
from mlkanban.domain.phases import Phase
from mlkanban.domain.work_log import micros
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import metrics
from mlkanban.history.metrics import DayCounter
from mlkanban.history.replay import build_timelines
from mlkanban.history.weekly import Period, build_report, load_history
from mlkanban.store import history_reads, work_logs
from mlkanban.store.engine import make_engine
from mlkanban.store.schema import ensure_schema
from tests.helpers import acting_as
from tests.history.reading import read
from tests.test_synthetic import load_synthetic

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CALENDAR = WorkCalendar([date(2026, 10, 5), date(2026, 8, 14), date(2026, 5, 1)])


def _periods() -> list[Period]:
    this = Period.week_of(NOW.date())
    weeks = [this]
    for back in (1, 3, 11, 12, 13, 20, 40):
        weeks.append(Period.week_of(NOW.date() - timedelta(weeks=back)))
    return [*weeks, Period.between(date(2026, 3, 2), date(2026, 8, 28)),
            Period.between(date(2026, 11, 2), NOW.date())]


def _both(engine, period: Period) -> tuple[dict, dict]:
    with read(engine) as conn:
        full = load_history(conn)
        lean = load_history(conn, until=period.as_of(NOW), since=period.start_moment())
        folded = load_history(conn, until=period.as_of(NOW), since=period.start_moment(),
                              calendar=CALENDAR)
    assert lean.since is not None and full.since is None  # both ways are taken
    assert folded.rest is not None and folded.rest.work is not None and not folded.rest.logs
    lean_report = build_report(lean, period, now=NOW, calendar=CALENDAR).to_data()
    # the logs of tasks closed long ago folded as they are read: the same report
    assert build_report(folded, period, now=NOW, calendar=CALENDAR).to_data() == lean_report
    return build_report(full, period, now=NOW, calendar=CALENDAR).to_data(), lean_report


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("lean") / "year.db"
    load_synthetic().build_large_database(
        path, tasks=600, events=9000, open_tasks=60, people=8, projects=6, days=365, now=NOW
    )
    engine = make_engine(str(path))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = make_engine(str(tmp_path_factory.mktemp("lean") / "demo.db"))
    ensure_schema(engine)
    populate_demo(engine, now=NOW)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("period", _periods(), ids=lambda p: p.label)
def test_a_year_of_synthetic_history_gives_the_same_report(synthetic, period):
    full, lean = _both(synthetic, period)
    assert lean == full
    assert any(p["phases"] for p in full["projects"])  # there is time per phase to compare


@pytest.mark.parametrize("period", _periods()[:4], ids=lambda p: p.label)
def test_the_demo_board_gives_the_same_report(demo, period):
    full, lean = _both(demo, period)
    assert lean == full


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/New_York"])
def test_the_same_report_in_other_time_zones(synthetic, zone):
    """Local days (a half-hour offset, a daylight saving change) come out alike too."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        for period in _periods()[:3]:
            full, lean = _both(synthetic, period)
            assert lean == full
    finally:
        os.environ["TZ"] = old or "UTC"
        time.tzset()


def test_long_past_weeks_need_the_earlier_events_of_a_few_tasks(team, engine):
    """A status that began before the charts start and changed only after the report's
    moment: when it began (and the WIP override it was given under) is in earlier events,
    which are read for that task alone."""
    weeks_ago = lambda n: NOW - timedelta(weeks=n)  # noqa: E731
    for title, owner in (("Label audit", "alice"), ("Feature store", "alice"),
                         ("Data contract", "bob")):
        team.add_task("CHURN", title, Phase.DATA_EXPLORATION, owner=owner, at=weeks_ago(34))
    team.start("CHURN-1", at=weeks_ago(33))
    team.start("CHURN-2", override="the feature store blocks everyone",
               at=weeks_ago(33) + timedelta(hours=1))
    bob = acting_as(team, "bob")  # only a task's owner starts, parks or finishes it
    bob.start("CHURN-3", at=weeks_ago(33))
    bob.wait("CHURN-3", "legal review of the data contract", at=weeks_ago(32))
    bob.start("CHURN-3", at=weeks_ago(1))
    for key in ("CHURN-1", "CHURN-2", "CHURN-3"):
        (bob if key == "CHURN-3" else team).done(key, at=weeks_ago(1) + timedelta(hours=2))
    period = Period.week_of(NOW.date() - timedelta(weeks=20))
    with read(engine) as conn:
        lean = load_history(conn, until=period.as_of(NOW), since=period.start_moment())
    assert lean.whole == {"CHURN-1", "CHURN-2", "CHURN-3"}
    full, lean_report = _both(engine, period)
    assert lean_report == full
    alice, bob = (next(p for p in full["people"] if p["handle"] == handle)
                  for handle in ("alice", "bob"))
    assert "CHURN-2 WIP override" in alice["flags"]
    assert [t["key"] for t in alice["in_progress"]] == ["CHURN-1", "CHURN-2"]
    assert bob["waiting"][0]["reason"] == "legal review of the data contract"
    assert bob["waiting"][0]["days"] > 40


@pytest.mark.parametrize("board", ["synthetic", "demo"])
def test_stored_work_logs_are_what_the_events_say(board, request):
    engine = request.getfixturevalue(board)
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, work_log FROM task")).all())
        derived = work_logs.derive(conn)
    assert stored == derived
    assert sum(log != "[]" for log in stored.values()) > len(stored) // 4


@pytest.mark.parametrize("weeks_back", [0, 7, 30])
def test_work_logs_add_up_to_the_replayed_time_per_phase(synthetic, weeks_back):
    """Days per phase, first days and phase bars per project, from the stored logs
    (what a report reads) and from replaying every event, up to the same moment."""
    moment = NOW - timedelta(weeks=weeks_back, hours=3)
    days = DayCounter(CALENDAR, date(2025, 11, 1), date(2026, 12, 31))
    with read(synthetic) as conn:
        full = load_history(conn)
        lean = history_reads.lean_tasks(conn)
    timelines = build_timelines(full.tasks, full.events)
    for since in (None, moment.date() - timedelta(weeks=11)):
        replayed = metrics.project_work(
            (metrics.task_work(line, moment, days) for line in timelines.values()), days, since)
        logged = metrics.logged_project_work(((t.project, t.work_log) for t in lean),
                                             micros(moment), days, since)
        assert logged == replayed
        assert sum(sum(spent.values()) for spent in logged.days.values()) > 100
