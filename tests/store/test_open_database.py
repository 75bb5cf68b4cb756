"""Opening a board for reading (``store.sql.open_database``): an older schema is
migrated through SQLAlchemy with the URL as given, and connections are handed from one
read to the next, whichever thread asks."""

from __future__ import annotations

import threading

import pytest

from mlkanban.store.engine import make_engine, write_engine
from mlkanban.store.reader import Reader
from mlkanban.store.revisions import HEAD
from mlkanban.store.schema import run_migrations
from mlkanban.store.sql import open_database


def _older_board(url: str) -> None:
    engine = make_engine(url)
    with write_engine(engine).connect() as conn, conn.begin():
        run_migrations(conn, "0006")
    engine.dispose()


@pytest.mark.postgres
def test_a_reader_migrates_an_older_postgresql_board(pg_url):
    """The reader talks to psycopg with libpq's form of the URL; the migration goes
    through SQLAlchemy with the URL as the user gave it."""
    _older_board(pg_url)
    database = open_database(pg_url)
    assert database.revision() == "0006"
    reader = Reader(database)
    assert reader.database.revision() == HEAD
    assert reader.counts()["tasks"] == 0
    database.close()


def test_a_reader_migrates_an_older_sqlite_board(tmp_path):
    path = tmp_path / "board.db"
    _older_board(str(path))
    reader = Reader(open_database(str(path), create=False))
    assert reader.database.revision() == HEAD


def test_connections_are_reused_across_threads(tmp_path):
    path = tmp_path / "board.db"
    _older_board(str(path))
    database = open_database(str(path))
    opened = []
    connect = database._connect

    def counting_connect():
        opened.append(1)
        return connect()

    database._connect = counting_connect

    def read_once():
        with database.read() as sql:
            assert sql.scalar("SELECT count(*) FROM task") == 0

    for _ in range(5):  # one worker thread after another, as the board's polls are
        thread = threading.Thread(target=read_once)
        thread.start()
        thread.join()
    assert len(opened) == 1
    database.close()


def test_a_failed_read_drops_its_connection(tmp_path):
    path = tmp_path / "board.db"
    _older_board(str(path))
    database = open_database(str(path))
    with pytest.raises(Exception, match="no such table"), database.read() as sql:
        sql.scalar("SELECT count(*) FROM no_such_table")
    assert database._idle == []
    with database.read() as sql:  # the next read starts afresh
        assert sql.scalar("SELECT count(*) FROM person") == 0
    database.close()
    assert database._idle == []
