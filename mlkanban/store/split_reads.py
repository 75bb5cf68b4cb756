"""Reads shared with a child process: the longest listings, and a report's charts.

Listing 100,000 tasks as JSON is mostly SQLite's own work (``json_object`` builds each
object), one row after another on one processor. A second processor can take half of
it: the projects are cut, in key order, into ranges of a few thousand tasks, and a
forked child, on a connection of its own, makes every second range and sends its texts
through a pipe, while this process makes the others and writes all of them out in
order. (Threads would not do: each row SQLite steps through hands Python's lock over,
and two threads spend more handing it back and forth than they share.) The child is
never more than a range ahead, so memory stays that of a few ranges.

The fork happens before this process opens its read, with no connection open: SQLite
forbids carrying one across a fork. Both sides must then see the same board. Every
change writes at least one event in its own transaction, so the child sends its newest
event first, and only if this process's read has the same newest does it take the
child's ranges. If not (a change landed in between), or if the child fails in any way,
this process makes the ranges the child did not send.

A report shares its work the same way, in one piece: a child counts its charts in the
database while this process reads the rest (``start_apart``).
"""

from __future__ import annotations

import marshal
import os
import pickle
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from mlkanban.store.sql import BUSY_TIMEOUT_S, Database, Sql

#: Below this many tasks one process is quick enough to need no help.
MIN_TASKS = 20_000
#: About how many tasks a range holds (a bigger project is a range of its own).
RANGE_TASKS = 4_000

#: A range of project keys: from the first (None: from the start) up to the second,
#: which is left out (None: to the end).
KeyRange = tuple[str | None, str | None]
#: What lists the tasks of a WHERE clause and its parameters, read on one connection,
#: as batches of texts (``task_json.TaskJson.texts``): made once per process.
Lister = Callable[[str, list], Iterator[list[str]]]

_SIZE = struct.Struct("<Q")


def key_range(keys: KeyRange) -> tuple[str, list]:
    """The WHERE clause (and parameters) of the tasks of the projects in ``keys``."""
    low, high = keys
    terms = ([] if low is None else ["p.key >= ?"]) + ([] if high is None else ["p.key < ?"])
    where = f" WHERE {' AND '.join(terms)}" if terms else ""
    return where, [key for key in (low, high) if key is not None]


def key_ranges(sql: Sql) -> list[KeyRange] | None:
    """The projects, in key order, cut into ranges of about ``RANGE_TASKS`` tasks; None
    when there are too few tasks to share, or one range."""
    counts = sql.rows("SELECT p.key, (SELECT count(*) FROM task t WHERE t.project_id = p.id)"
                      " FROM project p ORDER BY p.key")
    if sum(count for _, count in counts) < MIN_TASKS:
        return None
    starts: list[str] = []
    size = 0
    for key, count in counts:
        if not starts or size + count > RANGE_TASKS:
            starts.append(key)
            size = 0
        size += count
    if len(starts) < 2:
        return None
    return list(zip([None, *starts[1:]], [*starts[1:], None], strict=True))


def _newest_event(sql: Sql) -> int | None:
    return sql.scalar("SELECT max(id) FROM event")


def can_fork(database: Database) -> bool:
    """Whether a child may read ``database`` beside this process: on Linux (macOS
    forbids much in a forked child, Windows has no ``fork``), a SQLite file, and no
    other thread (a child would inherit its locks); and worth it: two processors or
    more. (Not whether one is idle now: the load of the last minute lags, and the
    scheduler shares a busy machine per process, so a child gets its share too.
    Measured under the benchmarks' own load, judging by it kept the board's child away
    and its first paint took a quarter longer.)"""
    return (sys.platform.startswith("linux") and database.dialect == "sqlite"
            and database.path is not None and threading.active_count() == 1
            and len(os.sched_getaffinity(0)) > 1)


def start(database: Database, lister: Callable[[Sql], Lister]) -> Shared | None:
    """A child making every second range of a listing of every task, started before
    this process's read; None where this process lists alone. ``lister`` makes a
    process's lister for its own connection."""
    if not can_fork(database):
        return None
    with database.read() as sql:
        ranges = key_ranges(sql)
    if ranges is None:
        return None

    def child(own: Sql, pipe: int) -> None:
        listing = lister(own)
        for keys in ranges[1::2]:
            texts = [one for batch in listing(*key_range(keys)) for one in batch]
            send(pipe, marshal.dumps(texts))

    forked = _fork(database, child)
    return None if forked is None else Shared(*forked, ranges)


