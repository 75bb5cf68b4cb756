"""``store.tables`` (Core, for fast reads) must stay the same schema as ``store.models``."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, String, Table
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from mlkanban.store import models, tables  # noqa: F401  (models fills SQLModel.metadata)


def _type(column: Column) -> tuple[type, int | None]:
    """The column's type class and length; SQLModel's AutoString is a String."""
    kind = type(column.type)
    if kind is AutoString:
        kind = String
    return kind, getattr(column.type, "length", None)


def _shape(column: Column) -> tuple:
    return (
        _type(column),
        column.nullable,
        column.primary_key,
        bool(column.unique),
        sorted((fk.target_fullname, fk.ondelete) for fk in column.foreign_keys),
    )


def _indexes(table: Table) -> set:
    return {(ix.name, tuple(c.name for c in ix.columns), ix.unique) for ix in table.indexes}


def _unique_sets(table: Table) -> set:
    from sqlalchemy import UniqueConstraint

    return {
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    }


MODEL_TABLES = SQLModel.metadata.tables


def test_same_tables() -> None:
    assert set(tables.metadata.tables) == set(MODEL_TABLES)


@pytest.mark.parametrize("name", sorted(MODEL_TABLES))
def test_same_columns(name: str) -> None:
    model, core = MODEL_TABLES[name], tables.metadata.tables[name]
    assert [c.name for c in core.columns] == [c.name for c in model.columns]
    for column in model.columns:
        assert _shape(core.c[column.name]) == _shape(column), f"{name}.{column.name}"
    assert _indexes(core) == _indexes(model)
    assert _unique_sets(core) == _unique_sets(model)


def test_the_comparison_notices_a_forgotten_column() -> None:
    """A column added to a model only, or a changed length, must not pass."""
    from sqlalchemy import MetaData

    grown = MODEL_TABLES["person"].to_metadata(MetaData())
    grown.append_column(Column("nickname", String, nullable=False))
    grown.append_column(Column("level", Integer, nullable=True))
    core = tables.metadata.tables["person"]
    assert [c.name for c in core.columns] != [c.name for c in grown.columns]
    retyped = MODEL_TABLES["task"].to_metadata(MetaData())
    retyped.c.status.type = String(40)
    assert _shape(tables.task.c.status) != _shape(retyped.c.status)
