"""Plain SQL through the DB-API driver: how everything that only reads talks to the board.

Reads are most of what people do (the board, ``ls``, ``show``, reports, exports), and
for them SQLAlchemy costs more than the work itself: a third of a second to import, and
a result row object per row. So reads go straight to the driver (stdlib ``sqlite3``, or
psycopg on PostgreSQL) with one set of SQL texts for both: they are written with ``?``
placeholders and portable SQL, and ``Sql`` adapts the placeholders to the driver.

The tables stay defined once (``models.py`` and the migrations); ``tests/store/
test_read_path.py`` compares what every read here returns with the ORM's view of the
same rows, on both databases, so the two cannot drift apart.

Timestamps come back as the driver gives them (naive UTC text on SQLite, aware
datetimes on PostgreSQL); ``moment`` turns one into an aware UTC datetime where a
value is needed, and ``bind`` turns a datetime into what a comparison needs.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlkanban.domain.errors import BadInput, SchemaError

#: Rows fetched from the driver at a time when a read is streamed.
BATCH = 2_000
#: How long a command waits for another writer before it gives up.
BUSY_TIMEOUT_MS = 30_000
BUSY_TIMEOUT_S = BUSY_TIMEOUT_MS / 1000
#: The PostgreSQL advisory lock that write transactions hold (any constant will do).
WRITE_LOCK_KEY = 7_405_002
#: What every SQLite connection that writes sets first (``engine`` sets the same).
SQLITE_WRITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
)
#: What every PostgreSQL write transaction runs first: one writer at a time.
POSTGRES_WRITE_LOCK = (
    f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}",
    f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})",
)


def take_write_lock(sql: Sql) -> None:
    """Start a write transaction the way every writer does (``engine`` for SQLAlchemy's):
    holding the write lock before anything is read, so a rule checked in it still holds
    at commit. SQLite: ``BEGIN IMMEDIATE``. PostgreSQL (a transaction already open): the
    writers' advisory lock, one writer at a time."""
    if sql.dialect == "sqlite":
        sql.raw.execute("BEGIN IMMEDIATE")
    else:
        for statement in POSTGRES_WRITE_LOCK:
            sql.run(statement)


def moment(value: Any) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: naive UTC text, "2026-11-20 09:30:00.000000"
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:
            value = datetime.fromisoformat(value)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class Sql:
    """One open read connection: SQL texts with ``?`` placeholders, rows as tuples."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect
        self._pg = dialect == "postgresql"
        self._streams = 0  # server-side cursors opened, for their unique names

    def _text(self, text: str) -> str:
        # psycopg's placeholder is %s, and a literal % must be doubled for it.
        return text.replace("%", "%%").replace("?", "%s") if self._pg else text

    def cursor(self, text: str, params: Sequence[Any] = ()) -> Any:
        cursor = self.raw.cursor()
        cursor.execute(self._text(text), tuple(params))
        return cursor

    def rows(self, text: str, params: Sequence[Any] = ()) -> list[tuple]:
        cursor = self.cursor(text, params)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def stream(self, text: str, params: Sequence[Any] = ()) -> Iterator[list[tuple]]:
        """The rows in batches, so that a read of every task holds a batch at a time.

        On PostgreSQL through a server-side cursor: an ordinary one receives the whole
        result before the first row is read (100 MB for 100,000 tasks).
        """
        if self._pg:
            self._streams += 1
            cursor = self.raw.cursor(name=f"mlkanban_stream_{self._streams}")
            cursor.execute(self._text(text), tuple(params))
        else:
            cursor = self.cursor(text, params)
        try:
            while batch := cursor.fetchmany(BATCH):
                yield batch
        finally:
            cursor.close()

    def first(self, text: str, params: Sequence[Any] = ()) -> tuple | None:
        cursor = self.cursor(text, params)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()

    def scalar(self, text: str, params: Sequence[Any] = ()) -> Any:
        row = self.first(text, params)
        return row[0] if row else None

    def bind(self, value: datetime) -> Any:
        """A moment as the database stores it, for comparisons with stored ones."""
        value = value.astimezone(UTC)
        if self._pg:
            return value
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    def placeholders(self, count: int) -> str:
        return ", ".join("?" * count)

    def run(self, text: str, params: Sequence[Any] = ()) -> int:
        """A statement that changes rows (inside a write transaction); how many it did."""
        cursor = self.cursor(text, params)
        try:
            return cursor.rowcount
        finally:
            cursor.close()


#: Every database opened in this process, to close at a quick exit (``close_all``).
_opened: weakref.WeakSet[Database] = weakref.WeakSet()


def close_all() -> None:
    """Close the kept connections of every database opened here."""
    for database in list(_opened):
        database.close()


class Database:
    """Where a board lives, opened for reading without SQLAlchemy.

    Connections are kept once a read is over and handed to the next one, whichever
    thread asks (the board reads in a new worker thread every few seconds, and a
    PostgreSQL connection costs a round trip or more to open).
    """

    def __init__(self, url: str, dialect: str, path: Path | None = None, *,
                 engine_url: str | None = None) -> None:
        self.url = url
        self.dialect = dialect
        self.path = path
        self.engine_url = engine_url or url
        """The URL as SQLAlchemy takes it (its driver named), for a migration."""
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        _opened.add(self)

    def _connect(self) -> Any:
        if self.dialect == "sqlite":
            import sqlite3

            return sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        import psycopg

        raw = psycopg.connect(self.url)
        raw.read_only = True
        return raw

    @contextmanager
    def read(self) -> Iterator[Sql]:
        """A read transaction: every query in it sees the same state of the board."""
        with self._lock:
            raw = self._idle.pop() if self._idle else None
        if raw is None:
            raw = self._connect()
        try:
            if self.dialect == "sqlite":
                raw.execute("BEGIN")
            yield Sql(raw, self.dialect)
            if self.dialect == "sqlite":
                raw.execute("ROLLBACK")
            else:
                raw.rollback()
        except BaseException:
            raw.close()  # in doubt after an error: the next read starts afresh
            raise
        with self._lock:
            self._idle.append(raw)

    @contextmanager
    def write(self) -> Iterator[Sql]:
        """A write transaction on a connection of its own, holding the write lock from
        the start (``take_write_lock``); committed when the block ends, rolled back
        (nothing written) if it raises."""
        raw = self._connect_for_writing()
        try:
            sql = Sql(raw, self.dialect)
            take_write_lock(sql)
            try:
                yield sql
            except BaseException:
                raw.rollback()
                raise
            raw.commit()
        finally:
            raw.close()

    def _connect_for_writing(self) -> Any:
        if self.dialect == "sqlite":
            import sqlite3

            raw = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            for pragma in SQLITE_WRITE_PRAGMAS:
                raw.execute(pragma)
            return raw
        import psycopg

        return psycopg.connect(self.url)

    def close(self) -> None:
        """Close the connections kept for later reads."""
        with self._lock:
            idle, self._idle = self._idle, []
        for raw in idle:
            raw.close()

    def revision(self) -> str | None:
        """The schema revision, or None when it cannot be read this cheaply."""
        try:
            with self.read() as sql:
                return sql.scalar("SELECT version_num FROM alembic_version")
        except Exception:  # no such table, not a database: the full check says what
            return None

    def ensure_schema(self) -> None:
        """One cheap read when the schema is current (as it nearly always is); the full
        check, with any migration, through SQLAlchemy and Alembic otherwise."""
        from mlkanban.store.revisions import HEAD

        if self.revision() == HEAD:
            return
        from mlkanban.store.engine import make_engine
        from mlkanban.store.schema import ensure_schema

        engine = make_engine(self.engine_url, create=False)
        try:
            ensure_schema(engine)
        finally:
            engine.dispose()


class EngineDatabase(Database):
    """A board already open through a SQLAlchemy engine (the writing service): reads go
    through the same pool, as plain SQL on the driver's own connection."""

    def __init__(self, engine: Any) -> None:
        super().__init__(str(engine.url), engine.dialect.name)
        self.engine = engine

    @contextmanager
    def read(self) -> Iterator[Sql]:
        with self.engine.connect() as conn, conn.begin():
            yield Sql(conn.connection.dbapi_connection, self.dialect)

    @contextmanager
    def write(self) -> Iterator[Sql]:
        from mlkanban.store.engine import write_engine

        with write_engine(self.engine).begin() as conn:  # the engine takes the lock
            yield Sql(conn.connection.dbapi_connection, self.dialect)

    def ensure_schema(self) -> None:
        from mlkanban.store.revisions import HEAD
        from mlkanban.store.schema import ensure_schema

        if self.revision() != HEAD:
            ensure_schema(self.engine)


def open_database(db: str, *, create: bool = True) -> Database:
    """A database for reading from a path or a URL, checked as ``engine.make_engine``
    checks it. SQLite paths and PostgreSQL URLs are read here; any other URL goes
    through SQLAlchemy (``make_engine``), which knows every dialect."""
    if "://" not in db:
        return _sqlite(Path(db).expanduser(), db, create)
    scheme, _, rest = db.partition("://")
    backend, _, driver = scheme.partition("+")
    if backend == "sqlite" and not driver:
        if rest in ("", "/", "/:memory:"):
            raise BadInput("an in-memory database holds no board to read")
        return _sqlite(Path(rest[1:]), db, create)
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        _check_url(db)
        return Database(f"postgresql://{rest}", "postgresql", engine_url=db)
    from mlkanban.store.engine import make_engine

    return EngineDatabase(make_engine(db, create=create))


def _check_url(db: str) -> None:
    """A URL that cannot name a server (a port that is no number) is bad input, said
    with its password masked."""
    from urllib.parse import urlsplit

    try:
        urlsplit(db).port  # noqa: B018  (parsing it is the check)
    except ValueError:
        from mlkanban.store.engine import hide_password

        raise BadInput(f"not a valid database URL: {hide_password(db)}") from None


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """A SQLite board's file: not a directory, and made (private) only when ``create``
    says so; commands that only read make nothing on disk."""
    if path.is_dir():
        raise BadInput(f"{path} is a directory, not a database file")
    if not path.exists():
        if not create:
            raise BadInput(f"no board at {path}; `mlkanban person add` creates one")
        create_private_file(path)


def create_private_file(path: Path) -> None:
    """An empty file only its owner may read (SQLite gives its -wal and -shm files the
    same mode), in a directory made 0700 if it has to be made."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BadInput(f"cannot create {path.parent}: {exc.strerror}") from None
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another process made it first
    except OSError as exc:
        raise BadInput(f"cannot create {path}: {exc.strerror}") from None


def _sqlite(path: Path, db: str, create: bool) -> Database:
    check_sqlite_file(path, create=create)
    if not os.access(path, os.R_OK):
        raise SchemaError(f"cannot open the database: {path} is not readable")
    return Database(f"sqlite:///{path}", "sqlite", path)


def within(conn: Any) -> Sql:
    """Reads inside a SQLAlchemy connection's transaction (a write's), on its driver
    connection: they see what the write has flushed so far."""
    return Sql(conn.connection.dbapi_connection, conn.dialect.name)
