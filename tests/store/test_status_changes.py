"""Status changes on the driver (``store.status_changes``) against the ORM, on SQLite and
on PostgreSQL.

The command line changes a status in a transaction of its own on the driver
(``StatusWriter``); the board does it inside the service's ORM session
(``Service.set_status``). The same story told both ways must leave the same rows; the
ORM must read what was written as the moments meant; each change's first event must
carry the task as the ORM saw it just before (what ``undo`` puts back); the work log
stored must be the one derived from the events; and a refused change writes nothing.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from mlkanban.domain.clock import FixedClock
from mlkanban.domain.errors import BadInput, MlkanbanError, NotFound, RuleRefused, WipRefused
from mlkanban.domain.phases import Phase
from mlkanban.store import undo, work_logs
from mlkanban.store.engine import make_engine
from mlkanban.store.models import Event, Task
from mlkanban.store.service import Service
from mlkanban.store.sql import open_database
from mlkanban.store.status_changes import StatusWriter
from tests.conftest import NOW

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: (who, verb, key, options): every status, the transitions between them, a resume, an
#: unassigned task taken by whoever starts it, and a start past the WIP limit.
STORY = [
    ("alice", "start", "CHURN-1", {}),
    ("alice", "wait", "CHURN-1", {"reason": "Waiting for labels"}),
    ("alice", "start", "CHURN-3", {}),  # unassigned: alice takes it
    ("alice", "start", "CHURN-1", {"override": "Labels came, the demo is tomorrow"}),
    ("alice", "done", "CHURN-3", {}),
    ("bob", "drop", "CHURN-2", {"reason": "Superseded by CHURN-1"}),
    ("bob", "reopen", "CHURN-2", {}),
    ("bob", "done", "CHURN-2", {}),
    ("alice", "wait", "CHURN-1", {"reason": "Waiting for the A/B test"}),
    ("alice", "start", "CHURN-3", {}),  # done, restarted: its done moment goes
    ("alice", "wait", "CHURN-3", {"reason": "Waiting for review", "at": -30}),
]

#: Changes that must be refused, each with what it raises; none may write anything.
REFUSED = [
    ("alice", "start", "CHURN-2", {}, RuleRefused),  # bob's task
    ("alice", "start", "CHURN-3", {}, WipRefused),  # CHURN-1 is in progress
    ("bob", "reopen", "CHURN-9", {}, NotFound),
    ("alice", "done", "CHRUN-1", {}, NotFound),
    ("alice", "wait", "CHURN-1", {"reason": "   "}, BadInput),
    ("alice", "done", "CHURN-1", {"at": 90}, BadInput),  # in the future
    ("alice", "done", "CHURN-1", {"at": -600}, BadInput),  # before its last change
    ("mallory", "done", "CHURN-1", {}, BadInput),  # no person on this board
    ("bob", "wait", "CHURN-2", {"reason": "x"}, RuleRefused),  # done: not from there
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def boards(request, tmp_path):
    """Two boards built alike: one for each way of writing."""
    if request.param == "sqlite":
        urls = [str(tmp_path / "service.db"), str(tmp_path / "command-line.db")]
    else:
        server = request.getfixturevalue("pg_server")
        server.execute("DROP DATABASE IF EXISTS mlkanban_other WITH (FORCE)")
        server.execute("CREATE DATABASE mlkanban_other")
        urls = [server.url("mlkanban_other"), server.empty_database()]
    engines = [make_engine(url) for url in urls]
    for engine in engines:
        _build(engine)
    yield list(zip(urls, engines, strict=True))
    for engine in engines:
        engine.dispose()


def _build(engine) -> None:
    board = Service(engine, actor="alice", clock=FixedClock(NOW))
    board.add_person("alice", wip_limit=1)
    board.add_person("bob")
    board.add_project("CHURN", "Churn prediction")
    board.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=3)
    board.add_task("CHURN", "Features", Phase.DATA_EXPLORATION, owner="bob", estimate=2)
    board.add_task("CHURN", "Error analysis", Phase.RESULTS_ANALYSIS, estimate=1)
    Service(engine, actor="bob", clock=board.clock, migrate=False).start("CHURN-2")


def _writers(url, engine, clock, way):
    """A writer per person, of one way."""
    if way == "service":
        return {who: Service(engine, actor=who, clock=clock, migrate=False)
                for who in ("alice", "bob", "mallory")}
    return {who: StatusWriter(open_database(url, create=False), actor=who, clock=clock)
            for who in ("alice", "bob", "mallory")}


def _call(writers, clock, who, verb, key, options):
    options = dict(options)
    if "at" in options:
        options["at"] = clock() + timedelta(minutes=options["at"])
    return getattr(writers[who], verb)(key, **options)


def _rows(engine) -> tuple[list, list]:
    """Every task and event row as stored, but the random event ids and change ids."""
    with engine.connect() as conn:
        tasks = conn.exec_driver_sql("SELECT * FROM task ORDER BY id").all()
        events = conn.exec_driver_sql(
            "SELECT id, at, actor, kind, task_id, project_id, person_id, field, old, new,"
            " reason, before FROM event ORDER BY id").all()
    return [tuple(row) for row in tasks], [tuple(row) for row in events]


def _orm_tasks(engine) -> dict[str, Task]:
    with Session(engine) as session:
        return {task.key: task for task in session.exec(select(Task))}


def test_both_ways_write_the_same_rows_and_the_orm_reads_them_back(boards):
    (_, service_engine), (url, engine) = boards
    ways = {}
    for name, (board_url, board_engine) in zip(("service", "command-line"), boards,
                                                 strict=True):
        clock = FixedClock(NOW + timedelta(hours=1))
        writers = _writers(board_url, board_engine, clock, name)
        messages = []
        for who, verb, key, options in STORY:
            clock.advance(minutes=47, microseconds=1)
            before = undo.snapshot(_orm_tasks(board_engine)[key])
            last_event = _last_event_id(board_engine)
            change = _call(writers, clock, who, verb, key, options)
            messages.append((change.message, change.notice, change.task))
            # The change's first event carries the task as the ORM saw it just before.
            with Session(board_engine) as session:
                first, *rest = session.exec(select(Event).where(Event.id > last_event)
                                            .order_by(Event.id)).all()
            assert first.before == before and first.task_id is not None
            assert [event.before for event in rest] == [None] * len(rest)
        ways[name] = messages
    assert ways["service"] == ways["command-line"]
    assert _rows(service_engine) == _rows(engine)

    tasks = _orm_tasks(engine)
    # Read back by the ORM as the moments they were: aware, in UTC, to the microsecond.
    end = NOW + timedelta(hours=1, minutes=47 * len(STORY), microseconds=len(STORY))
    assert tasks["CHURN-3"].status == "waiting"
    assert tasks["CHURN-3"].status_at == end - timedelta(minutes=30)
    assert tasks["CHURN-3"].done_at is None and tasks["CHURN-3"].owner_id is not None
    assert tasks["CHURN-1"].wip_override == "Labels came, the demo is tomorrow"
    assert tasks["CHURN-2"].done_at == end - timedelta(minutes=47 * 3, microseconds=3)
    with engine.connect() as conn:
        kinds = [row[0] for row in conn.exec_driver_sql(
            "SELECT kind FROM event WHERE change IS NOT NULL ORDER BY id DESC LIMIT 14")]
        # The work logs stored are the ones the events give.
        assert {task_id: log for task_id, log in conn.exec_driver_sql(
            "SELECT id, work_log FROM task")} == work_logs.derive(conn)
        if engine.dialect.name == "sqlite":  # the text SQLAlchemy writes, no other
            stamps = [at for (at,) in conn.exec_driver_sql("SELECT at FROM event")]
            assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", at)
                       for at in stamps)
    assert "assigned" in kinds and "wip_override" in kinds
    # Its last piece of work ended when it was parked.
    parked = (end - timedelta(minutes=30) - EPOCH) // timedelta(microseconds=1)
    assert json.loads(tasks["CHURN-3"].work_log)[-1][2] == parked


def _last_event_id(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT max(id) FROM event").scalar()


@pytest.mark.parametrize("way", ["service", "command-line"])
def test_a_refused_change_writes_nothing(boards, way):
    url, engine = boards[1]
    clock = FixedClock(NOW + timedelta(hours=2))
    writers = _writers(url, engine, clock, way)
    _call(writers, clock, "alice", "start", "CHURN-1", {})
    _call(writers, clock, "bob", "done", "CHURN-2", {})
    clock.advance(minutes=5)
    rows = _rows(engine)
    for who, verb, key, options, refusal in REFUSED:
        with pytest.raises(refusal) as raised:
            _call(writers, clock, who, verb, key, options)
        assert isinstance(raised.value, MlkanbanError)
        assert "\n" not in str(raised.value)
        assert _rows(engine) == rows, (who, verb, key)


def test_undo_puts_a_command_line_status_change_back(boards):
    url, engine = boards[1]
    clock = FixedClock(NOW + timedelta(hours=2))
    writer = StatusWriter(open_database(url, create=False), actor="alice", clock=clock)
    writer.start("CHURN-1")
    clock.advance(minutes=10)
    writer.done("CHURN-1")
    clock.advance(minutes=10)
    change = Service(engine, actor="alice", clock=clock, migrate=False).undo()
    assert change.task.status.value == "in_progress" and change.task.done_at is None
    task = _orm_tasks(engine)["CHURN-1"]
    assert task.status == "in_progress" and task.started_at == NOW + timedelta(hours=2)
