"""The report as the command line builds it: read lean (only what a week needs), with
the project record (deliverables, pivots, closings) and A/B tests, and always the same
report as a replay of the full history gives.

On top of the hand-built history of conftest, in week 2026-W47 (Mon 16 - Sun 22 Nov):
bob starts an A/B test task on FRAUD on Mon 16 and waits on the test from Tue 17; CHURN
reaches its Research deliverable Tue 17, pivots Wed 18, and is closed with a negative
outcome Fri 20 (which stops it). Titles and reasons carry Markdown and HTML.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history.metrics import DayCounter
from mlkanban.history.weekly import Period, build_report, load_history, weekly_report
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from tests.helpers import acting_as, run_cli
from tests.history.dates import at
from tests.markdown_checks import check_report

PLAN = "Execution plan | v2 <b>"
PIVOT = "Switch to `survival` models #2"
WHY = "Labels <i>too</i> late | noisy"


@pytest.fixture
def record(board: Service) -> Service:
    s = board
    s.add_task("FRAUD", "Run the A/B test", Phase.AB_TESTING, owner="bob", estimate=2,
               at=at(16, 9))
    s.set_ab_test("FRAUD-1", started_at=at(16, 9), duration_days=14, traffic_share=50,
                  control="rules", metric="chargebacks", at=at(16, 9, 30))
    bob = acting_as(s, "bob")  # only a task's owner starts or parks it
    bob.start("FRAUD-1", at=at(16, 10))
    bob.wait("FRAUD-1", "A/B test collecting traffic", at=at(17, 10))
    s.deliver("CHURN", Phase.RESEARCH, PLAN, link="docs/plan.md", at=at(17, 11))
    s.pivot("CHURN", PIVOT, at=at(18, 10))
    s.close_project("CHURN", "negative", WHY, drop_open=True, at=at(20, 15))
    return s


def test_markdown_shows_the_weeks_deliverable_pivot_and_closing(record, db_path, clock):
    result = run_cli(db_path, clock, "report", "--week", "2026-W47")
    assert result.exit_code == 0, result.output
    md = result.stdout
    check_report(md)
    churn = md.split("### CHURN: ")[1].split("\n### ")[0]
    assert "**Status** stopped" in churn  # no longer active, still in the week's report
    # outside tables a "|" needs no escape (and one would end up in a URL's link)
    assert "- **Outcome**: negative: Labels &lt;i&gt;too&lt;/i&gt; late | noisy" in churn
    assert "- Delivered (Research): Execution plan | v2 &lt;b&gt; (docs/plan.md)" in churn
    assert "- Pivot: Switch to \\`survival\\` models \\#2" in churn
    assert ("- Closed (stopped) with a negative outcome: "
            "Labels &lt;i&gt;too&lt;/i&gt; late | noisy") in churn
    assert "<b>" not in md and "<i>" not in md
    # bob waits on the test: started Mon 16, so Sun 22 is its day 7 (calendar days);
    # waiting since Tue 17: Wed, Thu, Fri are working days waited
    bob = next(line for line in md.splitlines() if line.startswith("| bob "))
    assert ("FRAUD-1 “Run the A/B test”: A/B test collecting traffic "
            "(3d, A/B test day 7 of 14)") in bob


def test_json_has_them_as_data(record, db_path, clock):
    result = run_cli(db_path, clock, "report", "--week", "2026-W47", "-f", "json")
    data = json.loads(result.stdout)
    churn = next(p for p in data["projects"] if p["key"] == "CHURN")
    assert (churn["status"], churn["outcome"], churn["outcome_why"]) == ("stopped", "negative",
                                                                         WHY)
    assert churn["deliverables"] == [{"phase": "research", "title": PLAN, "link": "docs/plan.md",
                                      "at": at(17, 11).isoformat()}]
    assert churn["pivots"] == [PIVOT]
    assert churn["closed"] == {"outcome": "negative", "why": WHY, "status": "stopped",
                               "at": at(20, 15).isoformat()}
    bob = next(p for p in data["people"] if p["handle"] == "bob")
    assert [(w["key"], w["ab_test"]) for w in bob["waiting"]] == [("FRAUD-1", "day 7 of 14")]


def test_a_week_before_the_closing_shows_the_project_as_it_was(record, db_path, clock):
    data = json.loads(run_cli(db_path, clock, "report", "-w", "2026-W46", "-f", "json").stdout)
    churn = next(p for p in data["projects"] if p["key"] == "CHURN")
    assert (churn["status"], churn["outcome"], churn["closed"]) == ("active", None, None)
    assert (churn["deliverables"], churn["pivots"]) == ([], [])
    # and the week after shows the outcome, without listing the closing again
    data = json.loads(run_cli(db_path, clock, "report", "-f", "json").stdout)
    churn = next(p for p in data["projects"] if p["key"] == "CHURN")
    assert (churn["outcome"], churn["closed"], churn["pivots"]) == ("negative", None, [])


@pytest.mark.parametrize("week", ["2026-W45", "2026-W46", "2026-W47", "2026-W48"])
@pytest.mark.parametrize("holidays", [(), (date(2026, 11, 18),)])
def test_the_lean_read_gives_the_report_of_the_full_replay(record, week, holidays):
    """The command line reads only what a week needs; the full history must agree."""
    calendar = WorkCalendar(holidays)
    period = Period.parse_week(week)
    with record.read() as conn:
        full = build_report(load_history(conn), period, now=at(23, 10), calendar=calendar)
        lean = weekly_report(conn, period, now=at(23, 10), calendar=calendar)
    assert lean.to_data() == full.to_data()


def test_the_same_on_a_synthetic_year(tmp_path):
    from tests.test_synthetic import NOW, load_synthetic

    db = tmp_path / "year.db"
    load_synthetic().build_large_database(db, tasks=300, events=6_000, days=365, now=NOW)
    service = Service(make_engine(str(db)), actor="tester")
    calendar = WorkCalendar([date(2026, 5, 1), date(2026, 11, 18)])
    with service.read() as conn:
        full = load_history(conn)
        for back in range(0, 52, 3):
            period = Period.week_of(NOW.date() - timedelta(weeks=back))
            expected = build_report(full, period, now=NOW, calendar=calendar).to_data()
            assert weekly_report(conn, period, now=NOW, calendar=calendar).to_data() == expected


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/St_Johns", "Asia/Kolkata",
                                  "Australia/Lord_Howe"], indirect=True)
def test_day_counter_days_follow_the_local_zone_across_clock_changes(zone):
    days = DayCounter(WorkCalendar(), date(2026, 1, 1), date(2026, 12, 31))
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment < datetime(2027, 1, 2, tzinfo=UTC):
        assert days.day(moment) == moment.astimezone().date(), moment
        moment += timedelta(minutes=7, seconds=13)
