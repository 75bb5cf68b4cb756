"""The charts' numbers counted by the database: tasks finished per week and tasks per
status at the end of each day, over the charts' weeks.

A replay of every task alive in those weeks would find them too, but costs a Python
object per status change (a quarter of a year of a big board is tens of thousands).
Instead the task rows, which hold each status now, are walked back by the changes made
since: a change's old value is the status it ended, its new value the one it began, and
a creation begins a task to do. The database groups the changes by local day, given as
the UTC moments where each day begins; where those cannot be told exactly (a time zone
whose clocks go back across midnight), there are no counts and the report replays.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mlkanban.domain.clock import as_utc
from mlkanban.history.day_counter import local_day, offset_changes
from mlkanban.store import history_reads
from mlkanban.store.sql import Sql

_MICROSECOND = timedelta(microseconds=1)
_DAY = timedelta(days=1)
_TODO = "todo"


@dataclass(frozen=True)
class ChartCounts:
    """What the charts show, for each day from ``first`` (a Monday) to the report's day."""

    first: date
    moment: datetime
    """The moment counted up to (the report's)."""
    finished: list[int]
    """Tasks finished in each week from ``first`` on (a task finished twice in a week
    counts once), up to the report's moment."""
    flow: list[dict[str, int]]
    """Tasks per status (value) at the end of each day from ``first`` on; the last day's
    at the report's moment."""

    def finished_in(self, monday: date) -> int:
        return self.finished[(monday - self.first).days // 7]

    def flow_on(self, day: date) -> dict[str, int]:
        return self.flow[(day - self.first).days]


def day_start(day: date, changes: Sequence[datetime] = ()) -> datetime | None:
    """The first moment (UTC) whose ``local_day`` is ``day``: local midnight, or where
    the clocks were put forward past it (one of ``changes``, the offset changes near
    that day); None if it is neither (local days out of UTC order there)."""
    candidates = [as_utc(datetime.combine(day, time())), *changes]
    found = [at for at in candidates
             if local_day(at) == day and local_day(at - _MICROSECOND) < day]
    return min(found) if found else None


def day_starts(first: date, last: date) -> list[datetime] | None:
    """Where each day from ``first`` to ``last`` begins; None unless local days follow
    each other in UTC order over that range (so that a day is the span between two of
    these moments)."""
    changes = offset_changes(first, last)[1:-1]
    for change in changes:
        if local_day(change - _MICROSECOND) > local_day(change):
            return None
    starts = []
    day = first
    while day <= last:
        near = [at for at in changes if abs(local_day(at) - day) <= _DAY]
        start = day_start(day, near)
        if start is None:
            return None
        starts.append(start)
        day += _DAY
    return starts


def load_chart_counts(sql: Sql, first: date, moment: datetime) -> ChartCounts | None:
    """The counts from ``first`` (a Monday) to the local day of ``moment``, as a replay of
    the events up to ``moment`` finds them; None when the database cannot count them
    exactly (local days out of UTC order, or tasks whose creation is not an event)."""
    today = local_day(moment)
    starts = day_starts(first, today)
    if starts is None or not history_reads.all_created(sql):
        return None
    end = moment + _MICROSECOND
    # Buckets: day k from starts[k] to the next start (today's to ``end``), then the
    # changes after ``moment``.
    edges = [*starts, end]
    deltas = [Counter() for _ in edges]
    for bucket, kind, old, new, count in history_reads.changes_by_bucket(sql, edges):
        delta = deltas[bucket]
        if kind == "created":  # tasks begun, to do
            delta[_TODO] += count
        else:
            delta[new] += count
            delta[old] -= count
    running = Counter(history_reads.status_totals(sql))
    flow: list[dict[str, int]] = []
    for k in range(len(starts), 0, -1):  # the end of day k - 1: before bucket k
        running.subtract(deltas[k])
        flow.append(dict(running))
    flow.reverse()
    weeks = starts[::7]
    finished = [0] * len(weeks)
    for bucket, count in history_reads.finished_by_bucket(sql, weeks, end):
        finished[bucket] = count
    return ChartCounts(first, moment, finished, flow)
