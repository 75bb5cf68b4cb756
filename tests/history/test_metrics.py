"""Each metric on the hand-built history of conftest, with answers worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import metrics
from mlkanban.history.metrics import DayCounter
from mlkanban.history.replay import board_at, build_timelines
from tests.history.dates import HOLIDAY, at


@pytest.fixture
def days(calendar) -> DayCounter:
    return DayCounter(calendar, date(2026, 10, 1), date(2026, 12, 31))


@pytest.fixture
def timelines(history):
    return build_timelines(history.tasks, history.events)


def test_day_counter_agrees_with_the_calendar(calendar, days):
    start = date(2026, 10, 1)
    for offset in range(0, 60, 3):
        for length in (0, 1, 4, 9, 20):
            a = start + timedelta(days=offset)
            b = a + timedelta(days=length)
            assert days.between(a, b) == calendar.working_days(a, b)
    # outside its range it asks the calendar
    assert days.between(date(2026, 1, 5), date(2026, 1, 9)) == 5
    for offset in range(0, 40, 3):
        for count in (0, 1, 4, 9):
            day = start + timedelta(days=offset)
            assert days.add(day, count) == calendar.add_working_days(day, count)


def test_modeling_to_data_exploration_and_back_with_a_wait_and_a_holiday(timelines, days):
    """CHURN-2, in progress: Mon 9-Wed 11 Modeling (3 days); Wed 11-Fri 13 Data
    Exploration (Thu, Fri: Wed already counted); Fri 13-Mon 16 Modeling (Mon; the
    weekend is not worked, Fri already counted); waiting Mon 16 12:00 - Thu 19 (Tue 17
    not worked, Wed 18 a holiday); Thu 19 - Mon 23 Modeling (Thu, Fri, Mon)."""
    work = metrics.task_work(timelines["CHURN-2"], at(23, 10), days)
    assert work.by_phase == {Phase.MODELING: 3 + 1 + 3, Phase.DATA_EXPLORATION: 2}
    assert work.active_days == 9
    assert (work.started, work.finished) == (date(2026, 11, 9), date(2026, 11, 23))
    # Mon 9 - Mon 23: 11 weekdays, minus the holiday
    assert work.cycle_days(days) == 10
    assert work.waiting_days(days) == 1  # Tuesday 17


def test_without_the_holiday_the_wait_is_a_day_longer(timelines):
    days = DayCounter(WorkCalendar(), date(2026, 10, 1), date(2026, 12, 31))
    work = metrics.task_work(timelines["CHURN-2"], at(23, 10), days)
    assert (work.cycle_days(days), work.active_days, work.waiting_days(days)) == (11, 9, 2)


def test_a_task_not_finished_has_no_cycle_time(timelines, days):
    work = metrics.task_work(timelines["CHURN-2"], at(20, 12), days)
    assert work.finished is None
    assert work.cycle_days(days) is None
    assert work.active_days == 3 + 2 + 1 + 2  # up to Fri 20


def test_started_in_one_week_and_finished_in_the_next(timelines, days):
    weeks = [date(2026, 11, 2) + timedelta(weeks=n) for n in range(4)]  # W45..W48
    assert metrics.throughput(timelines.values(), weeks, at(23, 10)) == [1, 0, 0, 1]
    # before CHURN-2 was finished, W48 had nothing
    assert metrics.throughput(timelines.values(), weeks, at(23, 8)) == [1, 0, 0, 0]


def test_time_per_phase_per_project(timelines, days):
    works = [metrics.task_work(line, at(23, 10), days) for line in timelines.values()]
    spent = metrics.phase_days(works)
    # CHURN-1: Wed 4 and Thu 5 in Research; CHURN-3: Fri 20 and Mon 23 in Data Exploration
    assert spent == {"CHURN": {Phase.RESEARCH: 2, Phase.MODELING: 7,
                               Phase.DATA_EXPLORATION: 2 + 2}}


def test_phase_timeline_of_a_project(timelines, days):
    works = [metrics.task_work(line, at(23, 10), days) for line in timelines.values()]
    bars = metrics.phase_timeline(works, days)["CHURN"]
    d = lambda n: date(2026, 11, n)  # noqa: E731
    assert bars == [
        (Phase.RESEARCH, d(4), d(5)),
        (Phase.MODELING, d(9), d(11)),
        (Phase.DATA_EXPLORATION, d(11), d(13)),
        (Phase.MODELING, d(13), d(16)),  # Thu 12 was worked in Data Exploration
        (Phase.MODELING, d(19), d(23)),  # Tue 17 was not worked
        (Phase.DATA_EXPLORATION, d(20), d(23)),
    ]


def test_phase_timeline_bridges_weekends_and_holidays_but_not_working_days(days):
    d = lambda n: date(2026, 11, n)  # noqa: E731
    a = metrics.TaskWork("X-1", "X", pieces=[(Phase.MODELING, d(13), d(13)),
                                             (Phase.MODELING, d(19), d(19))])
    b = metrics.TaskWork("X-2", "X", pieces=[(Phase.MODELING, d(16), d(17)),
                                             (Phase.RESEARCH, d(2), d(2)),
                                             (Phase.RESEARCH, d(4), d(4))])
    assert metrics.phase_timeline([a, b], days)["X"] == [
        (Phase.RESEARCH, d(2), d(2)),
        (Phase.RESEARCH, d(4), d(4)),  # Tue 3 is a working day between them
        (Phase.MODELING, d(13), d(19)),  # a weekend, then Wed 18 the holiday
    ]


def test_cumulative_flow_counts_tasks_per_status_at_the_end_of_each_day(timelines):
    flow = dict(metrics.cumulative_flow(timelines.values(), date(2026, 11, 1),
                                        date(2026, 11, 23), at(23, 10)))
    count = lambda n, s: flow[date(2026, 11, n)][s]  # noqa: E731
    assert sum(flow[date(2026, 11, 1)].values()) == 0
    assert (count(2, Status.TODO), count(4, Status.IN_PROGRESS), count(5, Status.DONE)) == (1, 1, 1)
    assert count(5, Status.IN_PROGRESS) == 0
    assert (count(16, Status.TODO), count(16, Status.WAITING), count(16, Status.DONE)) == (1, 1, 1)
    assert count(20, Status.IN_PROGRESS) == 2  # CHURN-2 resumed, CHURN-3 with an override
    assert (count(23, Status.IN_PROGRESS), count(23, Status.DONE)) == (1, 2)
    assert all(sum(flow[date(2026, 11, n)].values()) == (1 if n < 6 else 2 if n < 16 else 3)
               for n in range(2, 24))


def test_age_and_over_size_at_the_end_of_a_week(timelines, days):
    board = {s.key: s for s in board_at(timelines, at(22, 23))}
    # CHURN-2: Mon 9 - Fri 20 is 10 weekdays minus the holiday; estimate 3
    assert metrics.age_days(board["CHURN-2"], date(2026, 11, 22), days) == 9
    assert metrics.over_size(board["CHURN-2"], date(2026, 11, 22), days)
    # CHURN-3: started Fri 20, estimate 1: day 1 on Sunday, day 2 on Monday
    assert metrics.age_days(board["CHURN-3"], date(2026, 11, 22), days) == 1
    assert not metrics.over_size(board["CHURN-3"], date(2026, 11, 22), days)
    assert metrics.over_size(board["CHURN-3"], date(2026, 11, 23), days)


def test_waiting_days_count_after_the_day_the_wait_began(timelines, days):
    board = {s.key: s for s in board_at(timelines, at(18, 23))}
    assert metrics.waiting_for(board["CHURN-2"], date(2026, 11, 18), days) == 1  # Tue 17


def test_stalled_projects_after_five_quiet_working_days(history, days):
    last = metrics.last_event_days(history.events, at(23, 10))
    assert last == {"CHURN": date(2026, 11, 23), "FRAUD": date(2026, 11, 2)}
    # FRAUD: Tue 3 - Fri 20 is 14 weekdays, minus the holiday, plus Monday 23
    assert metrics.stalled(last, ["CHURN", "FRAUD"], date(2026, 11, 23), days) == {"FRAUD": 14}
    # after exactly five quiet working days (Tue 3 - Mon 9) it counts; after four it does not
    assert metrics.stalled(last, ["FRAUD"], date(2026, 11, 9), days) == {"FRAUD": 5}
    assert metrics.stalled(last, ["FRAUD"], date(2026, 11, 6), days) == {}


def test_idle_people_waiting_does_not_count_as_busy(timelines):
    board = board_at(timelines, at(17))  # CHURN-2 waiting, nothing in progress
    assert metrics.idle_people(["alice", "bob"], board) == ["alice", "bob"]
    board = board_at(timelines, at(19, 12))
    assert metrics.idle_people(["alice", "bob"], board) == ["bob"]


def test_moves_back_are_recognised(history):
    moves = [e for e in history.events if e.kind == "moved_phase"]
    assert [(e.task, metrics.is_move_back(e)) for e in moves] == [
        ("CHURN-2", True), ("CHURN-2", False), ("CHURN-3", True)]


def test_holiday_is_not_a_working_day(calendar):
    assert not calendar.is_working_day(HOLIDAY)
