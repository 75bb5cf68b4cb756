"""What the board works on: reads through a ``Reader`` at once, writes through the
``Service`` once it is built.

The service is the only writer, and building it imports SQLModel, the ORM and
SQLAlchemy: more than half a second, longer than the board takes to paint. So the
board paints from a reader (plain SQL on the driver) and builds the service in a
thread after its first paint (``prepare``). A write asked for before it is ready
waits for it (``writer``, always called from a worker thread): nothing is lost, and
the keys after it keep their order.

The board's first read can start even before Textual is imported (``start_reading``):
the database works while the interpreter loads the interface, and the first frame
can already show the cards. Until that frame the garbage collector is held
(``hold_collector``): importing Textual and reading ten thousand cards allocate enough
to set off full collections, each walking every object made so far (a tenth of a
second, on the way to the first paint); almost all of it lives as long as the board.
"""

from __future__ import annotations

import gc
import marshal
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from mlkanban.domain.workdays import WorkCalendar
    from mlkanban.store.board import BoardRows, Snapshot
    from mlkanban.store.reader import Reader
    from mlkanban.store.service import Service
    from mlkanban.store.sql import Sql
    from mlkanban.store.views import EventView, TaskView


class Workspace:
    """One board's database for one acting person: a reader now, a service soon."""

    def __init__(self, reader: Reader, *, actor: str,
                 open_service: Callable[[], Service]) -> None:
        self.reader = reader
        self.actor = actor
        self._open_service = open_service
        self._service: Service | None = None
        self._lock = threading.Lock()
        self._first: Future[Snapshot] | None = None

    @classmethod
    def of(cls, source: Workspace | Service) -> Workspace:
        """``source`` itself, or a workspace on a service that is already built."""
        if isinstance(source, Workspace):
            return source
        workspace = cls(source, actor=source.actor, open_service=lambda: source)
        workspace._service = source
        return workspace

    # ------------------------------------------------------------------ reading

    @property
    def calendar(self) -> WorkCalendar:
        return self.reader.calendar

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.reader.clock

    def now(self) -> datetime:
        return self.reader.now()

    def today(self) -> date:
        return self.reader.today()

    @contextmanager
    def read(self) -> Iterator[Sql]:
        with self.reader.read() as sql:
            yield sql

    def read_board(self) -> Snapshot:
        """The board as it is now (the snapshot read ahead by ``start_reading``, the
        first time, once it is there)."""
        first, self._first = self._first, None
        if first is not None:
            return first.result()
        return self._read_board(self.now())

    def _read_board(self, now: datetime, rows: BoardRows | None = None) -> Snapshot:
        from mlkanban.store.board import read_board

        with self.read() as sql:
            return read_board(sql, now=now, calendar=self.calendar, rows=rows)

    def start_reading(self) -> None:
        """Read the board in a thread from now on, for ``read_board`` to hand over.

        On a SQLite board, with two processors or more, the tasks are read in a process
        of their own (``read_apart``): a thread takes turns with Textual's import for
        the interpreter's lock, and on a big board both take longer than one after
        the other. The thread then only waits for the rows and makes them into
        cards."""
        future: Future[Snapshot] = Future()
        now = self.now()
        hold_collector()  # in the child too: it would walk (and copy) the parent's objects
        apart = read_apart(self.reader.database, now)

        def read() -> None:
            try:
                future.set_result(self._read_board(now, apart.rows() if apart else None))
            except BaseException as exc:  # noqa: BLE001 - raised again where it is awaited
                future.set_exception(exc)

        threading.Thread(target=read, name="mlkanban-first-read", daemon=True).start()
        self._first = future

    def board_read(self, within: float = 0) -> bool:
        """Whether a snapshot read ahead is there to take, waiting up to ``within``
        seconds for it."""
        if self._first is None:
            return False
        wait([self._first], timeout=within)
        return self._first.done()

    def tasks(self, **filters: Any) -> list[TaskView]:
        return self.reader.tasks(**filters)

    def history(self, key: str) -> list[EventView]:
        return self.reader.history(key)

    def latest_event_id(self) -> int:
        return self.reader.latest_event_id()

    # ------------------------------------------------------------------ writing

    @property
    def ready(self) -> bool:
        """Whether a write would start at once."""
        return self._service is not None

    def writer(self) -> Service:
        """The service, built on first use; blocks while another thread builds it."""
        with self._lock:
            if self._service is None:
                self._service = self._open_service()
            return self._service

    def prepare(self, then: Callable[[], object] | None = None) -> None:
        """Build the service in a background thread, so that the first write is quick,
        then call ``then`` (in that thread). A failure here is left for that write to
        meet (and report)."""
        if self.ready:
            return

        def build() -> None:
            try:
                self.writer()
            except Exception:  # noqa: BLE001 - the first write retries and says why
                return
            if then is not None:
                then()

        threading.Thread(target=build, name="mlkanban-service", daemon=True).start()


_collector_held = False


def hold_collector() -> None:
    """No garbage collection until ``release_collector`` (the board's first paint)."""
    global _collector_held
    if gc.isenabled():
        gc.disable()
        _collector_held = True


def release_collector() -> None:
    """Collect again, as before ``hold_collector``. What was made meanwhile is set aside
    as long-lived (``gc.freeze``) rather than walked at the next collection: the
    interface, the modules and the cards stay as long as the board does (and the board
    looks at what it set aside again once it has grown, ``keep_long_lived``)."""
    global _collector_held
    if _collector_held:
        _collector_held = False
        gc.freeze()
        gc.enable()


class ReadApart:
    """The board's rows, read by a child process (``read_apart``)."""

    def __init__(self, pid: int, pipe: BinaryIO) -> None:
        self.pid = pid
        self.pipe = pipe

    def rows(self) -> BoardRows | None:
        """The rows, once the child has sent them; None if it failed (read them here)."""
        with self.pipe:
            data = self.pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None


def read_apart(database: Any, now: datetime) -> ReadApart | None:
    """Start reading the board's rows (``board_rows`` at ``now``) in a child process,
    on a connection of its own; None where that is not done (``split_reads.can_fork``:
    Linux, a SQLite file, no other thread, two processors).

    The child pays for its rows twice (sent, then received: about a tenth of a second
    of work at 100,000 tasks), which the second processor pays back."""
    from mlkanban.store.split_reads import can_fork, connect_apart, fork_child, write_all

    if not can_fork(database):
        return None

    def child(pipe: int) -> None:
        from mlkanban.store.board import board_rows  # here: the parent goes on at once

        write_all(pipe, marshal.dumps(board_rows(connect_apart(database), now=now)))

    forked = fork_child(database, child)
    return None if forked is None else ReadApart(*forked)
