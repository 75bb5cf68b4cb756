"""The varied board on SQLite and on PostgreSQL, with the ORM's view of it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mlkanban.domain.clock import FixedClock
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from mlkanban.store.sql import Database, open_database
from tests.conftest import NOW
from tests.store.orm_views import Orm
from tests.store.varied_board import build


@dataclass
class Board:
    service: Service
    database: Database
    orm: Orm


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def board(request, tmp_path_factory):
    """The varied board, built once per database (reads change nothing)."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("read-path") / "board.db")
    else:
        url = request.getfixturevalue("pg_server").empty_database()
    engine = make_engine(url)
    service = build(Service(engine, actor="alice", clock=FixedClock(NOW)))
    yield Board(service, open_database(url, create=False), Orm.load(engine))
    engine.dispose()
