"""The time per phase of tasks closed long ago, kept between reports in a file per board.

Reading, parsing and adding up the work logs of every task closed before a report's
window is most of what a report over a year of history costs, and those tasks rarely
change. So the sums are kept in the user's cache directory, with what they were
counted under: the schema revision, the local UTC offsets and the working days over
the days their logs cover (the reader's time zone and holidays decide which day a
moment falls on and which days count), and the events written up to then. A report
uses them only if all of that still holds and no event since names one of their tasks;
otherwise it counts as if there were none, and keeps its own sums for the next one.

A kept file is never needed: it can be deleted at any time, and one that cannot be
read or written is passed over.
"""

from __future__ import annotations

import json
import os
import tempfile
import time as _time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from pathlib import Path

from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history import metrics
from mlkanban.history.day_counter import DAY_MICROS, EPOCH_ORDINAL, offset_changes
from mlkanban.store.sql import Sql

#: The layout of the file and the rules its sums were counted by; a file of another
#: version is counted afresh.
VERSION = 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def cache_dir() -> Path:
    """Where kept sums live: ``MLKANBAN_CACHE_DIR``, or the user's cache directory."""
    env = os.environ.get("MLKANBAN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from mlkanban.config import user_dir

    return user_dir("cache")


def cache_file(db: str) -> Path:
    """The file kept for a board: named by a hash of its resolved path, or of its URL
    without the password."""
    if "://" in db:
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(db)
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        if parts.username:
            host = f"{parts.username}@{host}"
        name = urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
    else:
        name = str(Path(db).expanduser().resolve())
    return cache_dir() / f"closed-work-{sha256(name.encode()).hexdigest()[:24]}.json"


@dataclass(frozen=True)
class Mark:
    """The board's events and tasks when the sums were counted: the last event's id,
    how many events there were up to it, and the last task's id."""

    event: int
    events: int
    task: int
    revision: str | None


def read_mark(sql: Sql) -> Mark:
    """Read before any work log: a change made after it has a later event (or, on a
    database that numbers events out of commit order, makes the count differ)."""
    last = sql.scalar("SELECT max(id) FROM event") or 0
    count = sql.scalar("SELECT count(*) FROM event") or 0
    task = sql.scalar("SELECT max(id) FROM task") or 0
    return Mark(last, count, task, sql.scalar("SELECT version_num FROM alembic_version"))


@dataclass
class ClosedWork:
    """Sums of the tasks closed before ``cut`` (micros) with a work log, bar those of the
    ``skipped`` projects (which the report that kept them could not show), as
    ``fold_logs`` adds them up: ``ids`` their ids (a bit each, or more), ``keep_from``
    the day (ordinal) from which their pieces are kept, ``last_end`` when the last piece
    ended, ``days`` the first and last day (ordinals) their logs cover."""

    fold: metrics.LogFold
    ids: int
    cut: int
    keep_from: int
    last_end: int
    days: tuple[int, int]
    mark: Mark
    zone: list = field(default_factory=list)
    workdays: str = ""
    skipped: frozenset[str] = frozenset()


def zone_print(first: int, last: int) -> list[list[int]]:
    """The local UTC offsets over the days ``first`` to ``last`` (ordinals): each moment
    the offset changes (and the range's ends), with the offset from then on."""
    changes = [int(at.timestamp()) for at in
               offset_changes(date.fromordinal(first), date.fromordinal(last))]
    return [[at, _time.localtime(at).tm_gmtoff] for at in changes[:-1]] + [[changes[-1], 0]]


def workday_print(calendar: WorkCalendar, first: int, last: int) -> str:
    """Which days from the day before ``first`` to the day after ``last`` are working
    days, one character each."""
    return "".join("1" if calendar.is_working_day(date.fromordinal(n)) else "0"
                   for n in range(first - 1, last + 2))


def day_range(first_start: int, last_end: int) -> tuple[int, int]:
    """The UTC days (ordinals) of two moments (micros), a day wider on each side: every
    local day of a moment between them falls in it."""
    return (first_start // DAY_MICROS + EPOCH_ORDINAL - 1,
            last_end // DAY_MICROS + EPOCH_ORDINAL + 1)


def load(path: Path, sql: Sql, mark: Mark, calendar: WorkCalendar
         ) -> tuple[ClosedWork, set[int]] | None:
    """The kept sums, and the tasks events since named, if they still hold; else None."""
    try:
        with path.open("rb") as file:
            raw = json.load(file)
        if raw.get("version") != VERSION:
            return None
        kept = _from_json(raw)
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    then = kept.mark
    if then.revision != mark.revision or then.event > mark.event or then.task > mark.task:
        return None
    first, last = kept.days
    if kept.zone != zone_print(first, last) or kept.workdays != workday_print(
            calendar, first, last):
        return None
    later = sql.rows("SELECT task_id FROM event WHERE id > ?", (then.event,))
    if mark.events - len(later) != then.events:
        return None  # events up to the mark went (or came late)
    touched = {task_id for (task_id,) in later if task_id is not None}
    ids = kept.ids
    if any(ids >> task_id & 1 for task_id in touched):
        return None  # one of the kept tasks changed
    return kept, touched


def save(path: Path, kept: ClosedWork) -> None:
    """Write the file whole or not at all; a cache that cannot be written is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".closed-work-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(json.dumps(_to_json(kept), separators=(",", ":")))
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        pass


def bits(ids: Iterable[int]) -> int:
    """A set of task ids as one integer, a bit per id."""
    ids = list(ids)
    found = bytearray((max(ids) >> 3) + 1 if ids else 0)
    for task_id in ids:
        found[task_id >> 3] |= 1 << (task_id & 7)
    return int.from_bytes(found, "little")


def _to_json(kept: ClosedWork) -> dict:
    mark = kept.mark
    return {
        "version": VERSION,
        "mark": [mark.event, mark.events, mark.task, mark.revision],
        "cut": kept.cut, "keep_from": kept.keep_from, "last_end": kept.last_end,
        "days": list(kept.days), "zone": kept.zone, "workdays": kept.workdays,
        "ids": format(kept.ids, "x"), "skipped": sorted(kept.skipped),
        "sums": kept.fold.sums,
        "pieces": [[project, value, sorted(spans)]
                   for (project, value), spans in kept.fold.pieces.items()],
    }


def _from_json(raw: dict) -> ClosedWork:
    fold = metrics.LogFold()
    for project, mine in raw["sums"].items():
        fold.sums[project] = {str(value): [int(count), int(first)]
                              for value, (count, first) in mine.items()}
    for project, value, spans in raw["pieces"]:
        fold.pieces[(str(project), str(value))] = {(int(a), int(b)) for a, b in spans}
    event, events, task, revision = raw["mark"]
    first, last = raw["days"]
    return ClosedWork(fold, int(raw["ids"], 16), int(raw["cut"]), int(raw["keep_from"]),
                      int(raw["last_end"]), (int(first), int(last)),
                      Mark(int(event), int(events), int(task), revision),
                      [[int(a), int(b)] for a, b in raw["zone"]], str(raw["workdays"]),
                      frozenset(str(key) for key in raw["skipped"]))


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


class Keeper:
    """One report's use of the kept sums: read the mark first, then the file."""

    def __init__(self, path: Path, sql: Sql, calendar: WorkCalendar) -> None:
        self.path = path
        self.mark = read_mark(sql)
        loaded = load(path, sql, self.mark, calendar) if path.exists() else None
        self.kept, self.touched = loaded if loaded is not None else (None, set())

    def serves(self, cut: datetime, folder) -> bool:
        """Whether this report counts through the kept sums (and keeps its own): not
        when they hold tasks closed after its window begins, pieces it would cut at its
        moment, or too few pieces for its timeline. A past week is then counted as if
        there were no file, and the file is left as it is. Sums that leave out a
        project this report shows are counted afresh."""
        kept = self.kept
        if kept is None:
            return True
        if kept.cut > _micros(cut) or kept.keep_from > folder.cutoff \
                or kept.last_end > folder.end:
            return False
        if not kept.skipped <= folder.hidden:
            self.kept, self.touched = None, set()
        return True

    def fold_closed(self, sql: Sql, cut: datetime, folder) -> None:
        """Fold the work of every task closed before ``cut`` into ``folder``: the kept
        sums and the logs of the tasks they do not hold; then keep the whole."""
        from mlkanban.store import history_reads

        kept = self.kept
        hidden = folder.hidden  # projects this report cannot show: left out, and kept so
        if kept is None:
            batches = history_reads.closed_work_logs(sql, cut, skip=hidden)
        else:
            since = _EPOCH + timedelta(microseconds=kept.cut)
            batches = history_reads.closed_work_logs_since(sql, cut, since, kept.mark.task,
                                                           self.touched, skip=hidden)
        fresh = metrics.LogFold()
        ids: list[int] = []
        first_start, last_end, ended = None, 0, True
        for batch in batches:
            if not batch:
                continue
            ids += [task_id for task_id, _, _ in batch]
            # A log's pieces are in time order (``fold_logs`` relies on it too).
            start = min(log[0][1] for _, _, log in batch)
            ends = [log[-1][2] for _, _, log in batch]
            if first_start is None or start < first_start:
                first_start = start
            if None in ends:
                ended = False
            else:
                last_end = max(last_end, *ends)
            metrics.fold_logs([(project, log) for _, project, log in batch], folder.end,
                              folder.days, folder.cutoff, fresh)
        days = day_range(first_start, last_end) if first_start is not None else None
        if kept is not None:
            metrics.merge_folds(fresh, kept.fold, folder.cutoff, hidden)
            last_end = max(last_end, kept.last_end)
            days = kept.days if days is None else (min(days[0], kept.days[0]),
                                                  max(days[1], kept.days[1]))
        metrics.merge_folds(folder.fold, fresh, folder.cutoff)
        if days is None or not ended or last_end > folder.end:
            return  # nothing to keep, or pieces cut at this report's moment
        if kept is not None and kept.cut >= _micros(cut):
            return  # the file holds as much already
        first, last = days
        save(self.path, ClosedWork(
            fresh, bits(ids) | (kept.ids if kept is not None else 0), _micros(cut),
            folder.cutoff, last_end, days, self.mark, zone_print(first, last),
            workday_print(folder.calendar, first, last), frozenset(hidden)))
