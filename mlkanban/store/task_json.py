"""The JSON of ``ls --json`` written by SQLite itself, for listings of every task.

Listing 100,000 tasks as JSON is mostly turning values into Python objects and back
into text: eighteen values a row, three of them timestamps. SQLite's ``json_object``
builds each task's fixed fields as one string instead, so a row is one object. What
depends on the reader's clock, zone and calendar (``age``, ``over_size``, the A/B test's
progress) and the labels (stored space-separated) are added here in Python.

The text is the compact form ``json.dumps(item, ensure_ascii=False, separators=(",",
":"))`` gives for the same item; ``tests/test_task_json.py`` checks that it is, item for
item, against the items ``ls`` builds in Python. A row whose timestamps are not in the
text SQLAlchemy writes (a database edited by hand) is built in Python the usual way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date

from mlkanban.domain.rules import is_over_size
from mlkanban.store import queries
from mlkanban.store.sql import Sql
from mlkanban.store.views import AbTestView, LocalDays

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def compact(item: dict) -> str:
    """One item as the text SQLite's ``json_object`` writes: no spaces, raw Unicode."""
    return _encode(item)


#: A stored timestamp in the text SQLAlchemy writes: ``2026-11-20 09:30:00.000000``.
_STAMP_GLOB = ("'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]"
               ".[0-9][0-9][0-9][0-9][0-9][0-9]'")


def _iso(column: str) -> str:
    """``iso_text`` in SQL, for a timestamp that matches ``_STAMP_GLOB``:
    ``2026-11-20T09:30:00.000100+00:00``, without the microseconds when they are zero
    (as ``isoformat`` writes it)."""
    return (f"CASE WHEN {column} IS NULL THEN NULL"
            f" WHEN substr({column}, 21) = '000000'"
            f" THEN substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || '+00:00'"
            f" ELSE substr({column}, 1, 10) || 'T' || substr({column}, 12) || '+00:00' END")


_STAMPS = ("t.created_at", "t.started_at", "t.done_at")
#: Each task's fixed fields, in ``TaskView.as_dict``'s order (``json_object`` escapes
#: text as ``json.dumps`` does); then what the rest needs, and whether the timestamps
#: were in the usual text.
_SELECT = (
    "SELECT json_object('key', t.key, 'title', t.title, 'project', p.key,"
    " 'phase', t.phase, 'owner', o.handle, 'status', t.status, 'estimate', t.estimate,"
    " 'reason', t.reason, 'wip_override', t.wip_override,"
    f" 'created_at', {_iso('t.created_at')}, 'started_at', {_iso('t.started_at')},"
    f" 'done_at', {_iso('t.done_at')}, 'jira_key', t.jira_key, 'parent', parent.key),"
    " t.key, t.status, t.estimate, t.started_at, t.done_at, t.labels, "
    + " AND ".join(f"({column} IS NULL OR {column} GLOB {_STAMP_GLOB})" for column in _STAMPS)
)


def json_texts(
    sql: Sql,
    filters: dict,
    *,
    today: date,
    working_days: Callable[[date, date], int],
    designs: dict[str, AbTestView],
    item: Callable[[tuple], dict],
) -> Iterator[list[str]]:
    """The compact JSON of each task ``ls`` lists, a batch at a time (SQLite only).

    ``item`` builds a task's item from its ``queries.TASK_COLUMNS`` row: the way for a
    row whose timestamps SQLite cannot cut into shape.
    """
    local_day = LocalDays()
    hour_days = local_day.hour_days
    ages: dict[tuple[date, date], int] = {}
    tails: dict[tuple, str] = {}
    label = filters.get("label")
    where, params = queries.task_filters(sql, **filters)
    text = f"{_SELECT}{queries.TASK_FROM}{where}{queries.TASK_ORDER}"
    for batch in sql.stream(text, params):
        texts = []
        for fixed, key, status, estimate, started_at, done_at, labels, canonical in batch:
            if label is not None and not queries.has_label(labels, label):
                continue
            if not canonical:
                texts.append(compact(item(_row(sql, key))))
                continue
            age = None
            if started_at is not None:  # the local days, for most rows without a call
                start = hour_days.get(started_at[:13]) or local_day(started_at)
                if status == "done" and done_at:
                    end = hour_days.get(done_at[:13]) or local_day(done_at)
                else:
                    end = today
                span = (start, end)
                age = ages.get(span)
                if age is None:
                    age = ages[span] = working_days(*span)
            over = status == "in_progress" and age is not None and is_over_size(age, estimate)
            ending = (labels, age, over)
            tail = tails.get(ending)  # a few distinct ones: most tasks have no labels
            if tail is None:
                tail = tails[ending] = (
                    f',"labels":{_encode(labels.split()) if labels else "[]"}'
                    f',"age":{"null" if age is None else age}'
                    f',"over_size":{"true" if over else "false"}}}')
            if status == "waiting" and key in designs:
                tail = f'{tail[:-1]},"ab_test":{_encode(designs[key].progress(today))}}}'
            texts.append(fixed[:-1] + tail)
        yield texts


def _row(sql: Sql, key: str) -> tuple:
    row = sql.first(f"SELECT {queries.TASK_COLUMNS}{queries.TASK_FROM} WHERE t.key = ?", (key,))
    assert row is not None  # read in the same transaction as the listing
    return row