def start_apart(database: Database, work: Callable[[Sql], Any]) -> Apart | None:
    """``work`` done by a child on a connection of its own, started before this
    process's read; None where this process does it alone (``Apart.result``)."""
    if not can_fork(database):
        return None

    def child(own: Sql, pipe: int) -> None:
        send(pipe, pickle.dumps(work(own), protocol=pickle.HIGHEST_PROTOCOL))

    forked = _fork(database, child)
    return None if forked is None else Apart(*forked)


def _fork(database: Database, child: Callable[[Sql, int], None]) -> tuple[int, BinaryIO] | None:
    """A child process that sends the newest event it sees, then runs ``child`` on a
    connection of its own; its pid and the pipe it writes to."""
    def work(pipe: int) -> None:
        own = connect_apart(database)
        send(pipe, marshal.dumps(_newest_event(own)))
        child(own, pipe)

    return fork_child(database, work)


def fork_child(database: Database, child: Callable[[int], None]) -> tuple[int, BinaryIO] | None:
    """A child process running ``child`` (given the end of a pipe it writes to), which
    then leaves without any clean-up of what this process holds; its pid and the pipe's
    other end, or None if it cannot be forked. No connection of ``database`` is left
    open across the fork: SQLite forbids it."""
    database.close()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            child(write_end)
            code = 0
        except BaseException:  # noqa: S110 - whatever it was, the parent does it instead
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, os.fdopen(read_end, "rb")


def connect_apart(database: Database) -> Sql:
    """A child's own read of ``database``, begun."""
    import sqlite3

    raw = sqlite3.connect(database.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    raw.execute("BEGIN")
    return Sql(raw, "sqlite")


class Apart:
    """A child process's work (``start_apart``), or what it sends (``Shared``)."""

    def __init__(self, pid: int, pipe: BinaryIO) -> None:
        self.pid = pid
        self.pipe: BinaryIO | None = pipe

    def same_board(self, sql: Sql) -> bool:
        """Whether the child saw the board ``sql`` sees; it is stopped if not."""
        newest = self._received()
        try:
            if newest is not None and marshal.loads(newest) == _newest_event(sql):
                return True
        except (EOFError, ValueError, TypeError):
            pass
        self.stop()  # a change landed in between, or the child failed
        return False

    def result(self, sql: Sql, work: Callable[[Sql], Any]) -> Any:
        """The child's ``work`` if it saw the board ``sql`` sees, else ``work(sql)``."""
        try:
            data = self._received() if self.same_board(sql) else None
            return pickle.loads(data) if data is not None else work(sql)
        finally:
            self.stop()

    def stop(self) -> None:
        """No more from the child: it stops at its next send, and is waited for."""
        if self.pipe is None:
            return
        self.pipe.close()
        self.pipe = None
        os.waitpid(self.pid, 0)

    def _received(self) -> bytes | None:
        """The next thing the child sent, or None."""
        if self.pipe is None:
            return None
        try:
            head = self.pipe.read(_SIZE.size)
            if len(head) < _SIZE.size:
                return None
            (size,) = _SIZE.unpack(head)
            data = self.pipe.read(size)
            return data if len(data) == size else None
        except OSError:
            return None


class Shared(Apart):
    """A listing whose every second range a child process makes (``start``)."""

    def __init__(self, pid: int, pipe: BinaryIO, ranges: list[KeyRange]) -> None:
        super().__init__(pid, pipe)
        self.ranges = ranges

    def texts(self, sql: Sql, lister: Lister) -> Iterator[list[str]]:
        """Every range's texts in order: the child's where it saw the board ``sql``
        sees, the others (and any it did not send) made here by ``lister``."""
        try:
            self.same_board(sql)
            for index, keys in enumerate(self.ranges):
                data = self._received() if index % 2 else None
                if data is None:
                    if index % 2:
                        self.stop()  # the child sent no more: the rest is made here
                    yield from lister(*key_range(keys))
                else:
                    yield marshal.loads(data)
        finally:
            self.stop()


def write_all(pipe: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(pipe, view):]


def send(pipe: int, data: bytes) -> None:
    """``data`` as one message: its size, then itself."""
    write_all(pipe, _SIZE.pack(len(data)) + data)
