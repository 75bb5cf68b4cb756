"""The event history as CSV, one row per event, for spreadsheets and notebooks."""

from __future__ import annotations

import csv
from typing import IO

from sqlalchemy import Connection

from mlkanban.store import queries

#: Columns, documented in the README: when, who, what kind, which task/project/person,
#: which field changed from what to what, and why.
COLUMNS = (
    "id", "uid", "at", "actor", "kind", "project", "task", "person", "field", "old", "new",
    "reason",
)


def write_csv(conn: Connection, out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for event in queries.events(conn):
        writer.writerow(event.as_dict())
        count += 1
    return count
