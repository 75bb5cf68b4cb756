"""Work logs: the stretches in progress, split by phase, worked out by hand; and the
service keeps each task's log equal to what its events say, whatever happens to it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from mlkanban.domain import work_log
from mlkanban.domain.errors import MlkanbanError
from mlkanban.domain.phases import Phase
from mlkanban.domain.work_log import Piece, clip, from_events, micros
from mlkanban.store import work_logs

MON = datetime(2026, 11, 16, 9, tzinfo=UTC)


def at(hours: float) -> datetime:
    return MON + timedelta(hours=hours)


def us(hours: float) -> int:
    return micros(at(hours))


def test_a_stretch_split_where_the_phase_changed_and_a_second_stretch():
    events = [
        (at(0), "created", None, "Baseline"),
        (at(1), "started", "todo", "in_progress"),
        (at(5), "moved_phase", "modeling", "data_exploration"),
        (at(8), "status_changed", "in_progress", "waiting"),
        (at(30), "moved_phase", "data_exploration", "modeling"),  # while waiting: no piece
        (at(50), "started", "waiting", "in_progress"),
    ]
    assert from_events(events, "modeling") == [
        Piece("modeling", us(1), us(5), True),
        Piece("data_exploration", us(5), us(8), False),
        Piece("modeling", us(50), None, True),
    ]


def test_a_task_never_moved_is_in_its_current_phase_and_never_started_has_no_log():
    started = [(at(1), "started", "todo", "in_progress"), (at(9), "status_changed",
                                                          "in_progress", "done")]
    assert from_events(started, "research") == [Piece("research", us(1), us(9), True)]
    assert from_events([(at(0), "created", None, "t")], "research") == []


def test_a_move_at_the_instant_work_stops_makes_no_piece():
    events = [(at(1), "started", "todo", "in_progress"),
              (at(4), "moved_phase", "modeling", "productization"),
              (at(4), "status_changed", "in_progress", "done")]
    assert from_events(events, "productization") == [Piece("modeling", us(1), us(4), True)]


def test_clipping_at_a_moment_is_the_log_as_it_stood_then():
    pieces = [Piece("modeling", us(1), us(5), True), Piece("data_exploration", us(5), None, False)]
    assert clip(pieces, us(3)) == [Piece("modeling", us(1), us(3), True)]
    # the instant of the move: no time in the new phase yet
    assert clip(pieces, us(5)) == [Piece("modeling", us(1), us(5), True)]
    assert clip(pieces, us(7)) == [pieces[0], Piece("data_exploration", us(5), us(7), False)]
    assert clip(pieces, us(0)) == []


def test_logs_round_trip_through_their_stored_form():
    pieces = [Piece("modeling", us(1), us(5), True), Piece("data_exploration", us(5), None, False)]
    text_form = work_log.dumps(pieces)
    assert work_log.loads(text_form) == pieces
    assert [tuple(p) for p in work_log.loads_many([text_form])[0]] == [
        ("modeling", us(1), us(5), 1), ("data_exploration", us(5), None, 0)]


def test_the_service_keeps_every_log_equal_to_its_events(team, engine, clock):
    """Random days of work through the service, backdated in order: after each one the
    stored logs are what a replay of the events gives."""
    rng = random.Random(7)
    for n in range(6):
        team.add_task("CHURN", f"Task {n}", rng.choice(list(Phase)),
                      owner=rng.choice(["alice", "bob"]), at=clock() - timedelta(days=30))
    moment = clock() - timedelta(days=29)
    actions = ["start", "start", "wait", "done", "drop", "reopen", "reopen", "move", "move",
               "assign"]
    applied = 0
    for _ in range(150):
        moment += timedelta(hours=rng.choice([1, 3, 7]))
        key = f"CHURN-{rng.randint(1, 6)}"
        action = rng.choice(actions)
        try:
            if action == "start":
                team.start(key, override="needed", at=moment)
            elif action in ("wait", "drop"):
                getattr(team, action)(key, "blocked", at=moment)
            elif action == "move":
                team.move(key, rng.choice(list(Phase)), at=moment)
            elif action == "assign":
                team.assign(key, rng.choice(["alice", "bob"]), override="needed", at=moment)
            else:
                getattr(team, action)(key, at=moment)
        except MlkanbanError:
            continue  # refused moves are part of the game
        applied += 1
        with engine.connect() as conn:
            stored = dict(conn.execute(text("SELECT id, work_log FROM task")).all())
            assert stored == work_logs.derive(conn)
    assert applied > 40
    assert sum(len(work_log.loads(log)) for log in stored.values()) > 10
