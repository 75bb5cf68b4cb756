"""Reading ``--at`` the way people write it (local time is UTC in tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mlkanban.commands.when import parse_when
from mlkanban.domain.errors import BadInput

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("2026-11-20 17:00", datetime(2026, 11, 20, 17, 0, tzinfo=UTC)),
        ("2026-11-20T17:00:00+01:00", datetime(2026, 11, 20, 16, 0, tzinfo=UTC)),
        ("yesterday 17:00", datetime(2026, 11, 24, 17, 0, tzinfo=UTC)),
        ("yesterday 5pm", datetime(2026, 11, 24, 17, 0, tzinfo=UTC)),
        ("yesterday", NOW - timedelta(days=1)),
        ("today 9:00", datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),
        ("3h ago", NOW - timedelta(hours=3)),
        ("2 days ago", NOW - timedelta(days=2)),
        ("45 minutes ago", NOW - timedelta(minutes=45)),
        ("friday 9:00", datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),  # the last Friday
        ("monday", datetime(2026, 11, 23, 0, 0, tzinfo=UTC)),
        ("10:15", datetime(2026, 11, 25, 10, 15, tzinfo=UTC)),
    ],
)
def test_understood(text, expected):
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "  ", "someday", "2026-13-45", "yesterday at noonish"])
def test_not_understood(text):
    with pytest.raises(BadInput, match="--at"):
        parse_when(text, NOW)


def test_tomorrow_is_understood_and_left_for_the_service_to_refuse():
    assert parse_when("tomorrow 9:00", NOW) == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def zone(monkeypatch):
    """Run in a named time zone (with daylight saving), restored afterwards."""
    import time

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("zone_name", "now", "text", "expected"),
    [
        # Read in December (winter time), about a July day (summer time): UTC+2 then.
        ("Europe/Berlin", datetime(2026, 12, 1, 10, tzinfo=UTC), "2026-07-01 10:00",
         datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        # Read in summer about a winter day: UTC+1 then.
        ("Europe/Berlin", datetime(2026, 7, 1, 10, tzinfo=UTC), "2026-01-15 10:00",
         datetime(2026, 1, 15, 9, 0, tzinfo=UTC)),
        # Either side of the EU change on Sunday 25 October 2026 (03:00 CEST -> 02:00 CET).
        ("Europe/Berlin", datetime(2026, 10, 26, 12, tzinfo=UTC), "2026-10-24 23:30",
         datetime(2026, 10, 24, 21, 30, tzinfo=UTC)),
        ("Europe/Berlin", datetime(2026, 10, 26, 12, tzinfo=UTC), "2026-10-25 12:00",
         datetime(2026, 10, 25, 11, 0, tzinfo=UTC)),
        # "yesterday 17:00" the day after the change is 17:00 of winter time.
        ("Europe/Berlin", datetime(2026, 10, 26, 12, tzinfo=UTC), "yesterday 17:00",
         datetime(2026, 10, 25, 16, 0, tzinfo=UTC)),
        # New York across the US change on Sunday 1 November 2026 (EDT -4 -> EST -5).
        ("America/New_York", datetime(2026, 11, 3, 15, tzinfo=UTC), "2026-10-31 09:00",
         datetime(2026, 10, 31, 13, 0, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 11, 3, 15, tzinfo=UTC), "2026-11-02 09:00",
         datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),
        # A weekday name reaching back over the change keeps the wall-clock time.
        ("America/New_York", datetime(2026, 11, 3, 15, tzinfo=UTC), "friday 9:00",
         datetime(2026, 10, 30, 13, 0, tzinfo=UTC)),
        # Elapsed time is elapsed time, whatever the clocks did.
        ("Europe/Berlin", datetime(2026, 10, 25, 2, 30, tzinfo=UTC), "3h ago",
         datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
    ],
)
def test_local_times_use_the_offset_in_force_on_that_date(zone, zone_name, now, text,
                                                          expected):
    zone(zone_name)
    assert parse_when(text, now) == expected
