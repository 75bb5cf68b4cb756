"""Helpers shared by several test modules."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from mlkanban.cli import cli
from mlkanban.commands.common import AppContext

TABLES = ("person", "project", "phase_plan", "task", "event", "deliverable", "ab_test")


def dump_db(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table: to show that a refused command changed nothing."""
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}
    finally:
        conn.close()


def run_cli(db: Path, clock, *args: str, actor: str = "alice") -> Result:
    """Run one command in-process, as ``mlkanban --db DB --as ACTOR ...``."""
    runner = CliRunner()
    return runner.invoke(
        cli,
        ["--db", str(db), "--as", actor, *args],
        obj=AppContext(clock=clock),
        catch_exceptions=False,
    )


def acting_as(service, handle: str):
    """The same database, clock and calendar, acting as ``handle``: only a task's owner
    starts, parks or finishes it, so a test board's people take turns."""
    from mlkanban.store.service import Service

    return Service(service.engine, actor=handle, clock=service.clock,
                   calendar=service.calendar, migrate=False)


def rows_built_in_python(monkeypatch) -> list[str]:
    """The keys of the tasks ``ls --json`` builds in Python rather than taking from
    SQLite (``store.task_json``), as they are built."""
    from mlkanban.commands import tasks as task_commands

    built: list[str] = []
    real = task_commands._item_maker

    def counting(service, designs):
        item = real(service, designs)

        def counted(row):
            built.append(row[0])
            return item(row)
        return counted

    monkeypatch.setattr(task_commands, "_item_maker", counting)
    return built
