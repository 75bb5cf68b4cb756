"""The time-travel oracle: a report as of a moment T, made on the whole database, equals
the report made on a database rebuilt from only what happened up to T.

Generated histories (hypothesis) add people and projects, change plans, WIP limits and
projects' records, move tasks around, close projects and undo changes, at increasing
times. The rebuilt database replays the same actions up to T, so anything the report
takes from today's rows instead of from the events shows up as a difference, in the
Markdown and in the JSON, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mlkanban.domain.clock import FixedClock
from mlkanban.domain.errors import MlkanbanError
from mlkanban.domain.phases import PHASES
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.history.metrics import local_day
from mlkanban.history.weekly import EMPTY_NOTE, Period, weekly_report
from mlkanban.io.markdown_report import render_json, render_markdown
from mlkanban.store.engine import make_engine, remove_sqlite_database
from mlkanban.store.service import Service
from tests.history.reading import read

START = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # a Monday, before the EU clock change
HANDLES = ("ana", "ben", "cy", "dee", "eli", "fay")
PROJECTS = ("CHURN", "FRAUD", "SEARCH", "PRICE")
CALENDAR = WorkCalendar()


@dataclass(frozen=True)
class Action:
    """One command, by someone, some hours after the previous one."""

    hours: float
    actor: int
    verb: str
    a: int
    b: int
    text: str


#: Commands, the everyday ones several times over so that histories have work in them.
VERBS = ("person", "wip", "project", "plan", "edit_project", "close", "deliver", "pivot",
         *("add", "start", "done", "wait", "move", "undo") * 3,
         "drop", "reopen", "assign", "estimate", "retitle")

actions = st.lists(
    st.builds(
        Action,
        hours=st.sampled_from([0.5, 2, 5, 20, 70]),
        actor=st.integers(0, len(HANDLES) - 1),
        verb=st.sampled_from(VERBS),
        a=st.integers(0, 7),
        b=st.integers(0, 5),
        text=st.sampled_from(["GPU quota", "x|y `z`", "Data access", "**bold**"]),
    ),
    min_size=5,
    max_size=45,
)


def _task_key(service: Service, a: int) -> str:
    keys = sorted(t.key for t in service.tasks())
    if not keys:
        raise LookupError
    return keys[a % len(keys)]


def _owner(service: Service, a: int) -> tuple[Service, str]:
    """The task chosen by ``a``, and a service acting as its owner (as people do)."""
    key = _task_key(service, a)
    owner = service.task(key).owner or service.actor
    return Service(service.engine, actor=owner, clock=service.clock, migrate=False), key


def _next(names: tuple[str, ...], taken: list[str]) -> str:
    """The first of ``names`` not taken yet: every "add" adds someone new."""
    free = [name for name in names if name not in taken]
    if not free:
        raise LookupError
    return free[0]


def _on_own(service: Service, a: int, do: Callable[[Service, str], object]) -> object:
    return do(*_owner(service, a))


def _apply(service: Service, action: Action) -> None:
    """Do ``action`` as its actor would; a refusal is part of the history too."""
    verb, a, b, text = action.verb, action.a, action.b, action.text
    phase = PHASES[b % len(PHASES)]
    handle = HANDLES[a % len(HANDLES)]
    project = PROJECTS[a % 2]
    calls: dict[str, Callable[[], object]] = {
        "person": lambda: service.add_person(_next(HANDLES, [p.handle for p in service.people()]),
                                             name=text, wip_limit=1 + b % 2),
        "wip": lambda: service.edit_person(handle, wip_limit=1 + b % 3),
        "project": lambda: service.add_project(
            _next(PROJECTS, [p.key for p in service.projects()]), f"Project {text}",
            plan={phase: 1 + b % 3}),
        "plan": lambda: service.set_plan(project, {phase: b % 4}),
        "edit_project": lambda: service.edit_project(
            project, hypothesis=f"{text} {b}", status=("active", "paused")[b % 2]),
        "close": lambda: service.close_project(project, ("positive", "negative")[b % 2], text),
        "add": lambda: service.add_task(project, f"Task {text} {b}", phase,
                                        owner=service.actor, estimate=1 + b % 5),
        "start": lambda: _on_own(service, a, lambda s, k: s.start(k)),
        "wait": lambda: _on_own(service, a, lambda s, k: s.wait(k, text)),
        "done": lambda: _on_own(service, a, lambda s, k: s.done(k)),
        "drop": lambda: service.drop(_task_key(service, a), text),
        "reopen": lambda: service.reopen(_task_key(service, a)),
        "move": lambda: service.move(_task_key(service, a), phase),
        "assign": lambda: service.assign(_task_key(service, a), handle),
        "estimate": lambda: service.estimate(_task_key(service, a), 1 + b % 5),
        "retitle": lambda: service.edit(_task_key(service, a), title=f"Renamed {text} {b}"),
        "deliver": lambda: service.deliver(project, phase, f"Report {b}", link="http://x.org/a|b"),
        "pivot": lambda: service.pivot(project, f"Pivot {text}"),
        "undo": service.undo,
    }
    with suppress(MlkanbanError, LookupError):
        calls[verb]()


def _replay(engine, steps: list[Action]) -> None:
    """Run ``steps`` on an empty board; the first step sets up a person, a teammate and
    a project (so that most generated commands have something to act on)."""
    clock = FixedClock(START)
    people = [HANDLES[0], HANDLES[1]]
    for index, action in enumerate(steps):
        clock.advance(hours=action.hours)
        actor = people[action.actor % len(people)] if index else HANDLES[0]
        service = Service(engine, actor=actor, clock=clock, migrate=index == 0)
        if index == 0:
            service.add_person(HANDLES[0], name="Ana")
            service.add_person(HANDLES[1], name="Ben", wip_limit=2)
            service.add_project(PROJECTS[0], "Churn", plan={PHASES[0]: 1})
            service.add_task(PROJECTS[0], "Frame it", PHASES[0], owner=HANDLES[0], estimate=2)
            service.add_task(PROJECTS[0], "Look at data", PHASES[1], owner=HANDLES[1])
            continue
        _apply(service, action)
        if action.verb == "person":
            people = [p.handle for p in service.people()]


def _moments(steps: list[Action]) -> list[datetime]:
    moments, now = [], START
    for action in steps:
        now += timedelta(hours=action.hours)
        moments.append(now)
    return moments


def _reports(engine, period: Period, now: datetime) -> tuple[str, str]:
    with read(engine) as conn:
        report = weekly_report(conn, period, now=now, calendar=CALENDAR)
    return render_markdown(report), render_json(report)


class Boards:
    """Two empty databases, emptied again for every generated history."""

    def __init__(self, make: Callable[[str], object], reset: Callable[[str], None]) -> None:
        self.make, self.reset = make, reset

    def fresh(self, name: str):
        self.reset(name)
        return self.make(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def boards(request, tmp_path) -> Boards:
    if request.param == "sqlite":
        return Boards(lambda name: make_engine(str(tmp_path / f"{name}.db")),
                      lambda name: remove_sqlite_database(tmp_path / f"{name}.db"))
    server = request.getfixturevalue("pg_server")
    for name in ("oracle_full", "oracle_cut"):
        if not server.execute(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            server.execute(f"CREATE DATABASE {name}")

    def reset(name: str) -> None:
        server.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public", name)

    return Boards(lambda name: make_engine(server.url(name)), reset)


@settings(max_examples=int(os.environ.get("ORACLE_EXAMPLES", "30")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=actions, cut=st.floats(0.1, 0.7), weeks_back=st.sampled_from([0, 0, 1]))
@example(  # a phase taken off the plan, then put back by an undo after the moment
    steps=[Action(0.5, 0, "person", 0, 0, "x"), Action(0.5, 0, "person", 0, 0, "x"),
           Action(0.5, 0, "person", 0, 0, "x"), Action(0.5, 0, "plan", 0, 0, "x"),
           Action(0.5, 0, "undo", 0, 0, "x"), Action(0.5, 0, "person", 0, 0, "x")],
    cut=0.5, weeks_back=0)
def test_a_report_as_of_a_moment_is_what_the_events_up_to_it_tell(boards, steps, cut,
                                                                   weeks_back):
    moments = _moments(steps)
    index = min(int(cut * len(steps)), len(steps) - 1)
    moment = moments[index] + timedelta(minutes=10)  # before the next step (30 min on)
    period = Period.week_of(local_day(moment) - timedelta(weeks=weeks_back))
    full, cut_board = boards.fresh("oracle_full"), boards.fresh("oracle_cut")
    try:
        _replay(full, steps)
        _replay(cut_board, steps[: index + 1])
        assert _reports(full, period, moment) == _reports(cut_board, period, moment)
    finally:
        full.dispose()
        cut_board.dispose()


def test_a_week_before_any_event_is_empty_and_says_so(service: Service):
    service.add_person("alice", at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    with service.read() as conn:
        report = weekly_report(conn, Period.parse_week("2026-W46"),
                               now=datetime(2026, 11, 23, 10, tzinfo=UTC), calendar=CALENDAR)
    assert report.note == EMPTY_NOTE
    assert report.people == [] and report.projects == []
    assert EMPTY_NOTE in render_markdown(report)
    assert "alice" not in render_markdown(report)
