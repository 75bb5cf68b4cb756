"""The event history as CSV, one row per event, for spreadsheets and notebooks.

Two things make it read right where people open it:

- every ``at`` has one format, ``2026-11-23T09:00:00Z`` (UTC, whole seconds), so pandas
  and spreadsheets parse the column as times instead of leaving it as text;
- a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading ``'`` (OWASP's advice against CSV injection), so a title such as
  ``=HYPERLINK(...)`` shows as text instead of running as a formula. A cell that already
  starts with ``'`` gets one more, so dropping the first ``'`` of every cell that starts
  with one always gives back the text as typed.

The JSON Lines export stays the lossless one (microseconds, text untouched).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from typing import IO

from mlkanban.store import queries
from mlkanban.store.sql import Sql, moment
from mlkanban.store.views import canonical

#: Columns, documented in the README (per event kind): when, who, what kind, which
#: task/project/person, which field changed from what to what, and why.
COLUMNS = (
    "id", "uid", "at", "actor", "kind", "project", "task", "person", "field", "old", "new",
    "reason",
)

#: What a spreadsheet would read as the start of a formula (OWASP), and the quote that
#: marks a cell as neutralised (so it too is doubled, to keep the rule reversible).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"


def timestamp(moment: datetime) -> str:
    """``2026-11-23T09:00:00Z``: UTC, whole seconds (cut, not rounded, so that the
    order of times is kept), the same width on every row."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def neutralise(value: object) -> object:
    """A cell that cannot start a formula: text starting with a formula character (or
    with the guard quote itself) gets a leading ``'``; anything else is left as it is."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, _GUARD)):
        return _GUARD + value
    return value


def cell_time(value: object) -> str:
    """``timestamp`` of a stored timestamp; SQLite's naive UTC text is cut into shape
    without building a datetime (a long history holds a million of them)."""
    if canonical(value):
        return f"{value[:10]}T{value[11:19]}Z"
    return timestamp(moment(value))


def write_csv(sql: Sql, out: IO[str]) -> int:
    """Write the events as they are read, a batch at a time; returns how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    text = f"SELECT {queries.EVENT_COLUMNS}{queries.EVENT_FROM} ORDER BY e.at, e.id"
    for batch in sql.stream(text):
        writer.writerows(
            [id_, *(neutralise(cell) for cell in (uid, cell_time(at), *rest))]
            for id_, uid, at, *rest in batch
        )
        count += len(batch)
    return count
