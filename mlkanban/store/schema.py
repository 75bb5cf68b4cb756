"""Schema versions: checked cheaply on every open, migrated automatically.

The check reads one row (``alembic_version``) so that commands stay fast; Alembic is
imported only when a migration has to run. A SQLite file is copied to a backup
before it is migrated; a database written by a newer mlkanban is refused.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DatabaseError

from mlkanban.domain.errors import SchemaError
from mlkanban.store.engine import sqlite_path, write_engine
from mlkanban.store.revisions import HEAD, REVISIONS  # noqa: F401  (known revisions)


def read_revision(conn: Connection) -> str | None:
    """The database's schema revision; None for an empty database."""
    from sqlalchemy import inspect

    inspector = inspect(conn)
    if not inspector.has_table("alembic_version"):
        if inspector.get_table_names():
            raise SchemaError("this database was not made by mlkanban (it has no schema version)")
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return row[0] if row else None


def ensure_schema(engine: Engine) -> None:
    """Create or migrate the schema so that it is at ``HEAD``; refuse newer ones."""
    try:
        with engine.connect() as conn:
            revision = read_revision(conn)
        if revision == HEAD:
            return
        _check_known(revision)
        with write_engine(engine).connect() as conn, conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(7405001)"))
            revision = read_revision(conn)  # another process may have won the race
            if revision == HEAD:
                return
            _check_known(revision)
            if revision is not None:
                backup_before_migration(engine, revision)
            run_migrations(conn)
    except (sqlite3.DatabaseError, DatabaseError) as exc:
        raise SchemaError(f"cannot open the database: {_first_line(exc)}") from None


def _check_known(revision: str | None) -> None:
    if revision is not None and revision not in REVISIONS:
        raise SchemaError(
            f"this database was written by a newer mlkanban (schema {revision}, this "
            f"version knows up to {HEAD}); upgrade mlkanban to use it"
        )


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__


def backup_before_migration(engine: Engine, revision: str) -> Path | None:
    """Copy a SQLite file aside (consistently, even in WAL mode) before migrating it,
    readable by no one the original is not readable by."""
    path = sqlite_path(engine)
    if path is None or not path.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    mode = stat.S_IMODE(path.stat().st_mode)
    os.close(os.open(backup, os.O_CREAT | os.O_WRONLY, mode))  # never wider than ``mode``
    os.chmod(backup, mode)  # exactly the original's, before any page is copied
    source = sqlite3.connect(path)
    try:
        target = sqlite3.connect(backup)
        with target:
            source.backup(target)
        target.close()
    finally:
        source.close()
    return backup


def alembic_config(conn: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "mlkanban.store:migrations")
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def run_migrations(conn: Connection, target: str = "head") -> None:
    """Upgrade through Alembic on an open connection (inside its transaction)."""
    from alembic import command

    command.upgrade(alembic_config(conn), target)
