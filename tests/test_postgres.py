"""A team on one shared database: PostgreSQL specifics, and many clients at once.

The service tests run on PostgreSQL too (``test_service.py``); this module covers
what only a shared server brings: migrations there, sessions in another time zone,
the write lock, changes seen from another machine, and twenty clients racing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.engine import make_engine, write_engine
from mlkanban.store.models import Event
from mlkanban.store.schema import HEAD, ensure_schema, run_migrations
from mlkanban.store.service import Service
from tests.helpers import run_cli

#: Loaded by every client through PYTHONPATH: it pays for the imports, says it is
#: ready, and waits for the starting gun, so the clients hit the database together.
BARRIER = """\
import os, time
_dir = os.environ.get("MLKANBAN_TEST_BARRIER")
if _dir:
    import mlkanban.cli, mlkanban.store.service, sqlalchemy.dialects.postgresql.psycopg
    open(os.path.join(_dir, f"ready-{os.getpid()}"), "w").close()
    while not os.path.exists(os.path.join(_dir, "go")):
        time.sleep(0.01)
"""


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def run_together(commands: list[list[str]], barrier: Path) -> list[subprocess.CompletedProcess]:
    """Start every command, wait until all are ready, let them go at once; their results."""
    barrier.mkdir()
    (barrier / "sitecustomize.py").write_text(BARRIER)
    env = {
        **os.environ,
        "MLKANBAN_TEST_BARRIER": str(barrier),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(barrier), os.environ.get("PYTHONPATH")])),
    }
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env)
        for command in commands
    ]
    try:
        deadline = time.monotonic() + 120
        while len(list(barrier.glob("ready-*"))) < len(commands):
            assert all(p.poll() is None for p in processes), "a client died before the start"
            assert time.monotonic() < deadline, "the clients never got ready"
            time.sleep(0.02)
        (barrier / "go").touch()
        results = []
        for process, command in zip(processes, commands, strict=True):
            out, err = process.communicate(timeout=120)
            results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def cli(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "mlkanban", "--db", db, "--as", "alice", *args]


def test_migrations_build_exactly_the_tables_of_the_models(pg_engine):
    ensure_schema(pg_engine)
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_a_first_version_database_is_migrated_in_place(pg_engine, clock):
    with write_engine(pg_engine).connect() as conn, conn.begin():
        run_migrations(conn, "0001")
        conn.execute(text(
            "INSERT INTO person (handle, name, wip_limit, active, created_at) "
            "VALUES ('alice', 'Alice', 1, true, '2026-11-02 09:00+00')"
        ))
    team = Service(pg_engine, actor="alice", clock=clock)
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    assert [p.handle for p in team.people()] == ["alice"]
    team.add_project("CHURN", "Churn", plan={Phase.RESEARCH: 1})  # a table from 0002
    assert team.projects()[0].plan == {Phase.RESEARCH: 1}


def test_export_from_postgres_restores_into_sqlite(pg_url, tmp_path, clock):
    """A board on the server restores into a SQLite file, record for record."""
    team = Service(make_engine(pg_url), actor="alice", clock=clock)
    team.add_person("alice", name="Zoë Ångström")
    team.add_project("CHURN", "Churn", plan={Phase.MODELING: 3})
    task = team.add_task("CHURN", "Baseline “v1”", Phase.MODELING, owner="alice", estimate=3)
    clock.advance(hours=1)
    team.start(task.key)
    team.engine.dispose()

    export = tmp_path / "board.jsonl"
    assert run_cli(pg_url, clock, "export", "-o", str(export)).exit_code == 0
    copy = tmp_path / "copy.db"
    assert run_cli(copy, clock, "import", str(export)).exit_code == 0
    again = tmp_path / "again.jsonl"
    assert run_cli(copy, clock, "export", "-o", str(again)).exit_code == 0
    assert export.read_text().splitlines()[1:] == again.read_text().splitlines()[1:]
    assert "Zoë Ångström" in export.read_text()


def test_times_are_utc_whatever_the_session_time_zone(pg_url, clock):
    """A server in New York hands back local times; the board still sees UTC."""
    engine = make_engine(pg_url + "?options=-c%20timezone%3DAmerica/New_York")
    try:
        team = Service(engine, actor="alice", clock=clock)
        with engine.connect() as conn:
            assert conn.execute(text("SHOW timezone")).scalar() == "America/New_York"
        team.add_person("alice")
        team.add_project("CHURN", "Churn")
        created = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
        task = team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", at=created)
        team.start(task.key, at=datetime(2026, 11, 21, 3, 30, tzinfo=UTC))  # the 20th in NY
        view = team.task(task.key)
        assert (view.created_at, view.started_at) == (
            created, datetime(2026, 11, 21, 3, 30, tzinfo=UTC)
        )
        assert view.started_at.utcoffset().total_seconds() == 0
        assert [e.at for e in team.history(task.key)][-1] == view.started_at
    finally:
        engine.dispose()


def test_writers_take_turns_so_event_ids_follow_commit_order(pg_url, clock):
    """One writer at a time, as on SQLite: a rule checked in a write still holds at commit,
    and a board polling the newest event id never misses a change committed behind it."""
    first, second = make_engine(pg_url), make_engine(pg_url)
    try:
        team = Service(first, actor="alice", clock=clock)
        team.add_person("alice")
        team.add_person("bob")
        team.add_project("CHURN", "Churn")
        teammate = Service(second, actor="bob", clock=clock)
        seen = team.latest_event_id()
        event = Event.__table__
        with write_engine(first).connect() as conn, conn.begin():
            conn.execute(event.insert().values(
                uid="f" * 32, at=clock.now, actor="alice", kind="edited"
            ))
            writer = threading.Thread(
                target=teammate.add_task, args=("CHURN", "Baseline", Phase.MODELING)
            )
            writer.start()
            assert wait_for_lock_wait(first), "the second writer did not wait for the first"
            assert team.latest_event_id() == seen
        writer.join(timeout=30)
        assert not writer.is_alive()
        with first.connect() as conn:
            uids = conn.execute(text("SELECT uid FROM event WHERE id > :seen ORDER BY id"),
                                {"seen": seen}).scalars().all()
        assert uids[0] == "f" * 32 and len(uids) == 2  # committed first, numbered first
    finally:
        first.dispose()
        second.dispose()


def wait_for_lock_wait(engine, timeout: float = 30) -> bool:
    """Whether some session starts waiting for an advisory lock within ``timeout``."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
    )
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            if conn.execute(query).scalar():
                return True
            conn.rollback()
            time.sleep(0.02)
    return False


