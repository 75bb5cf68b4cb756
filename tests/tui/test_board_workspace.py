"""The board as the whole workspace (issue 14): set up from an empty database, find and
reopen closed tasks, undo, and keys typed at full speed into every dialog.

"At full speed" means every key is queued before the first is handled (no pause
between keys), as a fast typist's terminal delivers them. Tests wait for the state
they expect (a row in the database, a screen), never for a length of time.
"""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key

from mlkanban.config import Settings
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.service import Service
from mlkanban.tui.app import make_app
from mlkanban.tui.screens.closed_tasks import ClosedTasksScreen
from mlkanban.tui.screens.person_form import PersonFormScreen
from mlkanban.tui.screens.project_form import ProjectFormScreen
from tests.tui.conftest import SIZE, wait_for_board
from tests.tui.test_board_keys import board, focus

NAMED = {"tab", "enter", "escape", "backspace", "ctrl+s", "down", "up", "shift+tab"}


def type_fast(app, *parts: str) -> None:
    """Queue every key of ``parts`` at once: names such as ``tab``, or text to type."""
    for part in parts:
        keys = [part] if part in NAMED else list(part)
        for key in keys:
            if key in NAMED:
                char = {"tab": "\t", "enter": "\r", "escape": "\x1b"}.get(key)
                app.post_message(events.Key(key, char))
            else:
                name = key if key.isalnum() else _character_to_key(key)
                app.post_message(events.Key(name, key))


async def until(pilot, condition, what: str) -> None:
    """Let the app work until ``condition()`` holds (every key handled, workers done)."""
    for _ in range(300):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        if pilot.app.keys_pending == 0 and condition():
            await pilot.pause()
            return
    raise AssertionError(f"never happened: {what}")


def on_board(pilot) -> bool:
    return pilot.app.screen is pilot.app.screen_stack[0]


async def test_from_an_empty_database_to_a_started_task_without_leaving_the_board(
        service: Service):
    """a adds a person, N a project with a plan, n a task, s starts it: all typed at once."""
    app = make_app(service, Settings(poll_seconds=3600))  # acting as alice, not yet a person
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        notice = "\n".join(board(pilot).board.notice)
        assert "a   add a person" in notice and "you act as @alice: add yourself" in notice
        type_fast(app, "a", "tab", "Alice Martin", "tab", "2", "enter")
        await until(pilot, lambda: service.people() != [], "alice added")
        assert [(p.handle, p.name, p.wip_limit) for p in service.people()] == [
            ("alice", "Alice Martin", 2)]

        type_fast(app, "N", "CHURN", "tab", "Churn prediction", "tab", "tab",
                  "Usage drops predict churn", "tab", "retention +2%", "tab", "1.5", "tab",
                  "2", "ctrl+s")
        await until(pilot, lambda: service.projects() != [] and on_board(pilot),
                    "CHURN added")
        project = service.projects()[0]
        assert (project.key, project.name, project.owner, project.hypothesis,
                project.metric) == ("CHURN", "Churn prediction", "alice",
                                    "Usage drops predict churn", "retention +2%")
        assert project.plan == {Phase.RESEARCH: 1.5, Phase.DATA_EXPLORATION: 2.0}

        type_fast(app, "n", "Read the churn papers", "tab", "tab", "tab", "tab", "3", "enter")
        await until(pilot, lambda: service.tasks() != [] and board(pilot).grid.card_count == 1,
                    "a task on the board")
        type_fast(app, "s")
        await until(pilot, lambda: service.tasks()[0].status is Status.IN_PROGRESS,
                    "the task started")
        task = service.tasks()[0]
        assert (task.key, task.title, task.estimate, task.owner, task.phase) == (
            "CHURN-1", "Read the churn papers", 3, "alice", Phase.RESEARCH)
        assert board(pilot).board.notice == ()  # the next steps leave with the first card


async def test_fast_typing_into_the_new_task_dialog_loses_nothing(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        type_fast(app, "n", "zero fourth", "tab", "tab", "tab", "tab", "4", "tab",
                  "typed fast", "enter")
        await until(pilot, lambda: board_service.tasks(project="CHURN")[-1].title
                    == "zero fourth", "the task created")
        task = board_service.tasks(project="CHURN")[-1]
        assert (task.estimate, task.description, task.owner) == (4, "typed fast", "alice")


async def test_fast_typing_into_the_edit_dialog_has_the_new_dialogs_tab_order(
        app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        type_fast(app, "e", "!", "tab", "tab", "tab", "tab", "backspace", "1", "enter")
        await until(pilot, lambda: board_service.task("CHURN-7").estimate == 1, "edited")
        assert board_service.task("CHURN-7").title == "Write the evaluation report!"


async def test_fast_typing_into_split_wait_and_drop(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        type_fast(app, "S", "Write the appendix", "tab", "2", "enter")
        await until(pilot, lambda: board_service.tasks(project="CHURN")[-1].title
                    == "Write the appendix", "split")
        assert board_service.tasks(project="CHURN")[-1].estimate == 2
        await focus(pilot, "CHURN-5")
        type_fast(app, "w", "GPU quota", "enter")
        await until(pilot, lambda: board_service.task("CHURN-5").status is Status.WAITING,
                    "waiting")
        assert board_service.task("CHURN-5").reason == "GPU quota"
        await focus(pilot, "CHURN-7")
        type_fast(app, "x", "pivot", "enter")
        await until(pilot, lambda: board_service.task("CHURN-7").status is Status.DROPPED,
                    "dropped")
        assert board_service.task("CHURN-7").reason == "pivot"


async def test_done_and_dropped_tasks_are_found_and_reopened(app, board_service):
    board_service.drop("CHURN-7", "pivot")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        assert board(pilot).grid.find("CHURN-7") is None
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ClosedTasksScreen), "the list")
        listed = app.screen.shown()
        # every closed task, the three done six weeks ago too, the newest first
        assert listed[0] == "CHURN-7"
        assert set(listed) == {"CHURN-1", "CHURN-2", "CHURN-3", "CHURN-4", "CHURN-7"}
        type_fast(app, "part 2", "enter")
        await until(pilot, lambda: board_service.task("CHURN-2").status is Status.TODO,
                    "CHURN-2 reopened")
        await until(pilot, lambda: board(pilot).grid.find("CHURN-2") is not None,
                    "CHURN-2 back on the board")
        assert board(pilot).board.current_card.key == "CHURN-2"


async def test_go_to_in_the_palette_finds_a_dropped_task(app, board_service):
    board_service.drop("CHURN-7", "pivot")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"CHURN-7")
        await until(pilot, lambda: "Go to CHURN-7" in str(
            app.screen.query_one("CommandList").get_option_at_index(0).prompt)
            if app.screen.query("CommandList") and app.screen.query_one(
                "CommandList").option_count else False, "the hit")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ClosedTasksScreen), "the list")
        listed = app.screen.query_one("#closed-list")
        assert listed.get_option_at_index(listed.highlighted).id == "CHURN-7"


