"""The global options of a command, and the reader or service built from them.

Apart from ``common`` (which imports click) so that ``mlkanban`` alone, the board, is
opened without the command line's machinery (``launch``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlkanban.domain.clock import Clock, system_clock
from mlkanban.domain.errors import BadInput
from mlkanban.store.validate import handle, shown

if TYPE_CHECKING:
    from mlkanban.config import Settings
    from mlkanban.store.reader import Reader
    from mlkanban.store.service import Service
    from mlkanban.store.status_changes import StatusVerbs


#: The earliest moment ``--at`` may name: nothing on a board happened before it, and
#: dates near year 1 cannot be turned into local time.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


class AppContext:
    """Global options, and the service (or reader) built from them on first use.

    Building either opens (and if needed migrates) the database, so commands that
    fail on their arguments never touch it. Commands that only read use ``reader``,
    which starts faster: it never imports SQLModel or the ORM.
    """

    def __init__(
        self,
        db: str | None = None,
        actor: str | None = None,
        clock: Clock = system_clock,
        settings: Settings | None = None,
    ) -> None:
        self.db_flag = db
        self.actor_flag = actor
        self.clock = clock
        self._settings = settings
        self._service: Service | None = None
        self._reader: Reader | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from mlkanban.config import load_settings

            self._settings = load_settings()
        return self._settings

    @property
    def db(self) -> str:
        from mlkanban.config import resolve_db

        return resolve_db(self.db_flag, self.settings)

    @property
    def actor(self) -> str:
        from mlkanban.config import resolve_user

        return handle(resolve_user(self.actor_flag, self.settings), "--as")

    @property
    def service(self) -> Service:
        if self._service is None:
            self._service = self.open_service(self.db)
        return self._service

    @property
    def reader(self) -> Reader:
        """The service if one is already open, else a reader (same database and clock)."""
        if self._service is not None:
            return self._service
        if self._reader is None:
            self._reader = self.open_reader(self.db)
        return self._reader

    @property
    def statuses(self) -> StatusVerbs:
        """What changes a task's status: the service if one is open, else plain SQL on
        the driver (``status_changes``), which starts several times faster."""
        if self._service is not None:
            return self._service
        from mlkanban.store.sql import open_database
        from mlkanban.store.status_changes import StatusWriter

        database = open_database(self.db, create=False)  # no task to change on no board
        return StatusWriter(database, actor=self.actor, clock=self.clock)

    def open_reader(self, db: str) -> Reader:
        from mlkanban.store.reader import Reader
        from mlkanban.store.sql import open_database

        return self._open(Reader, open_database(db, create=False))  # reading makes no board

    def open_service(self, db: str) -> Service:
        from mlkanban.store.engine import make_engine
        from mlkanban.store.service import Service

        return self._open(Service, make_engine(db), actor=self.actor)

    def _open(self, kind: type, source: Any, **options: Any) -> Any:
        """A reader or service on ``source``, with this context's clock and holidays."""
        from mlkanban.domain.workdays import WorkCalendar

        return kind(source, clock=self.clock, calendar=WorkCalendar(self.settings.holidays),
                    **options)

    def when(self, text: str | None) -> datetime | None:
        if text is None:
            return None
        from mlkanban.commands.when import parse_when

        try:
            moment = parse_when(text, self.clock())
        except (OverflowError, ValueError):  # a date the calendar cannot hold
            raise BadInput(f"--at {shown(text)} is out of the range of dates") from None
        if moment < EARLIEST:
            raise BadInput(f"--at {shown(text)} is before {EARLIEST:%Y}; nothing is that old")
        return moment