def test_a_change_on_one_machine_is_seen_on_another(pg_url, clock):
    """What a board polls (``latest_event_id``) moves when a teammate changes something."""
    mine, theirs = make_engine(pg_url), make_engine(pg_url)
    try:
        me = Service(mine, actor="alice", clock=clock)
        teammate = Service(theirs, actor="bob", clock=clock)
        assert me.latest_event_id() == teammate.latest_event_id() == 0
        teammate.add_person("bob")
        teammate.add_project("CHURN", "Churn")
        seen = me.latest_event_id()
        assert seen == teammate.latest_event_id() > 0
        task = teammate.add_task("CHURN", "Baseline", Phase.MODELING, owner="bob")
        assert me.latest_event_id() > seen
        assert me.task(task.key).title == "Baseline"
    finally:
        mine.dispose()
        theirs.dispose()


@pytest.mark.slow
def test_first_opens_at_once_migrate_once(pg_url, tmp_path):
    """Several teammates opening a new shared database at the same moment."""
    results = run_together([cli(pg_url, "person", "ls") for _ in range(4)], tmp_path / "gun")
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [(HEAD,)]
    finally:
        engine.dispose()


@pytest.mark.slow
def test_twenty_clients_start_twenty_tasks_of_one_person(backend_engine, tmp_path):
    """Exactly one start wins; nineteen get the WIP refusal; nobody sees a traceback."""
    team = Service(backend_engine, actor="alice")  # the real clock, as the clients use
    team.add_person("alice")
    team.add_project("CHURN", "Churn")
    keys = [
        team.add_task("CHURN", f"Experiment {n}", Phase.MODELING, owner="alice").key
        for n in range(20)
    ]

    db = url_of(backend_engine)
    results = run_together([cli(db, "start", key) for key in keys], tmp_path / "gun")

    winners = [r for r in results if r.returncode == 0]
    assert len(winners) == 1, [(r.returncode, r.stderr) for r in results]
    winner = winners[0].args[-1]
    for result in results:
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert "deadlock" not in output.lower()
        if result is not winners[0]:
            assert result.returncode == 1, result.stderr
            assert result.stdout == ""
            assert "alice already has 1/1 task in progress" in result.stderr
            assert winner in result.stderr  # names the task that won
    in_progress = team.tasks(owner="alice", statuses=[Status.IN_PROGRESS])
    assert [t.key for t in in_progress] == [winner]
    started = [e for key in keys for e in team.history(key) if e.kind == "started"]
    assert len(started) == 1
