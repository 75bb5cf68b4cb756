"""The board's actions in the command palette (ctrl+p), and every shown task by key."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACTIONS = (
    ("Start task", "start", "Start the focused task (within the WIP limit)"),
    ("Wait on something", "wait", "Mark the focused task waiting, with a reason"),
    ("Done", "done", "Mark the focused task done"),
    ("Drop task", "drop", "Abandon the focused task, with a reason"),
    ("New task", "new", "Create a task in the focused lane and column"),
    ("Edit task", "edit", "Edit the focused task"),
    ("Task details and history", "details", "Open the focused task's history"),
    ("Move or hand over…", "menu", "Choose a phase or a person for the focused task"),
    ("Move card to the previous phase", "move_phase(-1)", "One column to the left"),
    ("Move card to the next phase", "move_phase(1)", "One column to the right"),
    ("Hand card to the lane above", "move_lane(-1)", "Give it to the person above"),
    ("Hand card to the lane below", "move_lane(1)", "Give it to the person below"),
    ("Clear the filter", "clear_filter", "Show every card again"),
    ("Filter the board", "filter", "Show only tasks matching some words"),
    ("Toggle lanes: people / projects", "toggle_lanes", "Regroup the swimlanes"),
    ("Toggle columns: phases / statuses", "toggle_columns", "Show phase or status columns"),
    ("Project record", "project",
     "Plan, deliverables, pivots and outcome of the focused card's project"),
    ("Weekly review", "review", "This week's report: people, projects, attention"),
    ("Split task…", "split", "Carve a new task out of the focused one (same project and phase)"),
    ("Undo", "undo", "Undo your last change; the history keeps both"),
    ("Add person", "add_person", "A new swimlane: handle, name and WIP limit"),
    ("Edit person", "edit_person", "Name and WIP limit of the focused lane's person"),
    ("Add project", "add_project", "Key, name, owner, hypothesis, metric and plan per phase"),
    ("Edit project", "edit_project", "The focused card's project record and plan"),
    ("Done and dropped tasks", "closed", "Find any closed task and reopen it"),
    ("Reopen task", "reopen", "Put the focused done task back to to do"),
    ("Reload the board", "reload", "Read the database again"),
)


class BoardCommands(Provider):
    """Board actions, and "go to" every task: on the board, done or dropped."""

    closed: list = []

    async def startup(self) -> None:
        """Read the done and dropped tasks once per palette, off the event loop."""
        board = self._board_screen()
        if board is None:
            return
        from mlkanban.domain.statuses import Status

        shown = {card.key for card in board.visible_cards()}
        try:
            tasks = await asyncio.to_thread(
                board.workspace.tasks, statuses=(Status.DONE, Status.DROPPED))
        except Exception:  # a busy database: the palette still offers the rest
            tasks = []
        self.closed = [task for task in tasks if task.key not in shown]

    def _board_screen(self):
        from mlkanban.tui.screens.board import BoardScreen

        screen = self.screen
        return screen if isinstance(screen, BoardScreen) else None

    def _commands(self):
        board = self._board_screen()
        if board is None:
            return
        for name, action, help_text in ACTIONS:
            yield name, partial(board.palette, action), help_text
        for project in board.projects():
            yield (
                f"Open project {project.key}  {project.name}",
                partial(board.open_project, project.key),
                "Plan, deliverables, pivots and outcome",
            )
        for card in board.visible_cards():
            yield (
                f"Go to {card.key}  {card.title}",
                partial(board.focus_card, card.key),
                f"{card.status.label} · {card.phase.title}",
            )
        for task in self.closed:
            yield (
                f"Go to {task.key}  {task.title}",
                partial(board.show_closed, task.key),
                f"{task.status.label}: in the list of done and dropped tasks, to reopen",
            )

    async def discover(self) -> Hits:
        board = self._board_screen()
        if board is None:
            return
        for name, action, help_text in ACTIONS:
            yield DiscoveryHit(name, partial(board.palette, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
