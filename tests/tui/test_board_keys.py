"""Key presses on the board change the database as the keys promise, and refusals
change nothing (issue 3, done-means 2)."""

from __future__ import annotations

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.service import Service
from mlkanban.tui.screens.board import BoardScreen
from mlkanban.tui.screens.reason import ReasonScreen
from mlkanban.tui.screens.task_form import TaskFormScreen
from tests.tui.conftest import SIZE, wait_for_board


async def settle(pilot) -> None:
    """Let the write worker, the reload it triggers and the repaint all finish."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def board(pilot) -> BoardScreen:
    screen = pilot.app.screen_stack[0]
    assert isinstance(screen, BoardScreen)
    return screen


async def focus(pilot, key: str) -> None:
    board(pilot).focus_card(key)
    await pilot.pause()
    assert board(pilot).board.current_card.key == key


def event_count(service: Service) -> int:
    return service.counts()["events"]


async def test_arrow_keys_move_the_cursor_across_cells_and_lanes(app):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        view = board(pilot).board
        await focus(pilot, "CHURN-5")  # alice, Modeling, first card
        await pilot.press("down")
        assert view.current_card.key == "CHURN-7"
        await pilot.press("l")  # Productization is empty for alice
        assert view.current_card is None
        await pilot.press("j")  # bob's lane, Productization
        assert view.current_card.key == "RECS-1"
        await pilot.press("h", "k")  # bob has nothing in Modeling: up to alice's last card
        assert view.current_card.key == "CHURN-7"


async def test_start_on_a_todo_card_starts_it(carol_app, board_service):
    async with carol_app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "RECS-5")  # carol has nothing in progress
        await pilot.press("s")
        await settle(pilot)
        task = board_service.task("RECS-5")
        assert task.status is Status.IN_PROGRESS
        assert board_service.history("RECS-5")[-1].kind == "started"
        card = board(pilot).board.current_card
        assert card.key == "RECS-5" and card.task.status is Status.IN_PROGRESS


async def test_second_start_for_the_same_person_is_refused_and_changes_nothing(
    app, board_service
):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        before = event_count(board_service)
        await focus(pilot, "CHURN-7")  # alice already has CHURN-5 in progress
        await pilot.press("s")
        await settle(pilot)
        assert board_service.task("CHURN-7").status is Status.TODO
        assert event_count(board_service) == before
        dialog = pilot.app.screen
        assert isinstance(dialog, ReasonScreen)  # the override is offered, with its reason
        assert "CHURN-5" in dialog.explanation and "1/1" in dialog.explanation
        notes = [n.message for n in pilot.app._notifications]
        assert not any("CHURN-5" in note for note in notes)  # no toast over the dialog
        await pilot.press("escape")
        await settle(pilot)
        assert board_service.task("CHURN-7").status is Status.TODO


async def test_override_with_a_reason_starts_and_records_it(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*"urgent fix", "enter")
        await settle(pilot)
        task = board_service.task("CHURN-7")
        assert task.status is Status.IN_PROGRESS
        assert task.wip_override == "urgent fix"
        assert "wip_override" in [e.kind for e in board_service.history("CHURN-7")]


async def test_shift_right_moves_the_card_to_the_next_phase(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        await pilot.press("shift+right")
        await settle(pilot)
        assert board_service.task("CHURN-7").phase is Phase.PRODUCTIZATION
        event = board_service.history("CHURN-7")[-1]
        assert (event.kind, event.old, event.new) == ("moved_phase", "modeling", "productization")
        assert board(pilot).board.current_card.key == "CHURN-7"  # the cursor followed it
        await pilot.press("H")
        await settle(pilot)
        assert board_service.task("CHURN-7").phase is Phase.MODELING


async def test_capital_j_hands_the_card_to_the_lane_below(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")  # alice's lane; bob's is below
        await pilot.press("J")
        await settle(pilot)
        assert board_service.task("CHURN-7").owner == "bob"
        assert board_service.history("CHURN-7")[-1].kind == "assigned"
        await pilot.press("K")
        await settle(pilot)
        assert board_service.task("CHURN-7").owner == "alice"


async def test_wait_asks_for_a_reason_and_keeps_it(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-5")
        await pilot.press("w")
        assert isinstance(pilot.app.screen, ReasonScreen)
        await pilot.press("enter")  # empty: refused inline, nothing written
        assert isinstance(pilot.app.screen, ReasonScreen)
        await pilot.press(*"GPU quota", "enter")
        await settle(pilot)
        task = board_service.task("CHURN-5")
        assert (task.status, task.reason) == (Status.WAITING, "GPU quota")


async def test_new_task_modal_refuses_an_estimate_of_six(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        before = board_service.counts()["tasks"]
        await focus(pilot, "CHURN-7")
        await pilot.press("n")
        form = pilot.app.screen
        assert isinstance(form, TaskFormScreen)
        await pilot.press(*"Calibrate scores")
        form.query_one("#estimate").value = "6"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form  # still open, showing why
        error = form.query_one("#estimate-error")
        assert error.display and "split" in str(error.render())
        assert board_service.counts()["tasks"] == before

        form.query_one("#estimate").value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        created = board_service.tasks(project="CHURN")[-1]
        assert (created.title, created.estimate, created.owner, created.phase) == (
            "Calibrate scores", 2, "alice", Phase.MODELING,
        )
        assert board(pilot).board.current_card.key == created.key


async def test_filter_shows_only_matching_cards_and_escape_clears_it(app):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        everything = board(pilot).grid.card_count
        await pilot.press("slash", *"@bob")
        await pilot.pause()
        grid = board(pilot).grid
        assert grid.card_count == 4
        assert [lane.owner for lane in grid.lanes] == ["bob"]
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert board(pilot).grid.card_count == everything


async def test_g_and_t_regroup_without_touching_the_database(app):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await pilot.press("g")
        grid = board(pilot).grid
        assert [lane.key for lane in grid.lanes] == ["CHURN", "RECS"]
        await pilot.press("t")
        grid = board(pilot).grid
        assert [c.title for c in grid.columns] == ["To do", "In progress", "Waiting", "Done"]


async def test_keymap_from_settings_remaps_a_binding(board_service):
    from mlkanban.config import Settings
    from mlkanban.tui.app import make_app
    from tests.tui.conftest import acting_as

    app = make_app(acting_as(board_service, "carol"), Settings(keymap={"board.start": "B"}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "RECS-5")
        await pilot.press("s")
        await settle(pilot)
        assert board_service.task("RECS-5").status is Status.TODO
        await pilot.press("B")
        await settle(pilot)
        assert board_service.task("RECS-5").status is Status.IN_PROGRESS
