"""The mouse, the dialogs, the palette and the help do what the keys do."""

from __future__ import annotations

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.tui.screens.card_menu import CardMenuScreen
from mlkanban.tui.screens.detail import TaskDetailScreen
from mlkanban.tui.screens.help import HelpScreen
from mlkanban.tui.screens.reason import ConfirmScreen
from mlkanban.tui.screens.split_form import SplitFormScreen
from mlkanban.tui.screens.task_form import TaskFormScreen
from mlkanban.tui.widgets.board_view import BoardView
from tests.tui.conftest import SIZE, still, wait_for_board
from tests.tui.test_board_keys import board, focus


def card_offset(view: BoardView, key: str) -> tuple[int, int]:
    """Widget coordinates of the middle line of a card (it must be on screen)."""
    lane, column, index = view.grid.find(key)
    scroll_x, scroll_y = view.scroll_offset
    top = view._lane_tops[lane] + 1 + view._geometry(lane, column).tops[index] + 1
    return view._column_x[column] + 4 - int(scroll_x), top - int(scroll_y)


async def test_click_focuses_a_card_and_double_click_opens_it(app):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        view = board(pilot).board
        await pilot.click(BoardView, offset=card_offset(view, "RECS-3"))
        await pilot.pause()
        assert view.current_card.key == "RECS-3"
        assert isinstance(pilot.app.screen, type(board(pilot)))  # a single click opens nothing
        await pilot.double_click(BoardView, offset=card_offset(view, "CHURN-7"))
        await still(pilot)
        detail = pilot.app.screen
        assert isinstance(detail, TaskDetailScreen)
        assert detail.card.key == "CHURN-7"
        assert [e.kind for e in detail.events] == ["created"]


