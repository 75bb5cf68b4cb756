"""The report's Mermaid charts: ticks that never collide, one row per phase, the report's
moment instead of the reader's date, and the unfinished week marked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mlkanban.history.weekly import ProjectSection, TimelineBar, WeekCount, WeeklyReport
from mlkanban.io import mermaid
from tests.markdown_checks import check_mermaid


def _ticks(interval: str, start: date, end: date) -> list[date]:
    """The days d3 puts ticks on for Mermaid's ``tickInterval`` (``weekday monday``):
    weeks counted from a fixed Monday, months from January, days every day."""
    unit = interval.lstrip("0123456789")
    count = int(interval[: len(interval) - len(unit)])
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    if unit == "day":
        return days
    if unit == "week":
        origin = date(1970, 1, 5)  # a Monday
        return [d for d in days if d.weekday() == 0 and (d - origin).days // 7 % count == 0]
    return [d for d in days if d.day == 1 and (d.month - 1) % count == 0]


@pytest.mark.parametrize("start", [date(2026, 10, 19), date(2026, 12, 7), date(2026, 1, 30)])
@pytest.mark.parametrize("days", [3, 9, 16, 30, 45, 84, 120, 200, 400, 800])
def test_tick_labels_never_overlap(start, days):
    end = start + timedelta(days=days)
    interval, fmt = mermaid.axis(start, end)
    ticks = _ticks(interval, start, end)
    assert ticks, (interval, start, end)
    labels = [d.strftime(fmt) for d in ticks]
    assert len(set(labels)) == len(labels)  # never "31 Oct" then "01 Nov" from a restart
    px_per_day = mermaid.PLOT_WIDTH / days
    for i in range(len(ticks) - 1):
        (a, la), (b, lb) = (ticks[i], labels[i]), (ticks[i + 1], labels[i + 1])
        room = (b - a).days * px_per_day
        assert room >= (len(la) + len(lb)) / 2 * mermaid._CHAR + 8, (interval, la, lb)


def test_the_axis_has_the_year_when_the_chart_spans_two():
    assert mermaid.axis(date(2026, 10, 5), date(2026, 12, 28)) == ("1week", "%d %b")
    interval, fmt = mermaid.axis(date(2026, 11, 2), date(2027, 1, 25))
    assert "%Y" in fmt and interval == "2week"
    assert mermaid.axis(date(2026, 11, 16), date(2026, 11, 23)) == ("1day", "%a %d")
    assert mermaid.axis(date(2025, 1, 1), date(2026, 12, 31))[1] == "%b %Y"


def test_stretches_that_touch_or_have_a_weekend_between_are_merged():
    bars = [TimelineBar("modeling", date(2026, 11, d1), date(2026, 11, d2))
            for d1, d2 in [(9, 11), (13, 13), (16, 17), (2, 4), (5, 5), (19, 20), (10, 10)]]
    merged = mermaid.merge(bars)
    # Mon 2 - Thu 5 (two that touch); Mon 9 - Wed 11 (Fri 6 is a working day between; one
    # inside it); Fri 13 - Tue 17 (Sat and Sun between); Thu 19 - Fri 20 (Wed 18 between)
    assert [(b.start.day, b.end.day) for b in merged] == [(2, 5), (9, 11), (13, 17), (19, 20)]


def _section(timeline, plan=(), planned=None) -> ProjectSection:
    from mlkanban.history.weekly import PhaseRow

    phases = [PhaseRow(p, p, w, 0, 0, 0) for p, w in (planned or {}).items()]
    return ProjectSection(
        key="CHURN", name="Churn", status="active", owner=None, hypothesis="", metric="",
        outcome=None, outcome_why=None, current_phase=None, phases=phases,
        timeline=list(timeline), plan=list(plan), done=[], started=[], moved=[],
        deliverables=[], pivots=[], last_event=None, stalled_days=None,
    )


def test_a_busy_project_has_one_row_of_work_per_phase():
    """53 worked stretches over 12 weeks, as a busy project of a synthetic board has."""
    start = date(2026, 9, 7)
    phases = ["research", "data-exploration", "modeling", "productization"]
    timeline = [TimelineBar(phases[n % 4], start + timedelta(days=n * 3 // 2),
                            start + timedelta(days=n * 3 // 2)) for n in range(53)]
    plan = [TimelineBar("modeling", date(2026, 9, 21), date(2026, 10, 9))]
    lines = mermaid.gantt(_section(timeline, plan, {"modeling": 3}),
                          datetime(2026, 11, 25, 10, tzinfo=UTC), since=start)
    chart = check_mermaid("\n".join(lines[1:-1]) + "\n")
    assert chart["sections"] == ["Research", "Data Exploration", "Modeling", "Productization",
                                 "As of"]
    worked = [bar for bar in chart["bars"] if bar[1]]
    assert len(worked) == 53  # none touch: each is its own bar, but on its phase's row
    assert "    plan 3w :2026-09-21, 2026-10-10" in lines
    # labels only where they fit: a one-day stretch on an 80-day chart has no room
    assert {bar[0] for bar in worked} == {mermaid.NO_LABEL}


def test_a_plan_that_began_before_the_charts_weeks_is_left_out():
    timeline = [TimelineBar("modeling", date(2026, 9, 7), date(2026, 11, 20))]
    plan = [TimelineBar("modeling", date(2025, 12, 1), date(2025, 12, 12)),
            TimelineBar("research", date(2026, 9, 14), date(2026, 9, 18))]
    lines = mermaid.gantt(_section(timeline, plan, {"modeling": 2, "research": 1}),
                          datetime(2026, 11, 25, 10, tzinfo=UTC), since=date(2026, 9, 7))
    assert "2025-12-01" not in "\n".join(lines)
    assert "    tickInterval 1week" in lines and "    axisFormat %d %b" in lines
    assert "    1w :2026-09-14, 2026-09-19" in lines  # "plan 1w" would not fit


@pytest.mark.parametrize(
    ("as_of", "line"),
    [
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "    Wed 25 Nov :milestone, 2026-11-25, 1200m"),
        (datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC),
         "    Wed 25 Nov :milestone, 2026-11-25, 1202m"),
        (datetime(2026, 11, 29, 23, 59, 59, 999_999, tzinfo=UTC),
         "    end of Sun 29 Nov :milestone, 2026-11-29, 2880m"),
    ],
)
def test_the_marker_is_the_reports_moment_not_the_readers_date(as_of, line):
    lines = mermaid.gantt(_section([TimelineBar("modeling", date(2026, 11, 2),
                                                 date(2026, 11, 20))]), as_of)
    assert "    todayMarker off" in lines
    assert lines[-3:] == ["    section As of", line, "```"]


def _report(as_of: datetime, weeks: list[tuple[str, date, int]]) -> WeeklyReport:
    from mlkanban.history.weekly import Attention, Summary

    return WeeklyReport(
        title="t", label="l", start=weeks[-1][1], end=weeks[-1][1] + timedelta(days=6),
        as_of=as_of, summary=Summary(0, 0, 0, 0, 0, 0, None), people=[], projects=[],
        attention=Attention([], [], [], [], []),
        throughput=[WeekCount(w, d, n) for w, d, n in weeks], flow=[],
    )


WEEKS = [("2026-W47", date(2026, 11, 16), 7), ("2026-W48", date(2026, 11, 23), 2)]


def test_the_unfinished_week_is_marked_as_such():
    lines = mermaid.throughput(_report(datetime(2026, 11, 25, 10, tzinfo=UTC), WEEKS))
    chart = check_mermaid("\n".join(lines[1:-1]) + "\n")
    assert chart["labels"] == ["W47", "W48*"]
    assert chart["series"] == [[7, 2], [7, 0]]  # the finished weeks drawn over it
    assert '    title "Tasks done per week (W48*: so far, up to Wed 25 Nov 10:00)"' in lines


def test_a_finished_week_is_a_plain_bar():
    end = datetime(2026, 11, 29, 23, 59, 59, 999_999, tzinfo=UTC)
    lines = mermaid.throughput(_report(end, WEEKS))
    chart = check_mermaid("\n".join(lines[1:-1]) + "\n")
    assert chart["labels"] == ["W47", "W48"] and chart["series"] == [[7, 2]]
    assert '    title "Tasks done per week"' in lines
