"""The board as of past moments, folded from events (see conftest for the history)."""

from __future__ import annotations

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.history.replay import board_at, build_timelines
from tests.history.dates import at


def _board(history, moment):
    timelines = build_timelines(history.tasks, history.events)
    return {s.key: s for s in board_at(timelines, moment)}


def test_a_task_does_not_exist_before_it_was_created(history):
    board = _board(history, at(5, 17))
    assert sorted(board) == ["CHURN-1"]
    assert board["CHURN-1"].status is Status.DONE


def test_first_owner_and_estimate_come_from_the_first_change(history):
    before = _board(history, at(2, 12))["CHURN-1"]
    assert (before.owner, before.estimate, before.status) == (None, None, Status.TODO)
    after = _board(history, at(3, 12))["CHURN-1"]
    assert (after.owner, after.estimate) == ("bob", 2)


def test_phase_follows_moves_back_and_forth(history):
    assert _board(history, at(10))["CHURN-2"].phase is Phase.MODELING
    assert _board(history, at(12))["CHURN-2"].phase is Phase.DATA_EXPLORATION
    assert _board(history, at(13, 12))["CHURN-2"].phase is Phase.MODELING


def test_waiting_keeps_its_reason_and_resuming_clears_it(history):
    waiting = _board(history, at(17))["CHURN-2"]
    assert waiting.status is Status.WAITING
    assert waiting.reason == "GPU quota"
    assert waiting.since == at(16, 12)
    resumed = _board(history, at(19, 12))["CHURN-2"]
    assert (resumed.status, resumed.reason) == (Status.IN_PROGRESS, None)
    assert resumed.started_at == at(9)  # the first start, not the resume


def test_override_shows_while_its_stretch_in_progress_lasts(history):
    board = _board(history, at(21))
    assert board["CHURN-3"].override == "prod incident"
    assert board["CHURN-2"].override is None


def test_board_now_matches_the_stored_tasks(history):
    board = _board(history, at(23, 10))
    for view in history.tasks:
        state = board[view.key]
        assert (state.phase, state.owner, state.estimate, state.status) == (
            view.phase, view.owner, view.estimate, view.status)


def test_the_lean_event_log_reads_the_same_events(board):
    from mlkanban.store import queries

    with board.read() as conn:
        every = queries.events(conn)
        assert queries.event_log(conn) == every
        moves = queries.event_log(conn, ["moved_phase", "wip_override"])
        assert moves == [e for e in every if e.kind in ("moved_phase", "wip_override")]
        last = queries.last_event_per_project(conn, until=at(20, 12))
    assert last == {"CHURN": at(20, 10), "FRAUD": at(2, 8, 30)}
