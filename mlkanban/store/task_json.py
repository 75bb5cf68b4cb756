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
from json.decoder import scanstring

from mlkanban.domain.rules import is_over_size
from mlkanban.store import queries
from mlkanban.store.sql import Sql
from mlkanban.store.views import AbTestView, LocalDays

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def compact(item: dict) -> str:
    """One item as the text SQLite's ``json_object`` writes: no spaces, raw Unicode."""
    return _encode(item)


#: A stored timestamp that ``views.iso_text`` cuts into shape without a datetime
#: (``views.canonical``: 26 characters, a space and a point in their places, six digits
#: of microseconds), as SQLAlchemy writes them: ``2026-11-20 09:30:00.000000``. Only
#: what the cut needs is checked: a pattern of twenty digits costs SQLite a tenth of
#: the whole listing.
_STAMP_GLOB = "'?????????? ????????.[0-9][0-9][0-9][0-9][0-9][0-9]'"


def _iso(column: str) -> str:
    """``iso_text`` in SQL, for a timestamp that matches ``_STAMP_GLOB``:
    ``2026-11-20T09:30:00.000100+00:00``. ``isoformat`` leaves out microseconds that
    are zero: those few are cut out afterwards (``_whole_seconds``), which costs less
    than asking SQLite about every timestamp."""
    return f"substr({column}, 1, 10) || 'T' || substr({column}, 12) || '+00:00'"


#: What ends a timestamp's text with zero microseconds, as ``_iso`` writes it.
_ZERO_MICROSECONDS = '.000000+00:00"'


def _whole_seconds(text: str) -> str:
    """An object's text with its timestamps' zero microseconds left out, as
    ``isoformat`` does: ``2026-11-20T09:30:00+00:00``."""
    for name in ('"created_at":"', '"started_at":"', '"done_at":"'):
        at = text.find(name)  # the key itself: a quote inside a value is escaped
        if at == -1:
            continue
        start = at + len(name)
        value, end = scanstring(text, start)
        if value.endswith(_ZERO_MICROSECONDS[:-1]):
            text = f"{text[:start - 1]}{_encode(value[:-13] + '+00:00')}{text[end:]}"
    return text


_STAMPS = ("t.created_at", "t.started_at", "t.done_at")
#: Each task's fixed fields, in ``TaskView.as_dict``'s order (``json_object`` escapes
#: text as ``json.dumps`` does); then what the rest needs, and last the key of a task
#: whose timestamps are not in the usual text (NULL for the others). Every column costs
#: the driver as much as a function in SQL does: the key, needed for a few tasks only,
#: is read from the object's text then.
_SELECT = (
    "SELECT json_object('key', t.key, 'title', t.title, 'project', p.key,"
    " 'phase', t.phase, 'owner', o.handle, 'status', t.status, 'estimate', t.estimate,"
    " 'reason', t.reason, 'wip_override', t.wip_override,"
    f" 'created_at', {_iso('t.created_at')}, 'started_at', {_iso('t.started_at')},"
    f" 'done_at', {_iso('t.done_at')}, 'jira_key', t.jira_key, 'parent', parent.key),"
    " t.status, t.estimate, t.started_at, t.done_at, t.labels, CASE WHEN "
    + " AND ".join(f"({column} IS NULL OR {column} GLOB {_STAMP_GLOB})" for column in _STAMPS)
    + " THEN NULL ELSE t.key END"
)
#: What follows a task's key in its object: its key's JSON text is the text before.
_AFTER_KEY = ',"title":'


class TaskJson:
    """The compact JSON of the tasks ``ls`` lists, read on one SQLite connection, with
    what it has learnt along the way. ``item`` builds a task's item from its
    ``queries.TASK_COLUMNS`` row: the way for a row whose timestamps SQLite cannot cut
    into shape."""

    def __init__(self, sql: Sql, *, today: date, working_days: Callable[[date, date], int],
                 designs: dict[str, AbTestView], item: Callable[[tuple], dict],
                 label: str | None = None) -> None:
        self.sql = sql
        self.today = today
        self.working_days = working_days
        self.item = item
        self.label = label
        self.local_day = LocalDays()
        #: The end of an object (from its labels on), learnt once for each combination
        #: it depends on: a done task's by its labels and local start and end days (most
        #: tasks, and their ends repeat: few labels, a few thousand spans), any other's
        #: by its labels, age and whether it is over its size.
        self.done_tails: dict[tuple, str] = {}
        self.tails: dict[tuple, str] = {}
        #: The A/B test of a waiting task by its key's JSON text (``_AFTER_KEY``).
        self.progress = {_encode(key): design.progress(today)
                         for key, design in designs.items()}

    def texts(self, where: str, params: list) -> Iterator[list[str]]:
        """The texts of the tasks ``where`` (a WHERE clause of ``queries.task_filters``
        and its parameters) selects, in ``ls``'s order, a batch at a time."""
        text = f"{_SELECT}{queries.TASK_FROM}{where}{queries.TASK_ORDER}"
        for batch in self.sql.stream(text, params):
            yield self.made(batch)

    def made(self, batch: list[tuple]) -> list[str]:
        sql, label, item, today = self.sql, self.label, self.item, self.today
        working_days, local_day = self.working_days, self.local_day
        hour_days, done_tails, tails, progress = (local_day.hour_days, self.done_tails,
                                                  self.tails, self.progress)
        texts: list[str] = []
        append = texts.append
        for fixed, status, estimate, started_at, done_at, labels, odd in batch:
            if label is not None and not queries.has_label(labels, label):
                continue
            if odd is not None:
                append(compact(item(_row(sql, odd))))
                continue
            if _ZERO_MICROSECONDS in fixed:
                fixed = _whole_seconds(fixed)
            if started_at is not None and done_at and status == "done":
                # the local days, for most rows without a call
                span = (labels, hour_days.get(started_at[:13]) or local_day(started_at),
                        hour_days.get(done_at[:13]) or local_day(done_at))
                tail = done_tails.get(span)
                if tail is None:
                    tail = done_tails[span] = _tail(labels, working_days(span[1], span[2]),
                                                    False)
                append(fixed[:-1] + tail)
                continue
            age = None
            if started_at is not None:
                age = working_days(hour_days.get(started_at[:13]) or local_day(started_at),
                                   today)
            over = status == "in_progress" and age is not None and is_over_size(age, estimate)
            tail = tails.get((labels, age, over))
            if tail is None:
                tail = tails[labels, age, over] = _tail(labels, age, over)
            if status == "waiting" and progress:
                shown = progress.get(fixed[7:fixed.find(_AFTER_KEY)])
                if shown is not None:
                    tail = f'{tail[:-1]},"ab_test":{_encode(shown)}}}'
            append(fixed[:-1] + tail)
        return texts


def _tail(labels: str | None, age: int | None, over: bool) -> str:
    """An object's last fields (from ``labels`` on), with its closing brace."""
    return (f',"labels":{_encode(labels.split()) if labels else "[]"}'
            f',"age":{"null" if age is None else age}'
            f',"over_size":{"true" if over else "false"}}}')


def _row(sql: Sql, key: str) -> tuple:
    row = sql.first(f"SELECT {queries.TASK_COLUMNS}{queries.TASK_FROM} WHERE t.key = ?", (key,))
    assert row is not None  # read in the same transaction as the listing
    return row
