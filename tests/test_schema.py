"""Schema versions: migrations from the first version lose nothing and leave a backup."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from mlkanban.domain import work_log
from mlkanban.domain.errors import SchemaError
from mlkanban.store.engine import make_engine, write_engine
from mlkanban.store.schema import HEAD, REVISIONS, alembic_config, ensure_schema, run_migrations
from mlkanban.store.service import Service


def test_known_revisions_match_the_migration_scripts():
    script = ScriptDirectory.from_config(alembic_config())
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(chain) == REVISIONS
    assert script.get_current_head() == HEAD


def test_migrations_build_exactly_the_tables_of_the_models(engine):
    ensure_schema(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


MOVED = "2026-11-04 12:00:00.000000"


def _first_version_database(path):
    """A database as the first release left it, with some history in it."""
    engine = make_engine(str(path))
    with write_engine(engine).connect() as conn, conn.begin():
        run_migrations(conn, "0001")
    engine.dispose()
    at = "2026-11-02 09:00:00.000000"
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO person VALUES (1, 'alice', 'Alice', 1, 1, ?)", (at,))
        db.execute(
            "INSERT INTO project VALUES (1, 'CHURN', 'Churn', '', 1, 'h', 'm', 'active', NULL, "
            "NULL, 2, ?, ?)", (at, at),
        )
        db.execute(
            "INSERT INTO task VALUES (1, 'CHURN-1', 1, 1, 'Baseline', '', 'modeling', 1, 3, "
            "'in_progress', NULL, NULL, ?, ?, ?, ?, NULL)", (at, at, at, at),
        )
        db.execute(
            "INSERT INTO event VALUES (1, 'aa', ?, 'alice', 'created', 1, 1, NULL, NULL, NULL, "
            "'Baseline', NULL)", (at,),
        )
        db.execute(
            "INSERT INTO event VALUES (2, 'bb', ?, 'alice', 'started', 1, 1, NULL, 'status', "
            "'todo', 'in_progress', NULL)", (at,),
        )
        db.execute(
            "INSERT INTO event VALUES (3, 'cc', ?, 'alice', 'moved_phase', 1, 1, NULL, 'phase', "
            "'data_exploration', 'modeling', NULL)", (MOVED,),
        )
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)


def test_opening_a_first_version_database_migrates_it(tmp_path, clock):
    path = tmp_path / "old.db"
    _first_version_database(path)
    service = Service(make_engine(str(path)), actor="alice", clock=clock)

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    task = service.task("CHURN-1")
    assert (task.title, task.owner, task.status.value, task.estimate) == (
        "Baseline", "alice", "in_progress", 3
    )
    assert task.started_at == datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert [e.kind for e in service.history("CHURN-1")] == ["created", "started", "moved_phase"]
    with sqlite3.connect(path) as db:  # the work log was derived from the events
        (log,) = db.execute("SELECT work_log FROM task").fetchone()
    start = work_log.micros(datetime(2026, 11, 2, 9, tzinfo=UTC))
    moved = work_log.micros(datetime(2026, 11, 4, 12, tzinfo=UTC))
    assert work_log.loads(log) == [("data_exploration", start, moved, True),
                                   ("modeling", moved, None, False)]
    assert service.projects()[0].plan == {}  # the new table is there, and empty

    backups = list(tmp_path.glob("old.db.bak-0001-*"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert db.execute("SELECT title FROM task").fetchall() == [("Baseline",)]

    # and the migrated database keeps working
    service.done("CHURN-1")
    assert service.task("CHURN-1").status.value == "done"


def test_current_database_is_not_backed_up_again(tmp_path, clock):
    path = tmp_path / "new.db"
    Service(make_engine(str(path)), clock=clock)
    Service(make_engine(str(path)), clock=clock)
    assert list(tmp_path.glob("*.bak-*")) == []


def test_a_newer_database_is_refused(tmp_path, clock):
    path = tmp_path / "future.db"
    Service(make_engine(str(path)), clock=clock)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(SchemaError, match="newer mlkanban"):
        Service(make_engine(str(path)), clock=clock)


def test_a_foreign_database_is_refused(tmp_path, clock):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER)")
    with pytest.raises(SchemaError, match="not made by mlkanban"):
        Service(make_engine(str(path)), clock=clock)


def test_sqlite_settings(engine):
    ensure_schema(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
