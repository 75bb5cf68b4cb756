"""Working-day arithmetic: Monday to Friday minus configured holidays.

Ages, cycle times and the size limit are counted in working days *inclusive* of
the first day: a task started this morning is on day 1, and a 5-day task started on
a Monday is over size on the following Monday (day 6).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache


class WorkCalendar:
    """Counts working days; holidays come from the settings."""

    def __init__(self, holidays: Iterable[date] = ()) -> None:
        self.holidays = frozenset(holidays)
        self._count = lru_cache(maxsize=4096)(self._count_uncached)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def working_days(self, start: date, end: date) -> int:
        """Working days from ``start`` to ``end``, both included (0 if end < start)."""
        if end < start:
            return 0
        return self._count(start, end)

    def _count_uncached(self, start: date, end: date) -> int:
        """Whole weeks hold five weekdays each; the days left over are counted one by one
        (a board asks this for every card, over spans of up to years)."""
        weeks, rest = divmod((end - start).days + 1, 7)
        first = start.weekday()
        weekdays = weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < 5)
        holidays = sum(1 for h in self.holidays if start <= h <= end and h.weekday() < 5)
        return weekdays - holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself is not counted).

        Day by day, with no calendar library: every command builds a calendar, and
        importing one (dateutil's rrule) cost each of them more than this loop ever does."""
        day = start
        while days > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day
