"""The weekly report's content on the hand-built history (see conftest)."""

from __future__ import annotations

from datetime import date

import pytest

from mlkanban.domain.errors import BadInput
from mlkanban.history.weekly import Period, build_report
from tests.history.dates import at


def test_iso_weeks_run_monday_to_sunday():
    period = Period.parse_week("2026-W47")
    assert (period.start, period.end, period.label) == (date(2026, 11, 16), date(2026, 11, 22),
                                                        "2026-W47")
    assert Period.parse_week("2026w1").start == date(2025, 12, 29)
    assert Period.parse_week("2026-W53").start == date(2026, 12, 28)  # 2026 has 53 weeks
    assert period.previous().label == "2026-W46"
    assert period.next().label == "2026-W48"


@pytest.mark.parametrize("text", ["2026-W99", "2027-W53", "2026-W00", "W47", "2026-47", ""])
def test_bad_weeks_are_refused(text):
    with pytest.raises(BadInput):
        Period.parse_week(text)


def test_a_range_must_not_run_backwards():
    with pytest.raises(BadInput, match="after"):
        Period.between(date(2026, 11, 20), date(2026, 11, 10))


@pytest.fixture
def week47(history, calendar):
    return build_report(history, Period.parse_week("2026-W47"), now=at(23, 10), calendar=calendar)


def test_the_report_is_as_of_the_end_of_a_past_week(week47):
    assert week47.title == "Week 2026-W47: Mon 16 Nov – Sun 22 Nov 2026"
    assert week47.as_of.date() == date(2026, 11, 22)
    s = week47.summary
    # CHURN-3 was the only task first started that week; CHURN-2 was resumed
    assert (s.done, s.started, s.moved, s.moved_back, s.in_progress, s.waiting) == (
        0, 1, 1, 1, 2, 0)


def test_people_rows(week47):
    rows = {row.handle: row for row in week47.people}
    alice, bob = rows["alice"], rows["bob"]
    assert [t.key for t in alice.in_progress] == ["CHURN-2", "CHURN-3"]
    assert [t.age_days for t in alice.in_progress] == [9, 1]
    assert alice.flags == ["CHURN-2 over size", "CHURN-3 WIP override", "2/1 in progress"]
    assert (bob.in_progress, bob.done, bob.flags) == ([], [], ["idle"])


def test_attention(week47):
    a = week47.attention
    assert [(o.key, o.owner, o.reason) for o in a.overrides] == [
        ("CHURN-3", "alice", "prod incident")]
    assert [t.key for t in a.over_size] == ["CHURN-2"]
    assert [(p.key, p.last_event, p.days) for p in a.stalled] == [("FRAUD", date(2026, 11, 2), 13)]
    assert a.idle == ["bob"]
    assert a.long_waits == []


def test_project_section_against_plan(week47):
    churn = next(p for p in week47.projects if p.key == "CHURN")
    rows = {r.phase: r for r in churn.phases}
    # up to Sun 22: CHURN-2 Modeling 3 + 1 + 2 days, CHURN-3 Data Exploration 1 day
    assert (rows["research"].planned_weeks, rows["research"].actual_weeks) == (1, 0.4)
    assert (rows["modeling"].planned_weeks, rows["modeling"].actual_weeks) == (2, 1.2)
    assert (rows["data-exploration"].planned_weeks, rows["data-exploration"].actual_weeks) == (
        None, 0.6)
    assert "productization" not in rows  # no plan, no work
    assert churn.current_phase == "data-exploration"  # CHURN-3 was started last
    assert [(m.key, m.back) for m in churn.moved] == [("CHURN-3", True)]
    assert [t.key for t in churn.started] == ["CHURN-3"]
    fraud = next(p for p in week47.projects if p.key == "FRAUD")
    assert (fraud.stalled_days, fraud.phases, fraud.current_phase) == (13, [], None)


def test_the_current_week_is_as_of_now(history, calendar):
    report = build_report(history, Period.parse_week("2026-W48"), now=at(23, 10),
                          calendar=calendar)
    assert report.as_of == at(23, 10)
    assert [t.key for t in report.people[0].done] == ["CHURN-2"]
    assert report.people[0].done[0].age_days == 10  # its cycle time, holiday excluded
    assert [(w.week, w.done) for w in report.throughput[-4:]] == [
        ("2026-W45", 1), ("2026-W46", 0), ("2026-W47", 0), ("2026-W48", 1)]
    assert report.summary.average_done == round(1 / 3, 1)  # W45-W47: the board began in W45
    assert report.flow[-1].day == date(2026, 11, 23)
    assert (report.flow[-1].in_progress, report.flow[-1].done) == (1, 2)


def test_json_data_has_the_same_content(week47):
    data = week47.to_data()
    assert data["start"] == "2026-11-16"
    assert data["attention"]["overrides"][0]["reason"] == "prod incident"
    assert data["people"][0]["in_progress"][0]["key"] == "CHURN-2"
    assert [w["week"] for w in data["throughput"]] == ["2026-W45", "2026-W46", "2026-W47"]
    assert data["flow"][0]["day"] == "2026-11-02"  # the charts begin with the board
