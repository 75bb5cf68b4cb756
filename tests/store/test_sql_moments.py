"""Timestamps through the plain SQL path (``store.sql``): ``moment`` reads back what the
ORM wrote as the same aware UTC datetime, and ``Sql.bind`` makes a moment compare with
stored ones as the ORM's datetimes compare, on SQLite (text) and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mlkanban.store.sql import moment
from tests.store.varied_board import NEW_YORK, PARIS

MICRO = timedelta(microseconds=1)

#: Every timestamp column, with the key that names its row.
COLUMNS = [
    ("person", "handle", "created_at"), ("project", "key", "created_at"),
    ("project", "key", "updated_at"), ("task", "key", "created_at"),
    ("task", "key", "updated_at"), ("task", "key", "started_at"),
    ("task", "key", "status_at"), ("task", "key", "done_at"), ("event", "uid", "at"),
    ("deliverable", "title", "reached_at"),
]


@pytest.mark.parametrize(("stored", "expected"), [
    (None, None),
    ("2026-11-20 09:30:00", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
    ("2026-11-20 09:30:00.123456", datetime(2026, 11, 20, 9, 30, 0, 123456, tzinfo=UTC)),
    ("2026-11-20T09:30:00+01:00", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),
    (datetime(2026, 11, 20, 9, 30), datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
    (datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS), datetime(2026, 10, 25, 1, 30,
                                                                   tzinfo=UTC)),
    (datetime(2026, 11, 20, 4, 30, tzinfo=timezone(timedelta(hours=-5))),
     datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
])
def test_moment_gives_aware_utc(stored, expected):
    value = moment(stored)
    assert value == expected
    assert value is None or value.tzinfo is UTC


def test_every_stored_moment_reads_back_as_the_orm_wrote_it(board):
    with board.database.read() as sql:
        for table, key, column in COLUMNS:
            raw = dict(sql.rows(f"SELECT {key}, {column} FROM {table}"))
            rows = getattr(board.orm, {"person": "people"}.get(table, table + "s"))
            assert len(raw) == len(rows) > 0, table
            for row in rows:
                read = moment(raw[getattr(row, key)])
                assert read == getattr(row, column), (table, column, getattr(row, key))
                assert read is None or read.tzinfo is UTC
        started = dict(sql.rows("SELECT task_id, started_at FROM ab_test"))
        for design in board.orm.ab_tests:
            assert moment(started[design.task_id]) == design.started_at


def test_bound_moments_compare_as_the_orm_datetimes_do(board):
    """``=``, ``<`` and ``>`` against every event time, a microsecond either side of it,
    and the same moment written in other time zones."""
    stored = [e.at for e in board.orm.events]
    probes = sorted({m + d for m in stored for d in (-MICRO, timedelta(0), MICRO)})
    with board.database.read() as sql:
        for probe in probes:
            for shown in (probe, probe.astimezone(PARIS), probe.astimezone(NEW_YORK),
                          probe.astimezone(ZoneInfo("Asia/Kolkata"))):
                bound = sql.bind(shown)
                counts = sql.first(
                    "SELECT sum(CASE WHEN at = ? THEN 1 ELSE 0 END),"
                    " sum(CASE WHEN at < ? THEN 1 ELSE 0 END),"
                    " sum(CASE WHEN at > ? THEN 1 ELSE 0 END) FROM event",
                    (bound, bound, bound),
                )
                expected = (sum(m == probe for m in stored), sum(m < probe for m in stored),
                            sum(m > probe for m in stored))
                assert tuple(counts) == expected, shown


def test_a_bound_moment_reads_back_as_itself(board):
    """What ``bind`` gives, selected back through the driver, is the same moment."""
    moments = [datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
               datetime(2026, 11, 20, 9, 30, 0, 1, tzinfo=UTC),
               datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=PARIS),
               datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)]
    with board.database.read() as sql:
        for value in moments:
            back = moment(sql.scalar("SELECT ?", (sql.bind(value),)))
            # (an ambiguous local time never equals another zone's: compare in UTC)
            assert back == value.astimezone(UTC) and back.tzinfo is UTC
