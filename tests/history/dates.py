"""Moments of the hand-built history (see conftest), in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

HOLIDAY = date(2026, 11, 18)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)
