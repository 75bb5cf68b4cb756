"""The pure rules: phases, statuses, WIP, size and working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mlkanban.domain.errors import BadInput, RuleRefused
from mlkanban.domain.phases import PHASES, Phase, parse_phase
from mlkanban.domain.rules import check_estimate, check_wip, is_over_size
from mlkanban.domain.statuses import Status, check_transition, parse_status
from mlkanban.domain.workdays import WorkCalendar


class TestPhases:
    def test_six_phases_in_board_order(self):
        assert [p.title for p in PHASES] == [
            "Research", "Data Exploration", "Modeling", "Productization", "A/B Testing",
            "Results Analysis",
        ]

    @pytest.mark.parametrize(
        ("text", "phase"),
        [
            ("research", Phase.RESEARCH),
            ("eda", Phase.DATA_EXPLORATION),
            ("data", Phase.DATA_EXPLORATION),
            ("Data Exploration", Phase.DATA_EXPLORATION),
            ("MODEL", Phase.MODELING),
            ("prod", Phase.PRODUCTIZATION),
            ("ab", Phase.AB_TESTING),
            ("ab_testing", Phase.AB_TESTING),
            ("results", Phase.RESULTS_ANALYSIS),
        ],
    )
    def test_names_and_aliases(self, text, phase):
        assert parse_phase(text) is phase

    def test_unknown_phase_lists_the_choices(self):
        with pytest.raises(BadInput, match="unknown phase 'deploy'.*research, data-exploration"):
            parse_phase("deploy")


class TestStatuses:
    def test_markers_differ_by_shape(self):
        markers = {s.marker for s in Status}
        assert len(markers) == len(Status)

    def test_aliases(self):
        assert parse_status("in-progress") is Status.IN_PROGRESS
        assert parse_status("blocked") is Status.WAITING
        with pytest.raises(BadInput):
            parse_status("finished-ish")

    def test_dropped_can_only_be_reopened(self):
        check_transition("X-1", Status.DROPPED, Status.TODO)
        with pytest.raises(
            RuleRefused, match="X-1 is dropped; from there it can only become: to do"
        ):
            check_transition("X-1", Status.DROPPED, Status.IN_PROGRESS)

    def test_same_status_is_refused(self):
        with pytest.raises(RuleRefused, match="already done"):
            check_transition("X-1", Status.DONE, Status.DONE)


class TestWipRule:
    def test_under_the_limit(self):
        assert check_wip("alice", 1, []).allowed

    def test_at_the_limit_names_the_task_and_the_ways_out(self):
        verdict = check_wip("alice", 1, [("CHURN-3", "Train baseline")])
        assert not verdict.allowed
        assert "CHURN-3 “Train baseline”" in verdict.message
        for way_out in ("done", "wait", "--override"):
            assert way_out in verdict.message

    def test_override_needs_a_real_reason(self):
        assert not check_wip("alice", 1, [("A-1", "x")], override_reason="   ").allowed
        verdict = check_wip("alice", 1, [("A-1", "x")], override_reason="prod incident")
        assert verdict.allowed and verdict.overridden
        assert "2/1" in verdict.message

    def test_limit_of_two(self):
        assert check_wip("bob", 2, [("A-1", "x")]).allowed
        assert not check_wip("bob", 2, [("A-1", "x"), ("A-2", "y")]).allowed


class TestSizeRule:
    @pytest.mark.parametrize("days", [1, 3, 5, None])
    def test_allowed_estimates(self, days):
        assert check_estimate(days).allowed

    def test_over_five_days_hints_at_split(self):
        verdict = check_estimate(6)
        assert not verdict.allowed
        assert "split" in verdict.message

    def test_over_size_against_estimate_and_limit(self):
        assert not is_over_size(3, 3)
        assert is_over_size(4, 3)
        assert not is_over_size(5, None)
        assert is_over_size(6, None)
        assert is_over_size(6, 5)


class TestWorkingDays:
    # 2026-11-16 is a Monday.
    def test_a_week_is_five_days(self):
        cal = WorkCalendar()
        assert cal.working_days(date(2026, 11, 16), date(2026, 11, 20)) == 5
        assert cal.working_days(date(2026, 11, 16), date(2026, 11, 22)) == 5

    def test_same_day_counts_as_one(self):
        assert WorkCalendar().working_days(date(2026, 11, 18), date(2026, 11, 18)) == 1

    def test_weekend_only_is_zero(self):
        assert WorkCalendar().working_days(date(2026, 11, 21), date(2026, 11, 22)) == 0

    def test_across_a_weekend(self):
        # Friday to the next Tuesday: Fri, Mon, Tue.
        assert WorkCalendar().working_days(date(2026, 11, 20), date(2026, 11, 24)) == 3

    def test_holidays_are_not_working_days(self):
        cal = WorkCalendar([date(2026, 11, 26), date(2026, 11, 28)])  # a Thursday and a Saturday
        assert cal.working_days(date(2026, 11, 23), date(2026, 11, 27)) == 4
        assert not cal.is_working_day(date(2026, 11, 26))

    def test_end_before_start(self):
        assert WorkCalendar().working_days(date(2026, 11, 20), date(2026, 11, 19)) == 0

    def test_any_span_counts_as_its_days_one_by_one(self):
        """Every start weekday, spans from one day to over a year, holidays on weekdays
        and weekends alike."""
        cal = WorkCalendar([date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)])
        for first in range(7):
            start = date(2026, 11, 16) + timedelta(days=first)
            for length in [*range(1, 30), 45, 180, 371, 400]:
                end = start + timedelta(days=length - 1)
                by_day = sum(cal.is_working_day(start + timedelta(days=i)) for i in range(length))
                assert cal.working_days(start, end) == by_day, (start, end)

    def test_add_working_days_skips_weekends_and_holidays(self):
        cal = WorkCalendar([date(2026, 11, 24)])
        assert cal.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)
        assert cal.add_working_days(date(2026, 11, 20), 2) == date(2026, 11, 25)
