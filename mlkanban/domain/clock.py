"""Time, injected: services take a clock so tests never depend on the real date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, timezone-aware in UTC (what the database stores)."""
    return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move; for tests and demo data."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """Make any datetime UTC-aware; a naive one is taken as local time."""
    if moment.tzinfo is None:
        moment = moment.astimezone()  # interpret as local time
    return moment.astimezone(UTC)
