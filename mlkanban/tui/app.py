"""The board application and its one factory, used by the CLI, the tests and the
screenshot script alike: the database (through a workspace or a service), the settings
and the clock (inside them) are passed in, never read from globals.

Nothing here imports the write side (SQLModel, SQLAlchemy): the board paints from a
reader, and the workspace builds the service after the first paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from mlkanban.domain.text import terminal_safe
from mlkanban.tui.commands import BoardCommands
from mlkanban.tui.key_queue import MOUNT_PATIENCE, InOrderKeys
from mlkanban.tui.screens.board import BoardScreen
from mlkanban.tui.workspace import Workspace, release_collector

if TYPE_CHECKING:
    from mlkanban.config import Settings
    from mlkanban.store.service import Service


class BoardApp(InOrderKeys, App[None]):
    """mlkanban's board: six phase columns × one swimlane per person."""

    CSS_PATH = ["board.tcss", "dialogs.tcss"]
    TITLE = "mlkanban"
    COMMANDS = App.COMMANDS | {BoardCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help",
                tooltip="Keys, and what the marks on a card mean"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave the board"),
    ]

    def __init__(self, workspace: Workspace | Service, settings: Settings) -> None:
        super().__init__()
        self.workspace = Workspace.of(workspace)
        self.settings = settings
        self.hold_keys()  # until the board's cards are there to act on (BoardScreen)

    def notify(self, message: str, *, title: str = "", **options) -> None:
        """Every notification (a refusal naming a task's title, a change done) shows
        stored text terminal-safe: one choke point for all screens."""
        super().notify(terminal_safe(message, multiline=True), title=terminal_safe(title),
                       **options)

    def get_default_screen(self) -> BoardScreen:
        return BoardScreen(self.workspace, self.settings)

    def on_mount(self) -> None:
        # a board that never loads
        self.set_timer(MOUNT_PATIENCE, self.release_keys)
        self.set_timer(MOUNT_PATIENCE, release_collector)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
            for problem in self.keymap_problems():
                self.notify(problem, title="Config", severity="warning", timeout=12)

    def keymap_problems(self) -> list[str]:
        """Unknown ids and keys bound twice in the configured keymap, one line each."""
        from mlkanban.tui.keymap import keymap_problems
        from mlkanban.tui.project.dialog import FormDialog
        from mlkanban.tui.project.screen import ProjectScreen
        from mlkanban.tui.review.screen import ReviewScreen
        from mlkanban.tui.screens import closed_tasks, help, reason, task_form
        from mlkanban.tui.screens.card_menu import CardMenuScreen
        from mlkanban.tui.screens.detail import TaskDetailScreen
        from mlkanban.tui.widgets.board_view import BoardView

        mine = list(self.BINDINGS)
        scopes = [mine + BoardScreen.BINDINGS + BoardView.BINDINGS,
                  mine + ReviewScreen.BINDINGS, mine + ProjectScreen.BINDINGS]
        dialogs = [task_form.CheckedForm, reason.ReasonScreen, reason.ConfirmScreen,
                   help.HelpScreen, closed_tasks.ClosedTasksScreen, CardMenuScreen,
                   TaskDetailScreen, FormDialog]
        known = [b for dialog in dialogs for b in dialog.BINDINGS]
        return keymap_problems(self.settings.keymap, scopes, known)

    def action_help(self) -> None:
        from mlkanban.tui.screens.help import HelpScreen, key_help

        def section(node) -> str:
            if node is self:
                return "app"
            if isinstance(node, BoardScreen):
                return "board"
            return "screen" if isinstance(node, Screen) else "cursor"

        bindings = [
            (active.binding, self.get_key_display(active.binding), section(active.node))
            for active in self.screen.active_bindings.values()
        ]
        self.push_screen(HelpScreen(key_help(bindings)))


def make_app(workspace: Workspace | Service, settings: Settings) -> BoardApp:
    """The board for ``workspace`` (its database, acting person and clock: a service
    will do) and ``settings``."""
    return BoardApp(workspace, settings)


def run_board(workspace: Workspace | Service, settings: Settings) -> None:
    make_app(workspace, settings).run()
