"""Local days and working days, counted fast for thousands of moments.

A report turns many moments (event times, work-log pieces in microseconds) into local
calendar days and counts working days between them. ``DayCounter`` finds the local UTC
offsets of a range once and caches working-day counts, so each lookup is arithmetic.
"""

from __future__ import annotations

import time as _time
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from mlkanban.domain import work_log
from mlkanban.domain.workdays import WorkCalendar


def local_day(moment: datetime) -> date:
    """The local calendar day of a moment (the board shows local time)."""
    return moment.astimezone().date()


class DayCounter:
    """Working days between two dates in constant time, for reports over long histories.

    Counts the same days as ``WorkCalendar.working_days`` (it asks the calendar once per
    day in its range) and falls back to the calendar outside that range.
    """

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.first = first
        self.last = last
        running = 0
        self._upto: list[int] = []
        self._changes = _offset_changes(first, last)
        self._offsets = [_local_offset(int(at.timestamp())) for at in self._changes[:-1]]
        self._first_ordinal = first.toordinal()
        self._change_micros = [work_log.micros(at) for at in self._changes]
        self._offset_micros = [offset // _MICROSECOND for offset in self._offsets]
        self._dates: dict[int, date] = {}
        day = first
        while day <= last:
            running += calendar.is_working_day(day)
            self._upto.append(running)
            day += timedelta(days=1)

    def between(self, start: date, end: date) -> int:
        """Working days from ``start`` to ``end``, both included (0 if end < start)."""
        if end < start:
            return 0
        if start < self.first or end > self.last:
            return self.calendar.working_days(start, end)
        i = (start - self.first).days
        j = (end - self.first).days
        return self._upto[j] - (self._upto[i - 1] if i else 0)

    def after(self, start: date, end: date) -> int:
        """Working days after ``start`` up to ``end`` included: how long nothing happened."""
        return self.between(start + timedelta(days=1), end)

    def is_working_day(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def add(self, start: date, count: int) -> date:
        """The day ``count`` working days after ``start`` (as ``add_working_days``)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            count -= self.calendar.is_working_day(day)
        return day

    def day(self, moment: datetime) -> date:
        """``local_day`` of an aware moment: its UTC time shifted by the local offset in
        force then (offsets found once per range, as ``astimezone`` finds them), since
        converting time zones one moment at a time dominates long histories."""
        changes = self._changes
        if not (changes[0] <= moment < changes[-1]):
            return moment.astimezone().date()
        if len(changes) == 2:
            return (moment + self._offsets[0]).date()
        return (moment + self._offsets[bisect_right(changes, moment) - 1]).date()


    # The same, on whole microseconds since 1970 UTC and date ordinals: what work logs
    # hold, for tens of thousands of pieces.

    def ordinal(self, micros: int) -> int:
        """The local day of a moment given in microseconds, as a date ordinal."""
        changes = self._change_micros
        if not (changes[0] <= micros < changes[-1]):
            return self.day(_EPOCH + micros * _MICROSECOND).toordinal()
        if len(changes) == 2:
            offset = self._offset_micros[0]
        else:
            offset = self._offset_micros[bisect_right(changes, micros) - 1]
        return (micros + offset) // DAY_MICROS + EPOCH_ORDINAL

    @property
    def first_ordinal(self) -> int:
        return self._first_ordinal

    @property
    def upto(self) -> list[int]:
        """Working days from the first day up to each day of the range, included."""
        return self._upto

    def fixed_offset(self) -> tuple[int, int, int] | None:
        """When one UTC offset holds over the whole range: it, and the range's bounds,
        all in microseconds."""
        if len(self._change_micros) != 2:
            return None
        return self._offset_micros[0], self._change_micros[0], self._change_micros[1]

    def between_ordinals(self, start: int, end: int) -> int:
        """``between`` on date ordinals."""
        if end < start:
            return 0
        i, j = start - self._first_ordinal, end - self._first_ordinal
        if i < 0 or j >= len(self._upto):
            return self.calendar.working_days(date.fromordinal(start), date.fromordinal(end))
        return self._upto[j] - (self._upto[i - 1] if i else 0)

    def date(self, ordinal: int) -> date:
        found = self._dates.get(ordinal)
        if found is None:
            found = self._dates[ordinal] = date.fromordinal(ordinal)
        return found


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = _EPOCH.date().toordinal()
_MICROSECOND = timedelta(microseconds=1)
DAY_MICROS = 86_400_000_000


def _local_offset(timestamp: int) -> timedelta:
    """The local UTC offset at a moment, as ``datetime.astimezone()`` finds it."""
    return timedelta(seconds=_time.localtime(timestamp).tm_gmtoff)


def offset_changes(first: date, last: date) -> list[datetime]:
    """The moments from a day before ``first`` to a day after ``last`` at which the local
    UTC offset changes, bracketed by the range's ends."""
    return _offset_changes(first, last)


def _offset_changes(first: date, last: date) -> list[datetime]:
    """The moments from a day before ``first`` to a day after ``last`` at which the local
    UTC offset changes, bracketed by the range's ends."""
    start = int(datetime.combine(first - timedelta(days=1), dtime(), UTC).timestamp())
    end = int(datetime.combine(last + timedelta(days=2), dtime(), UTC).timestamp())
    changes = [start]
    before = _time.localtime(start).tm_gmtoff
    step = 6 * 3600
    lo = start
    while lo < end:
        hi = min(lo + step, end)
        after = _time.localtime(hi).tm_gmtoff
        if after != before:
            a, b = lo, hi  # the offset is ``before`` at a, ``after`` at b
            while b - a > 1:
                mid = (a + b) // 2
                if _time.localtime(mid).tm_gmtoff == before:
                    a = mid
                else:
                    b = mid
            changes.append(b)
            before = after
        lo = hi
    changes.append(end)
    return [datetime.fromtimestamp(ts, UTC) for ts in changes]
