"""The benchmark database bypasses the service, so check that its rows are the ones the
service would have written: readable by it, consistent with their own events, and
within the WIP rule except where an override says why.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mlkanban.domain.clock import FixedClock
from mlkanban.domain.statuses import Status
from mlkanban.store import queries
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from mlkanban.store.sql import open_database

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "synthetic.py"
KINDS = {"person_added", "project_added", "plan_set", "created", "started", "status_changed",
         "moved_phase", "assigned", "estimated", "edited", "wip_override"}


def load_synthetic():
    """The benchmark script is not part of the package: load it from its file."""
    if "synthetic" not in sys.modules:
        spec = importlib.util.spec_from_file_location("synthetic", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules["synthetic"] = module  # dataclasses look their module up while loading
        spec.loader.exec_module(module)
    return sys.modules["synthetic"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "big.db"
    counts = load_synthetic().build_large_database(
        path, tasks=200, events=2000, open_tasks=40, people=6, projects=5, days=90, now=NOW
    )
    engine = make_engine(str(path))
    service = Service(engine, actor="bench", clock=FixedClock(NOW))
    with service.read() as conn:
        events = queries.events(conn)
    yield counts, service, events, path
    engine.dispose()


def test_counts_are_what_was_asked_for(built):
    counts, service, events, _ = built
    assert counts == {"people": 6, "projects": 5, "tasks": 200, "events": 2000}
    assert service.counts() == counts
    assert len(events) == 2000


def test_the_service_reads_every_task(built):
    _, service, _, _ = built
    tasks = service.tasks()
    assert len(tasks) == 200
    status = Counter(t.status for t in tasks)
    assert 30 <= 200 - status[Status.DONE] - status[Status.DROPPED] <= 50
    assert status[Status.DONE] > 140 and status[Status.WAITING] >= 1
    assert {t.project for t in tasks} == {p.key for p in service.projects()}


def test_each_task_agrees_with_its_own_events(built):
    _, service, events, _ = built
    by_task = defaultdict(list)
    for event in events:
        if event.task is not None:
            by_task[event.task].append(event)
    for task in service.tasks():
        history = by_task[task.key]
        assert history[0].kind == "created" and history[0].at == task.created_at
        assert [e.id for e in history] == sorted(e.id for e in history)
        assert history[-1].at == task.updated_at
        status_events = [e for e in history if e.field == "status"]
        last = status_events[-1] if status_events else None
        assert task.status.value == (last.new if last else "todo"), task.key
        assert task.status_at == (last.at if last else task.created_at)
        assert task.reason == (last.reason if last else None)
        starts = [e for e in status_events if e.new == "in_progress"]
        assert all(e.kind == "started" for e in starts)
        assert task.started_at == (starts[0].at if starts else None)
        assert task.done_at == (last.at if task.status is Status.DONE else None)
        olds = [e.old for e in status_events]
        news = ["todo"] + [e.new for e in status_events]
        assert olds == news[:-1], task.key  # each change starts where the last one ended
        for field, value in (("phase", task.phase.value), ("estimate", task.estimate),
                             ("owner", task.owner)):
            changes = [e for e in history if e.field == field]
            if changes:
                assert changes[-1].new == (None if value is None else str(value)), task.key
        if task.started_at is not None:  # starting needs an owner; all started ones have sizes
            assert task.owner is not None and task.estimate is not None


def test_keys_count_up_per_project(built):
    _, _, _, path = built
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT p.key, p.next_number, t.key, t.number FROM task t "
            "JOIN project p ON p.id = t.project_id ORDER BY t.id"
        ).fetchall()
    seen = defaultdict(list)
    for project, next_number, key, number in rows:
        assert key == f"{project}-{number}"
        seen[(project, next_number)].append(number)
    for (_, next_number), numbers in seen.items():
        assert numbers == list(range(1, next_number))


def test_nobody_is_over_the_wip_limit_without_an_override(built):
    _, service, events, _ = built
    limits = {p.handle: p.wip_limit for p in service.people()}
    overridden = {e.task for e in events if e.kind == "wip_override"}
    busy = defaultdict(list)
    for task in service.tasks(statuses=[Status.IN_PROGRESS]):
        busy[task.owner].append(task.key)
    assert set(busy) == set(limits)  # everyone has something in progress
    over = [h for h, keys in busy.items() if len(keys) > limits[h]]
    assert over  # the data does contain the exception the rule allows
    for handle in over:
        assert set(busy[handle]) & overridden


def test_history_never_breaks_the_wip_limit_without_an_override(built):
    """Replaying every start and stop: people work one task at a time, as the service allows."""
    _, service, events, _ = built
    limits = {p.handle: p.wip_limit for p in service.people()}
    owners = {t.key: t.owner for t in service.tasks()}
    busy = defaultdict(set)
    previous = None
    for event in events:
        if event.field == "status":
            owner = owners[event.task]
            if event.new == "in_progress":
                if len(busy[owner]) >= limits[owner]:
                    assert previous.kind == "wip_override" and previous.task == event.task
                busy[owner].add(event.task)
            else:
                busy[owner].discard(event.task)
        previous = event
    assert sum(len(keys) for keys in busy.values()) == len(
        service.tasks(statuses=[Status.IN_PROGRESS])
    )


def test_history_spreads_over_the_days_asked_for_and_stays_in_the_past(built):
    _, _, events, _ = built
    assert {e.kind for e in events} <= KINDS
    assert {"moved_phase", "estimated", "assigned", "wip_override"} <= {e.kind for e in events}
    assert min(e.at for e in events) >= NOW - timedelta(days=90)
    assert max(e.at for e in events) < NOW
    months = {(e.at.year, e.at.month) for e in events}
    assert len(months) >= 3
    assert len({e.uid for e in events}) == len(events)


def test_same_seed_gives_the_same_database(tmp_path, built):
    _, _, events, _ = built
    again = tmp_path / "again.db"
    load_synthetic().build_large_database(
        again, tasks=200, events=2000, open_tasks=40, people=6, projects=5, days=90, now=NOW
    )
    with open_database(str(again), create=False).read() as sql:
        assert queries.events(sql) == events
