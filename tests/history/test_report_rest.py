"""Tasks closed before a report's charts begin are counted, not replayed: the report must
still be the one a replay of the full history gives, on SQLite and on PostgreSQL.

NOW is Monday 23 November 2026. OLD is a project whose work ended in the spring: two of
its tasks were finished at the very same moment in different phases (the project's
current phase is then the first one's, in key order), one was dropped, and one more
done long ago changes owner and title in the autumn, after some reports' moments.
CHURN has work in the charts' window. GONE and BACK were closed in the spring; BACK is
reopened in the autumn.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history.weekly import Period, build_report, load_history, weekly_report
from mlkanban.store.service import Service
from tests.helpers import acting_as

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SPRING = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)  # a Monday
CALENDAR = WorkCalendar()


@pytest.fixture
def engine(backend_engine):
    return backend_engine


@pytest.fixture
def board(service: Service) -> Service:
    s = service
    s.add_person("alice", name="Alice Martin", at=SPRING - timedelta(days=7))
    s.add_person("bob", name="Bob Chen", wip_limit=3, at=SPRING - timedelta(days=7))
    s.add_project("OLD", "Old project", at=SPRING - timedelta(days=7))
    s.add_project("CHURN", "Churn", at=SPRING - timedelta(days=7))
    bob = acting_as(s, "bob")
    for title, phase in (("Frame it", Phase.RESEARCH), ("Model it", Phase.MODELING),
                         ("Ship it", Phase.PRODUCTIZATION), ("Try it", Phase.DATA_EXPLORATION)):
        s.add_task("OLD", title, phase, owner="bob", estimate=2, at=SPRING)
    finished = SPRING + timedelta(days=3, hours=6)
    for key in ("OLD-2", "OLD-3"):
        bob.start(key, at=SPRING + timedelta(days=1))
    bob.start("OLD-1", at=SPRING + timedelta(hours=2))
    bob.done("OLD-1", at=SPRING + timedelta(days=2))
    for key in ("OLD-3", "OLD-2"):  # the same moment: OLD-2 comes first in key order
        bob.done(key, at=finished)
    s.drop("OLD-4", "no longer needed", at=finished - timedelta(hours=1))
    # CHURN: work in the autumn, around the reports' weeks
    s.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", at=NOW - timedelta(weeks=9))
    s.start("CHURN-1", at=NOW - timedelta(weeks=8))
    s.done("CHURN-1", at=NOW - timedelta(weeks=6))
    s.add_task("CHURN", "Features", Phase.DATA_EXPLORATION, owner="alice",
               at=NOW - timedelta(weeks=2))
    s.start("CHURN-2", at=NOW - timedelta(weeks=1))
    # a task done in the spring changes owner and title in the autumn
    s.assign("OLD-1", "alice", at=NOW - timedelta(weeks=5))
    s.edit("OLD-1", title="Frame it again", at=NOW - timedelta(weeks=5))
    # GONE and BACK worked in the spring and were closed then; BACK is reopened in the
    # autumn, after some reports' moments
    for key in ("GONE", "BACK"):
        s.add_project(key, key.title(), at=SPRING - timedelta(days=7))
        s.add_task(key, "Model it", Phase.MODELING, owner="bob", estimate=2, at=SPRING)
        bob.start(f"{key}-1", at=SPRING + timedelta(days=7))
        bob.done(f"{key}-1", at=SPRING + timedelta(days=9))
        s.close_project(key, "positive", "It worked", at=SPRING + timedelta(days=10))
    s.edit_project("BACK", status="active", at=NOW - timedelta(weeks=4))
    return s


@pytest.mark.parametrize("weeks_back", [0, 3, 5, 7, 12, 20, 31, 33])
def test_counted_tasks_give_the_report_of_the_full_replay(board, weeks_back):
    period = Period.week_of(NOW.date() - timedelta(weeks=weeks_back))
    with board.read() as sql:
        full = build_report(load_history(sql), period, now=NOW, calendar=CALENDAR)
        lean = load_history(sql, until=period.as_of(NOW), since=period.start_moment())
        report = weekly_report(sql, period, now=NOW, calendar=CALENDAR)
    assert report.to_data() == full.to_data()
    if weeks_back <= 12:  # the spring is long before these charts: OLD is counted
        replayed = {t.key for t in lean.tasks}
        assert "CHURN-2" in replayed
        # CHURN-1, done six weeks ago, is counted by a report of a later week; a report
        # of an earlier week replays it (it was closed after the report's start)
        assert ("CHURN-1" in replayed) == (weeks_back > 6)
        assert "OLD-2" not in {t.key for t in lean.tasks}
        assert lean.rest is not None and lean.rest.done[("OLD", "modeling")] == 1


def test_the_quiet_projects_phase_is_its_last_finished_tasks(board):
    period = Period.week_of(NOW.date())
    with board.read() as sql:
        report = weekly_report(sql, period, now=NOW, calendar=CALENDAR)
    old = next(p for p in report.projects if p.key == "OLD")
    assert old.current_phase == Phase.MODELING.value  # OLD-2, not OLD-3
    assert {(row.phase, row.done) for row in old.phases} >= {
        ("research", 1), ("modeling", 1), ("productization", 1)}


@pytest.mark.parametrize("weeks_back", [0, 5, 33])
def test_projects_a_report_cannot_show_are_not_counted_for(board, weeks_back):
    """A project closed long before the period, and not changed since the report's
    moment, is left out of the report: its work logs are not read. One reopened after
    that moment was closed then too, but is read (its row is not as it was)."""
    period = Period.week_of(NOW.date() - timedelta(weeks=weeks_back))
    with board.read() as sql:
        full = build_report(load_history(sql), period, now=NOW, calendar=CALENDAR)
        lean = load_history(sql, until=period.as_of(NOW), since=period.start_moment(),
                            calendar=CALENDAR)
    report = build_report(lean, period, now=NOW, calendar=CALENDAR)
    assert report.to_data() == full.to_data()
    shown = {p.key for p in report.projects}
    assert lean.rest is not None and lean.rest.work is not None
    if weeks_back == 33:  # the spring: both were at work
        assert {"GONE", "BACK"} <= shown and "GONE" in lean.rest.work.sums
    else:  # GONE's logs are not read; BACK shows from its reopening on
        assert "GONE" not in shown and "GONE" not in lean.rest.work.sums
        assert ("BACK" in shown) == (weeks_back < 4)
        assert "BACK" in lean.rest.work.sums
        back = next((p for p in report.projects if p.key == "BACK"), None)
        assert back is None or any(row.actual_weeks for row in back.phases)
