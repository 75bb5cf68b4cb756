"""A process killed in the middle of a large import leaves a sound database.

SQLite's write-ahead log either holds the whole import transaction or none of it:
after a SIGKILL at any moment the file passes ``PRAGMA integrity_check`` and holds
either everything in the export or nothing of it, and the import can be run again.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mlkanban.store.engine import make_engine
from mlkanban.store.schema import HEAD
from mlkanban.store.service import Service

PEOPLE = 20
PROJECTS = 10
TASKS = 3_000
EVENTS_PER_TASK = 10  # 30,000 events
KINDS = ("created", "estimated", "started", "moved_phase", "edited", "status_changed")
PHASES = ("research", "data-exploration", "modeling", "productization")


def write_export(path: Path) -> None:
    """A large export in the format of ``mlkanban export``, built directly."""
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    at = start.isoformat()
    records: list[dict] = [{
        "type": "header", "format": "mlkanban-export", "version": 1,
        "schema_revision": HEAD, "exported_at": (start + timedelta(days=400)).isoformat(),
    }]
    handles = [f"person{n}" for n in range(PEOPLE)]
    records += [
        {"type": "person", "handle": h, "name": h.title(), "wip_limit": 1, "active": True,
         "created_at": at}
        for h in handles
    ]
    per_project = TASKS // PROJECTS
    keys = [f"PRJ{n}" for n in range(PROJECTS)]
    records += [
        {"type": "project", "key": key, "name": f"Project {key}", "next_number": per_project + 1,
         "created_at": at, "updated_at": at, "plan": {"research": 1, "modeling": 3}}
        for key in keys
    ]
    uid = 0
    events = []
    for p, key in enumerate(keys):
        for number in range(1, per_project + 1):
            task_key = f"{key}-{number}"
            owner = handles[(p * per_project + number) % PEOPLE]
            times = [start + timedelta(hours=number + i) for i in range(EVENTS_PER_TASK)]
            records.append({
                "type": "task", "key": task_key, "project": key, "number": number,
                "title": f"Task {number} of {key}", "phase": PHASES[number % len(PHASES)],
                "owner": owner, "estimate": 1 + number % 5, "status": "done",
                "created_at": times[0].isoformat(), "updated_at": times[-1].isoformat(),
                "started_at": times[1].isoformat(), "status_at": times[-1].isoformat(),
                "done_at": times[-1].isoformat(),
            })
            for i, moment in enumerate(times):
                uid += 1
                events.append({
                    "type": "event", "uid": f"{uid:032x}", "at": moment.isoformat(),
                    "actor": owner, "kind": KINDS[i % len(KINDS)], "project": key,
                    "task": task_key, "field": "status", "old": "todo", "new": "done",
                    "reason": f"step {i} of {task_key}",
                })
    records += events
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


def empty_database(path: Path) -> None:
    """A database at the current schema with one record of its own."""
    engine = make_engine(str(path))
    Service(engine, actor="alice").add_person("alice")
    engine.dispose()


def counts(path: Path) -> tuple[int, int, int]:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        return tuple(
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("person", "task", "event")
        )
    finally:
        db.close()


NONE = (1, 0, 1)  # alice and her person_added event
ALL = (1 + PEOPLE, TASKS, 1 + TASKS * EVENTS_PER_TASK)


def start_import(db: Path, export: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mlkanban", "--db", str(db), "import", str(export)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(f"{db}-wal")
    except FileNotFoundError:
        return 0


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "big.jsonl"
    write_export(path)
    return path


@pytest.fixture(scope="module")
def normal_run(export, tmp_path_factory) -> tuple[float, int]:
    """How long an import takes when left alone, and how large its log grows."""
    db = tmp_path_factory.mktemp("normal") / "board.db"
    empty_database(db)
    began = time.monotonic()
    process = start_import(db, export)
    peak = 0
    while process.poll() is None:
        peak = max(peak, wal_size(db))
        time.sleep(0.005)
    out, err = process.communicate()
    assert process.returncode == 0, err
    assert f"{TASKS} tasks, {TASKS * EVENTS_PER_TASK} events" in out
    assert counts(db) == ALL
    return time.monotonic() - began, peak


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.3, 0.9])
def test_killed_after_a_fraction_of_the_import(export, normal_run, tmp_path, fraction):
    """Killed at some moment: reading the file, writing, committing, or already done."""
    duration, _ = normal_run
    db = tmp_path / "board.db"
    empty_database(db)
    process = start_import(db, export)
    time.sleep(duration * fraction)
    process.send_signal(signal.SIGKILL)
    process.communicate()

    assert counts(db) in (NONE, ALL)


@pytest.mark.slow
@pytest.mark.parametrize("share", [0.05, 0.6])
def test_killed_while_writing_the_log(export, normal_run, tmp_path, share):
    """Killed while the import's pages pour into the write-ahead log, before its commit."""
    _, peak = normal_run
    db = tmp_path / "board.db"
    empty_database(db)
    baseline = wal_size(db)
    process = start_import(db, export)
    threshold = baseline + max(int((peak - baseline) * share), 4096)
    deadline = time.monotonic() + 120
    while wal_size(db) < threshold:
        assert process.poll() is None, "the import ended before its log reached the mark"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL  # it had not finished

    assert counts(db) in (NONE, ALL)
    finish(db, export)


def finish(db: Path, export: Path) -> None:
    """After the crash, running the import again completes it."""
    process = start_import(db, export)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert counts(db) == ALL
