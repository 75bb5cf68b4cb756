"""Reading a board open through a SQLAlchemy engine as the report reads it: plain SQL
on the driver (``store.sql``)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from mlkanban.store.sql import EngineDatabase, Sql


def read(engine) -> AbstractContextManager[Sql]:
    """A read transaction on ``engine``'s database."""
    return EngineDatabase(engine).read()