async def test_u_undoes_the_last_change_and_says_what(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        await pilot.press("L")
        await until(pilot, lambda: board_service.task("CHURN-7").phase
                    is Phase.PRODUCTIZATION, "moved")
        await pilot.press("u")
        await until(pilot, lambda: board_service.task("CHURN-7").phase is Phase.MODELING,
                    "undone")
        assert any(n.message.startswith("Undid") and "CHURN-7" in n.message
                   for n in app._notifications)


async def test_editing_a_person_and_a_project_from_the_board(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "CHURN-7")
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, PersonFormScreen), "the dialog")
        type_fast(app, "tab", "3", "enter")  # from the name to the WIP limit
        await until(pilot, lambda: board_service.require_person("alice").wip_limit == 3,
                    "WIP limit 3")
        await pilot.press("O")
        await until(pilot, lambda: isinstance(app.screen, ProjectFormScreen), "the dialog")
        for _ in range(4):
            await pilot.press("tab")
        await pilot.press("4", "ctrl+s")
        await until(pilot, lambda: board_service.require_project("CHURN").plan
                    == {Phase.RESEARCH: 4.0}, "the plan")


async def test_a_person_form_refuses_a_bad_wip_limit_with_the_clis_words(app, board_service):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        type_fast(app, "a", "dana", "tab", "tab", "0", "enter")
        await until(pilot, lambda: isinstance(app.screen, PersonFormScreen)
                    and app.screen.error != "", "an error")
        assert app.screen.error == "a WIP limit must be between 1 and 20, not 0"
        assert [p.handle for p in board_service.people()] == ["alice", "bob", "carol"]


async def test_the_filter_counts_what_it_shows_and_says_when_nothing_matches(app):
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await pilot.press("slash", *"cold-start")
        await until(pilot, lambda: board(pilot).grid.card_count == 1, "one card")
        (lane,) = board(pilot).grid.lanes
        assert (lane.owner, lane.in_progress, lane.waiting, lane.todo) == ("bob", 1, 0, 0)
        await pilot.press(*"zz")
        await until(pilot, lambda: board(pilot).grid.card_count == 0, "no card")
        assert "No card matches «cold-startzz»." in board(pilot).board.notice


async def test_at_80_by_24_help_and_quit_stay_in_the_footer_and_hidden_phases_are_named(
        demo_app):
    from mlkanban.tui.widgets.key_bar import KeyBar

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await wait_for_board(pilot)
        # the cursor starts on priya's task in progress, in the last column
        await until(pilot, lambda: "◂" in demo_app.screen.sub_title, "hidden columns named")
        assert demo_app.screen.sub_title.startswith("◂ Research, Data Expl., Modeling (h) · ")
        await pilot.press("h", "h", "h", "h", "h")
        await until(pilot, lambda: "◂" not in demo_app.screen.sub_title, "scrolled back")
        assert demo_app.screen.sub_title.startswith("Product., A/B Test, Results ▸ (l) · ")
        bar = demo_app.screen.query_one(KeyBar)
        text = str(bar.render())
        assert " ? Help " in text and " q Quit " in text
        assert len(text) <= 80


def test_the_default_keys_have_no_conflicts_and_a_bad_keymap_is_reported():
    from mlkanban.tui.app import BoardApp

    app = BoardApp.__new__(BoardApp)
    app.settings = Settings(keymap={})
    assert app.keymap_problems() == []
    app.settings = Settings(keymap={"board.start": "S", "board.strat": "B",
                                    "board.done": "D"})
    assert app.keymap_problems() == [
        "keymap: no key has the id “board.strat” (see the ids in the help, ?)",
        "keymap: S is bound to both board.split and board.start; only one of them runs",
    ]


async def test_keymap_problems_are_notified_when_the_board_opens(board_service):
    app = make_app(board_service, Settings(poll_seconds=3600,
                                           keymap={"board.start": "S"}))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert warnings == [
            "keymap: S is bound to both board.split and board.start; only one of them runs"]
