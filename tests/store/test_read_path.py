"""Every plain SQL read (``store.queries``) against the ORM's view of the same rows, on
SQLite and on PostgreSQL: the same values of the same types (aware UTC datetimes,
bools, enums), in the same order, for every function and every filter.

The board is ``varied_board.build`` (the ``board`` fixture); the ORM's view is
``orm_views.Orm``.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

import pytest

from mlkanban.domain.clock import FixedClock
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import OPEN_STATUSES, Status
from mlkanban.store import queries
from mlkanban.store.reader import Reader
from tests.conftest import NOW
from tests.store.orm_views import Orm
from tests.store.varied_board import (
    DST_FIRST,
    DST_SECOND,
    NY_FALL_BACK,
    PARIS,
    RECENT_DONE,
    SPRING_EDGE,
)

MICRO = timedelta(microseconds=1)


def typed(value):
    """``value`` with the type of every part spelled out, so that ``==`` also compares
    types: 1 is not True, "done" is not Status.DONE, and a datetime must be aware UTC."""
    if is_dataclass(value):
        return type(value).__name__, {f.name: typed(getattr(value, f.name))
                                      for f in fields(value)}
    if isinstance(value, datetime):
        assert value.tzinfo is UTC, f"{value!r} is not an aware UTC datetime"
        return "datetime", value
    if isinstance(value, dict):  # in order: a plan's phases come in board order
        return "dict", [(typed(k), typed(v)) for k, v in value.items()]
    if isinstance(value, list | tuple):
        return type(value).__name__, [typed(v) for v in value]
    if isinstance(value, Enum):
        return type(value).__name__, value.value
    return type(value).__name__, value


def assert_same(read, orm) -> None:
    assert typed(read) == typed(orm)


def by_key(mapping: dict) -> dict:
    """A mapping in key order, for reads whose order means nothing."""
    return dict(sorted(mapping.items()))


def outcome(call):
    """What a call returns, or the error it raises."""
    try:
        return "returned", call()
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        return "raised", type(error).__name__, str(error)


# ---------------------------------------------------------------------- tasks

TASK_FILTERS = [
    pytest.param({}, id="all"),
    pytest.param({"owner": "alice"}, id="owner"),
    pytest.param({"owner": "erin"}, id="owner-inactive"),
    pytest.param({"owner": "nobody"}, id="owner-unknown"),
    pytest.param({"unassigned": True}, id="unassigned"),
    pytest.param({"unassigned": True, "project": "FRAUD"}, id="unassigned-project"),
    pytest.param({"project": "CHURN"}, id="project"),
    pytest.param({"project": "IDLE"}, id="project-empty"),
    *[pytest.param({"phase": phase}, id=f"phase-{phase.value}") for phase in Phase],
    *[pytest.param({"statuses": [status]}, id=f"status-{status.value}") for status in Status],
    pytest.param({"statuses": sorted(OPEN_STATUSES)}, id="statuses-open"),
    pytest.param({"statuses": (Status.DONE, Status.DROPPED)}, id="statuses-tuple"),
    pytest.param({"statuses": frozenset({Status.WAITING})}, id="statuses-set"),
    pytest.param({"statuses": []}, id="statuses-none"),
    pytest.param({"done_since": NOW - timedelta(days=7)}, id="done-since-week"),
    pytest.param({"done_since": RECENT_DONE}, id="done-since-exact"),
    pytest.param({"done_since": RECENT_DONE + MICRO}, id="done-since-after"),
    pytest.param({"done_since": RECENT_DONE.astimezone(PARIS)}, id="done-since-paris"),
    pytest.param({"done_since": SPRING_EDGE + MICRO}, id="done-since-dst-exact"),
    pytest.param({"done_since": datetime(2000, 1, 1, tzinfo=UTC)}, id="done-since-long-ago"),
    pytest.param({"done_since": NOW + timedelta(days=1)}, id="done-since-future"),
    pytest.param({"label": "ml"}, id="label"),
    pytest.param({"label": "ML"}, id="label-case"),
    pytest.param({"label": "q1"}, id="label-case-stored"),
    pytest.param({"label": "data_quality"}, id="label-underscore"),
    pytest.param({"label": "a_b"}, id="label-underscore-not-wildcard"),
    pytest.param({"label": "100%"}, id="label-percent"),
    pytest.param({"label": "%"}, id="label-only-percent"),
    pytest.param({"label": "_"}, id="label-only-underscore"),
    pytest.param({"label": "10"}, id="label-prefix"),
    pytest.param({"label": "ml q1"}, id="label-two-words"),
    pytest.param({"label": "Éval"}, id="label-accented"),
    pytest.param({"label": "éval"}, id="label-accented-lower"),
    pytest.param({"label": "analytics"}, id="label-last"),
    pytest.param({"parent": "CHURN-1"}, id="parent"),
    pytest.param({"parent": "CHURN-2"}, id="parent-jira-key"),
    pytest.param({"parent": "CHURN-3"}, id="parent-childless"),
    pytest.param({"parent": "ML-3"}, id="parent-jira-key-itself"),
    pytest.param({"owner": "alice", "statuses": [Status.IN_PROGRESS], "phase": Phase.MODELING},
                 id="owner-status-phase"),
    pytest.param({"project": "CHURN", "statuses": sorted(Status),
                  "done_since": NOW - timedelta(days=30)}, id="board-columns"),
    pytest.param({"label": "ml", "owner": "alice", "parent": "CHURN-1"}, id="label-owner-parent"),
]


@pytest.mark.parametrize("filters", TASK_FILTERS)
def test_tasks(board, filters):
    with board.database.read() as sql:
        read = queries.tasks(sql, **filters)
    assert_same(read, board.orm.task_views(**filters))


def test_the_varied_board_has_what_the_filters_need(board):
    """Each filter above keeps some tasks and drops others, or it would prove little."""
    orm = board.orm
    every = orm.task_views()
    assert {t.status for t in every} == set(Status)
    for filters in ({"owner": "alice"}, {"unassigned": True}, {"label": "ml"},
                    {"label": "a_b"}, {"parent": "CHURN-1"}, {"done_since": RECENT_DONE}):
        assert 0 < len(orm.task_views(**filters)) < len(every), filters
    assert [t.key for t in orm.task_views(done_since=RECENT_DONE + MICRO)
            if t.status is Status.DONE] == []
    assert any(t.wip_override for t in every) and any(t.reason for t in every)


@pytest.mark.parametrize("key", ["CHURN-1", "CHURN-5", "CHURN-10", "FRAUD-2", "RANK-1",
                                 "CHURN-99", "NOPE-1"])
def test_task(board, key):
    with board.database.read() as sql:
        assert_same(queries.task(sql, key), board.orm.task(key))


@pytest.mark.parametrize(("text", "project"), [
    ("CHURN-2", False), ("churn-2", False), ("  churn-2 ", False), ("ML-3", False),
    ("ml-7", False), ("CHURN-2", False), ("ML-999", False), ("CHURN-99", False),
    ("not a key", False), ("", False), ("CHURN", True), ("churn", True), ("ML-1", True),
    ("ML", True), ("NOPE", True), ("bad key!", True), ("ML-8", False), ("FRAUD-1", False),
])
def test_resolve_key(board, text, project):
    with board.database.read() as sql:
        read = outcome(lambda: queries.resolve_key(sql, text, project=project))
    assert read == outcome(lambda: board.orm.resolve_key(text, project=project))


@pytest.mark.parametrize("before", [
    NOW, RECENT_DONE, RECENT_DONE + MICRO, SPRING_EDGE + MICRO, SPRING_EDGE + 2 * MICRO,
    NY_FALL_BACK, datetime(2000, 1, 1, tzinfo=UTC),
])
def test_done_counts_before(board, before):
    def ordered(rows):
        return sorted(rows, key=lambda row: (row[0] or "", row[1], row[2]))

    with board.database.read() as sql:
        read = queries.done_counts_before(sql, before)
    assert_same(ordered(read), ordered(board.orm.done_counts_before(before)))


# ---------------------------------------------------------------------- people and projects


@pytest.mark.parametrize("active_only", [False, True])
def test_people(board, active_only):
    with board.database.read() as sql:
        assert_same(queries.people(sql, active_only=active_only),
                    board.orm.person_views(active_only=active_only))


@pytest.mark.parametrize("handle", ["alice", "erin", "dan", "nobody"])
def test_person(board, handle):
    with board.database.read() as sql:
        assert_same(queries.person(sql, handle), board.orm.person(handle))


@pytest.mark.parametrize("keys", [None, [], ["CHURN"], ["RANK", "NOPE", "CHURN"], ("IDLE",),
                                  ["FRAUD", "FRAUD"]])
def test_projects(board, keys):
    with board.database.read() as sql:
        assert_same(queries.projects(sql, keys), board.orm.project_views(keys))


# ---------------------------------------------------------------------- history


def event_filters(orm: Orm) -> list[dict]:
    middle = sorted(e.id for e in orm.events)[len(orm.events) // 2]
    return [{}, {"task_key": "CHURN-2"}, {"task_key": "CHURN-10"}, {"task_key": "NOPE-1"},
            {"project_key": "CHURN"}, {"project_key": "IDLE"}, {"after_id": middle},
            {"after_id": 0}, {"project_key": "FRAUD", "after_id": middle},
            {"task_key": "CHURN-7", "project_key": "CHURN", "after_id": 3}]


def test_events(board):
    for filters in event_filters(board.orm):
        with board.database.read() as sql:
            read = queries.events(sql, **filters)
        assert_same(read, board.orm.event_views(**filters))


@pytest.mark.parametrize("kinds", [None, [], ["started", "status_changed"], ("person_edited",),
                                   ["no such kind"]])
def test_event_log(board, kinds):
    with board.database.read() as sql:
        assert_same(queries.event_log(sql, kinds), board.orm.event_views(kinds=kinds))


def test_latest_event_id_and_id_maps(board):
    with board.database.read() as sql:
        assert_same(queries.latest_event_id(sql), board.orm.latest_event_id())
        assert_same([by_key(m) for m in queries.id_maps(sql)],
                    [by_key(m) for m in board.orm.id_maps()])


@pytest.mark.parametrize("until", [None, NOW, RECENT_DONE, RECENT_DONE - MICRO, DST_FIRST,
                                   DST_SECOND, datetime(2025, 3, 4, tzinfo=UTC),
                                   datetime(2000, 1, 1, tzinfo=UTC)])
def test_last_event_per_project(board, until):
    with board.database.read() as sql:
        read = queries.last_event_per_project(sql, until)
    assert_same(by_key(read), by_key(board.orm.last_event_per_project(until)))


@pytest.mark.parametrize("project_key", [None, "CHURN", "FRAUD", "IDLE", "NOPE"])
def test_deliverables(board, project_key):
    with board.database.read() as sql:
        assert_same(queries.deliverables(sql, project_key),
                    board.orm.deliverable_views(project_key))


@pytest.mark.parametrize("task_keys", [None, [], ["CHURN-8"], ["CHURN-1", "NOPE-1"],
                                       ("CHURN-8", "CHURN-2")])
def test_ab_tests(board, task_keys):
    with board.database.read() as sql:
        assert_same(by_key(queries.ab_tests(sql, task_keys)),
                    by_key(board.orm.ab_test_views(task_keys)))


# ---------------------------------------------------------------------- the readers


def test_counts(board):
    reader = Reader(board.database, clock=FixedClock(NOW), migrate=False)
    assert_same(reader.counts(), board.orm.counts())


def test_the_service_reads_through_its_engine_alike(board):
    """The writing service reads on its SQLAlchemy engine's connections (``EngineDatabase``):
    the same answers as a plain ``Database``."""
    service = board.service
    assert_same(service.tasks(), board.orm.task_views())
    assert_same(service.tasks(label="ml", done_since=RECENT_DONE),
                board.orm.task_views(label="ml", done_since=RECENT_DONE))
    assert_same(service.projects(), board.orm.project_views())
    assert_same(service.people(), board.orm.person_views())
    assert_same(service.counts(), board.orm.counts())
