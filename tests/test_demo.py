"""The demo team: every situation the board and the weekly report must show is in it,
it is real history (only working hours, never in the future), and it is the same every
time for the same "now".
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from mlkanban.demo import create_demo_database, demo_db_path, populate_demo
from mlkanban.domain.clock import FixedClock
from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import PHASES, Phase
from mlkanban.domain.statuses import Status
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store import queries
from mlkanban.store.engine import make_engine
from mlkanban.store.schema import ensure_schema
from mlkanban.store.service import Service

#: Monday 23 November 2026, 10:00 UTC (the tests' usual "now").
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CALENDAR = WorkCalendar()


def build(path, now: datetime = NOW, calendar: WorkCalendar | None = None) -> Service:
    engine = make_engine(str(path))
    ensure_schema(engine)
    populate_demo(engine, now=now, calendar=calendar)
    return Service(engine, actor="viewer", clock=FixedClock(now), calendar=calendar)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Service:
    service = build(tmp_path_factory.mktemp("demo") / "demo.db")
    yield service
    service.engine.dispose()


def all_events(service: Service):
    with service.read() as conn:
        return queries.events(conn)


def history_tuples(service: Service) -> list[tuple]:
    """Everything but the random event uids and ids."""
    return [
        (e.kind, e.actor, e.project, e.task, e.person, e.at, e.field, e.old, e.new, e.reason)
        for e in all_events(service)
    ]


def in_progress_by_person(service: Service) -> Counter:
    return Counter(t.owner for t in service.tasks(statuses=[Status.IN_PROGRESS]))


def test_team_has_people_with_names_and_one_wip_limit_of_two(demo: Service):
    people = demo.people(active_only=True)
    assert len(people) >= 5
    assert all(" " in p.name and p.name != p.handle for p in people)
    assert [p.wip_limit for p in people].count(2) == 1


def test_four_projects_with_hypothesis_metric_and_a_plan(demo: Service):
    projects = demo.projects()
    assert len(projects) == 4
    for project in projects:
        assert project.hypothesis and project.metric and project.owner
        assert set(project.plan) == set(PHASES)
        assert all(0 < weeks <= 4 for weeks in project.plan.values())


def test_everyone_has_one_task_in_progress_with_two_exceptions(demo: Service):
    """One person overrode the WIP limit; one waits on an A/B test with nothing started."""
    busy = in_progress_by_person(demo)
    people = {p.handle: p for p in demo.people(active_only=True)}
    over = [h for h in people if busy[h] > people[h].wip_limit]
    idle = [h for h in people if busy[h] == 0]
    assert len(over) == 1 and busy[over[0]] == 2
    assert len(idle) == 1
    assert all(busy[h] == 1 for h in people if h not in over + idle)
    assert None not in busy  # nothing in progress without an owner
    overridden = [t for t in demo.tasks(owner=over[0]) if t.wip_override]
    assert len(overridden) == 1 and overridden[0].status is Status.IN_PROGRESS
    events = [e for e in all_events(demo) if e.kind == "wip_override"]
    assert [e.task for e in events] == [overridden[0].key]
    assert events[0].reason == overridden[0].wip_override and len(events[0].reason) > 20

    waiting = demo.tasks(owner=idle[0], statuses=[Status.WAITING])
    assert len(waiting) == 1 and waiting[0].phase is Phase.AB_TESTING


def test_exactly_one_task_waits_on_an_ab_test_running_until_a_future_date(demo: Service):
    waiting = [t for t in demo.tasks(statuses=[Status.WAITING]) if "A/B" in (t.reason or "")]
    assert len(waiting) == 1
    task = waiting[0]
    assert "50% split" in task.reason
    ends = demo.ab_tests([task.key])[task.key].ends_on
    assert ends > NOW.date()
    assert f"until {ends:%a} {ends.day} {ends:%b}" in task.reason
    assert in_progress_by_person(demo)[task.owner] == 0


def test_exactly_one_task_in_progress_is_over_the_size_limit(demo: Service):
    today = NOW.date()
    in_progress = demo.tasks(statuses=[Status.IN_PROGRESS])
    over = [t for t in in_progress if t.over_size(today, CALENDAR)]
    assert len(over) == 1
    assert over[0].age(today, CALENDAR) > 5
    assert over[0].age(today, CALENDAR) > over[0].estimate
    assert all(t.estimate is not None for t in in_progress)


def test_one_task_moved_back_from_modeling_to_data_exploration(demo: Service):
    moves = [e for e in all_events(demo) if e.kind == "moved_phase"]
    back = [e for e in moves if (e.old, e.new) == ("modeling", "data-exploration")]
    assert len(back) == 1
    task = demo.task(back[0].task)
    assert task.phase is Phase.DATA_EXPLORATION and task.status is Status.IN_PROGRESS
    assert "leakage" in task.title.lower()
    assert [e.kind for e in demo.history(task.key)].count("edited") == 1
    assert any(e.kind == "pivot" and e.project == task.project for e in all_events(demo))


def test_a_dropped_task_keeps_its_reason(demo: Service):
    dropped = demo.tasks(statuses=[Status.DROPPED])
    assert len(dropped) == 1
    assert dropped[0].reason.startswith("Pivot")


def test_backlog_has_unassigned_tasks_and_work_for_everyone(demo: Service):
    todo = demo.tasks(statuses=[Status.TODO])
    assert len([t for t in todo if t.owner is None]) >= 3
    per_person = Counter(t.owner for t in todo if t.owner)
    assert set(per_person) == {p.handle for p in demo.people()}


def test_every_phase_has_open_or_recent_work(demo: Service):
    recent = NOW - timedelta(days=7)
    shown = demo.tasks(statuses=[Status.TODO, Status.IN_PROGRESS, Status.WAITING, Status.DONE],
                       done_since=recent)
    assert {t.phase for t in shown} == set(PHASES)
    open_phases = {t.phase for t in shown if t.status is not Status.DONE}
    assert open_phases == set(PHASES)


def test_steady_flow_of_done_tasks_over_six_weeks(demo: Service):
    tasks = demo.tasks()
    done = [t for t in tasks if t.status is Status.DONE]
    assert 40 <= len(tasks) <= 70
    assert len(done) > len(tasks) / 2
    weeks = Counter(t.done_at.isocalendar()[:2] for t in done)
    assert len(weeks) == 6  # the six weeks before this Monday
    assert min(weeks.values()) >= 4
    assert sum(1 for t in done if NOW - t.done_at <= timedelta(days=7)) >= 5
    assert all(t.started_at <= t.done_at for t in done)


def test_history_is_in_working_hours_on_working_days_and_never_in_the_future(demo: Service):
    events = all_events(demo)
    assert len(events) > 150
    for event in events:
        local = event.at.astimezone()
        assert CALENDAR.is_working_day(local.date()), event
        assert 8 <= local.hour < 18, event
        assert NOW - timedelta(weeks=7) < event.at < NOW, event
    assert Counter(e.actor for e in events).keys() == {p.handle for p in demo.people()}


def test_phase_deliverables_follow_the_projects_progress(demo: Service):
    reached = {(d.project, d.phase) for d in demo.deliverables()}
    assert {("SEARCH", p) for p in PHASES[:5]} <= reached
    assert ("CHURN", Phase.MODELING) not in reached


def test_same_now_gives_the_same_history(tmp_path, demo: Service):
    again = build(tmp_path / "again.db")
    try:
        assert history_tuples(again) == history_tuples(demo)
        assert again.tasks() == demo.tasks()
    finally:
        again.engine.dispose()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 28, 15, 0, tzinfo=UTC),  # Saturday
        datetime(2026, 11, 29, 23, 59, tzinfo=UTC),  # Sunday night
        datetime(2027, 3, 3, 6, 0, tzinfo=UTC),  # Wednesday, before work
    ],
)
def test_any_day_of_the_week_works(tmp_path, now):
    service = build(tmp_path / "demo.db", now)
    try:
        events = all_events(service)
        assert max(e.at for e in events) < now
        assert all(CALENDAR.is_working_day(e.at.astimezone().date()) for e in events)
        over = [t for t in service.tasks(statuses=[Status.IN_PROGRESS])
                if t.over_size(now.date(), CALENDAR)]
        assert len(over) == 1
    finally:
        service.engine.dispose()


def test_holidays_get_no_history(tmp_path):
    holidays = [date(2026, 11, 19), date(2026, 11, 20)]
    calendar = WorkCalendar(holidays)
    service = build(tmp_path / "demo.db", calendar=calendar)
    try:
        days = {e.at.astimezone().date() for e in all_events(service)}
        assert not days & set(holidays)
        assert date(2026, 11, 18) in days
    finally:
        service.engine.dispose()


def test_populate_refuses_a_database_that_is_not_empty(team: Service):
    with pytest.raises(BadInput, match="empty"):
        populate_demo(team.engine, now=NOW)
    assert team.counts()["tasks"] == 0


def test_create_replaces_an_old_demo_database(tmp_path):
    path = tmp_path / "demo.db"
    path.write_bytes(b"not a database")
    (tmp_path / "demo.db-wal").write_bytes(b"stale")
    assert create_demo_database(path, now=NOW) == path
    assert create_demo_database(path, now=NOW) == path
    engine = make_engine(str(path))
    try:
        counts = Service(engine, clock=FixedClock(NOW)).counts()
        assert counts["people"] == 6 and counts["projects"] == 4
    finally:
        engine.dispose()


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are a Linux convention")
def test_demo_database_lives_in_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert demo_db_path() == tmp_path / "data" / "mlkanban" / "demo.db"
    assert not demo_db_path().parent.exists()
