"""Engines from a path or a URL, with SQLite set up for several processes at once.

SQLite runs with foreign keys on, WAL (readers never block the writer), a busy
timeout, and write transactions that take the write lock at ``BEGIN`` (``BEGIN
IMMEDIATE``), so a rule checked inside the transaction still holds at commit.

PostgreSQL write transactions keep the same discipline with an advisory lock taken
first: one writer at a time, so no write works from a stale read, no two writers can
deadlock, and event ids are handed out in commit order (a board polling the newest
event id never misses a change committed behind another).
"""

from __future__ import annotations

import re
import weakref
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from mlkanban.domain.errors import BadInput
from mlkanban.store.sql import (
    BUSY_TIMEOUT_MS,
    POSTGRES_WRITE_LOCK,
    SQLITE_WRITE_PRAGMAS,
    check_sqlite_file,
)

#: Execution option marking a connection that will write (see ``write_engine``).
WRITE_OPTION = "mlkanban_write"


#: Every engine made here, to close at a quick exit (``dispose_all``).
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def dispose_all() -> None:
    """Close the pooled connections of every engine made in this process."""
    for engine in list(_engines):
        engine.dispose()


def database_url(db: str) -> str:
    """A SQLAlchemy URL for ``db``: URLs pass through, anything else is a SQLite path."""
    if "://" in db:
        return db
    path = Path(db).expanduser()
    return f"sqlite:///{path}"


def hide_password(url: str) -> str:
    """``url`` for a message, its password (if any) masked, even when it does not parse."""
    return re.sub(r"(://[^/@:]*:)[^@]*@", r"\1***@", url)


def sqlite_path(engine: Engine) -> Path | None:
    """The file behind a SQLite engine (None for other databases or in-memory)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database)


def remove_sqlite_database(path: Path) -> None:
    """Delete a SQLite file together with its WAL and shared-memory companions."""
    for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        old.unlink(missing_ok=True)


def make_engine(db: str, *, create: bool = True) -> Engine:
    """Create (but do not connect) an engine for a path or a URL.

    A new SQLite file is made private (0600, in a 0700 directory when it makes one): a
    board holds names and the story of people's work. Without ``create`` (commands that
    only read) a missing file is an error, and nothing is made on disk.
    """
    url = database_url(db)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise BadInput(f"not a valid database URL: {hide_password(db)}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            check_sqlite_file(Path(parsed.database), create=create)
        engine = create_engine(
            parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        _configure_sqlite(engine)
        _engines.add(engine)
        return engine
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except Exception as exc:  # missing driver, bad options
        raise BadInput(f"cannot use database {parsed.render_as_string()}: {exc}") from None
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    _engines.add(engine)
    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine, marked so that its transactions take the write lock first."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let us issue BEGIN ourselves (pysqlite would defer it to the first write).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_WRITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            for statement in POSTGRES_WRITE_LOCK:
                conn.exec_driver_sql(statement)
