"""The lean reads of the weekly report on SQLite and on PostgreSQL: the report of each
week is the one a replay of the full history gives (see ``test_report_reads``)."""

from __future__ import annotations

import pytest

from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history.weekly import Period, build_report, load_history, weekly_report
from tests.history.dates import HOLIDAY, at
from tests.history.test_report_reads import record  # noqa: F401  (the fixture)


@pytest.fixture
def engine(backend_engine):
    return backend_engine


@pytest.mark.parametrize("week", ["2026-W45", "2026-W46", "2026-W47", "2026-W48"])
def test_the_lean_read_gives_the_report_of_the_full_replay(record, week):  # noqa: F811
    calendar = WorkCalendar([HOLIDAY])
    period = Period.parse_week(week)
    with record.read() as conn:
        full = build_report(load_history(conn), period, now=at(23, 10), calendar=calendar)
        lean = weekly_report(conn, period, now=at(23, 10), calendar=calendar)
    assert lean.to_data() == full.to_data()
    assert [p.key for p in lean.projects] == ["CHURN", "FRAUD"]