async def test_right_click_offers_moves_and_a_choice_moves_the_card(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        view = board(pilot).board
        await pilot.click(BoardView, offset=card_offset(view, "CHURN-7"), button=3)
        await still(pilot)
        menu = pilot.app.screen
        assert isinstance(menu, CardMenuScreen)
        ids = [option.id for option in menu.query_one("#choices").options]
        assert "phase:modeling" not in ids  # where it already is
        assert {"start", "phase:ab-testing", "owner:bob", "owner:"} <= set(ids)
        menu.dismiss("phase:ab-testing")
        await still(pilot)
        assert board_service.task("CHURN-7").phase is Phase.AB_TESTING


async def test_edit_dialog_changes_title_estimate_and_owner(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        await pilot.press("e")
        form = pilot.app.screen
        assert isinstance(form, TaskFormScreen)
        assert form.query_one("#title").value == "Write the evaluation report"
        form.query_one("#title").value = "Write the evaluation report for stakeholders"
        form.query_one("#estimate").value = "3"
        form.query_one("#owner").value = "carol"
        await pilot.press("ctrl+s")
        await still(pilot)
        task = board_service.task("CHURN-7")
        assert (task.title, task.estimate, task.owner) == (
            "Write the evaluation report for stakeholders", 3, "carol",
        )
        kinds = [e.kind for e in board_service.history("CHURN-7")]
        assert kinds[-3:] == ["edited", "estimated", "assigned"]


async def test_split_carves_a_new_task_out_and_focuses_it(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        await pilot.press("S")
        form = pilot.app.screen
        assert isinstance(form, SplitFormScreen)
        form.query_one("#estimate").value = "8"
        await pilot.pause()
        error = str(form.query_one("#estimate-error").render())
        assert "over the size limit of 5" in error and "split again for the rest" in error
        await pilot.press("ctrl+s")  # no title, an estimate over the limit: nothing happens
        await pilot.pause()
        assert pilot.app.screen is form
        assert "title" in str(form.query_one("#title-error").render()).lower()
        form.query_one("#title").value = "Stakeholder summary"
        form.query_one("#estimate").value = "2"
        await pilot.press("ctrl+s")
        await still(pilot)
        before = board_service.task("CHURN-7")
        new = next(t for t in board_service.tasks(project="CHURN")
                   if t.title == "Stakeholder summary")
        assert (new.phase, new.owner, new.estimate) == (before.phase, before.owner, 2)
        assert board_service.history("CHURN-7")[-1].kind == "split"
        assert board(pilot).board.current_card.key == new.key


async def test_the_card_menu_offers_split_only_for_open_tasks(app):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        for key, offered in (("CHURN-7", True), ("CHURN-4", False)):  # to do; done
            await focus(pilot, key)
            await pilot.press("m")
            await still(pilot)
            ids = [option.id for option in pilot.app.screen.query_one("#choices").options]
            assert ("split" in ids) is offered
            await pilot.press("escape")
            await still(pilot)


async def test_drop_asks_why_and_the_card_leaves_the_board(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        await pilot.press("x")
        pilot.app.screen.query_one("#reason").value = "pivot to uplift modelling"
        await pilot.press("enter")
        await still(pilot)
        task = board_service.task("CHURN-7")
        assert (task.status, task.reason) == (Status.DROPPED, "pivot to uplift modelling")
        assert board(pilot).grid.find("CHURN-7") is None


async def test_done_on_a_card_never_started_asks_first(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        await pilot.press("d")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await still(pilot)
        assert board_service.task("CHURN-7").status is Status.TODO
        await pilot.press("d", "y")
        await still(pilot)
        assert board_service.task("CHURN-7").status is Status.DONE


async def test_a_refusal_is_a_notification_not_a_silent_no_op(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-4")  # done: it cannot be waited on
        await pilot.press("w")
        pilot.app.screen.query_one("#reason").value = "review"
        await pilot.press("enter")
        await still(pilot)
        assert board_service.task("CHURN-4").status is Status.DONE
        errors = [n for n in pilot.app._notifications if n.severity == "error"]
        assert errors and "CHURN-4 is done" in errors[-1].message


async def test_help_is_generated_from_the_bindings_including_a_remapped_key(board_service):
    from mlkanban.config import Settings
    from mlkanban.tui.app import make_app

    app = make_app(board_service, Settings(keymap={"board.start": "B"}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await pilot.press("question_mark")
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {row.description: row for row in help_screen.keys}
        assert rows["Start"].keys == "B"
        assert rows["Hand down"].keys.split() == ["shift+↓", "J"]
        assert {"The focused card", "Moving around", "Anywhere"} == {
            {"board": "The focused card", "cursor": "Moving around", "app": "Anywhere"}[r.section]
            for r in help_screen.keys
        }


async def test_command_palette_offers_board_actions_and_tasks(carol_app, board_service):
    from mlkanban.tui.commands import BoardCommands

    async with carol_app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        provider = BoardCommands(board(pilot), None)
        names = [name for name, _, _ in provider._commands()]
        assert "Start task" in names
        assert any(name.startswith("Go to RECS-3") for name in names)
        await focus(pilot, "RECS-5")
        start = next(cb for name, cb, _ in provider._commands() if name == "Start task")
        start()
        await still(pilot)
        assert board_service.task("RECS-5").status is Status.IN_PROGRESS


def test_every_palette_action_exists_on_the_board():
    from mlkanban.tui.commands import ACTIONS
    from mlkanban.tui.screens.board import BoardScreen

    names = {action.partition("(")[0] for _, action, _ in ACTIONS}
    missing = [name for name in names if not hasattr(BoardScreen, f"action_{name}")]
    assert missing == []
    bound = {binding.action for binding in BoardScreen.BINDINGS}
    assert bound - {action for _, action, _ in ACTIONS} == set()  # every key's action


async def test_r_opens_the_weekly_review_of_this_week(demo_app):
    from mlkanban.tui.review import ReviewScreen

    async with demo_app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await pilot.press("r")
        await still(pilot)
        review = pilot.app.screen
        assert isinstance(review, ReviewScreen)
        assert review.period.label == "2026-W48"
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, ReviewScreen)


async def test_key_bar_shows_remapped_keys_and_runs_a_clicked_hint(board_service):
    from mlkanban.config import Settings
    from mlkanban.store.board import LaneMode
    from mlkanban.tui.app import make_app
    from mlkanban.tui.widgets.key_bar import KeyBar

    app = make_app(board_service, Settings(keymap={"board.toggle-lanes": "G"}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        bar = pilot.app.screen.query_one(KeyBar)
        hints = {description: key for key, description, _ in bar.hints()}
        assert hints["Lanes"] == "G" and hints["Start"] == "s"
        bar.render()
        start, _, action = next(span for span in bar._spans if span[2] == "screen.toggle_lanes")
        await pilot.click(KeyBar, offset=(start + 1, 0))
        await still(pilot)
        assert board(pilot).lane_mode is LaneMode.PROJECT


async def test_o_opens_the_focused_cards_project_record(demo_app):
    from mlkanban.tui.project import ProjectScreen

    async with demo_app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        board = pilot.app.screen
        card = board.board.current_card
        await pilot.press("o")
        await still(pilot)
        assert isinstance(pilot.app.screen, ProjectScreen)
        assert pilot.app.screen.key == card.task.project
        await pilot.press("escape")
        assert pilot.app.screen is board


async def test_the_palette_offers_every_project(demo_app):
    from mlkanban.tui.commands import BoardCommands

    async with demo_app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        provider = BoardCommands.__new__(BoardCommands)
        provider._board_screen = lambda: pilot.app.screen
        names = [name for name, _, _ in provider._commands()]
        for key in ("CHURN", "DEMAND", "FRAUD", "SEARCH"):
            assert any(name.startswith(f"Open project {key}") for name in names)
