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
