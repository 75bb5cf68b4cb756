"""The board screen: keys and commands become service calls in worker threads.

The screen is the board's controller. The ``BoardView`` widget draws a ``Grid`` and
moves a cursor; dialogs collect input and return it. Every database call runs in a
thread worker and reports back with a message, so the board never freezes on a slow
or busy database, and every refusal comes back as a notification that says why.
The card actions live in ``board_actions``, setting up and recovering in
``board_setup``, and the words around the cards in ``board_layout``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input
from textual.worker import get_current_worker

from mlkanban.domain.errors import MlkanbanError, WipRefused
from mlkanban.store.board import Card, ColumnMode, Grid, LaneMode, Snapshot, arrange
from mlkanban.store.changes import Change
from mlkanban.store.views import ProjectView
from mlkanban.tui.messages import (
    REMEDIES,
    BoardLoaded,
    ChangeMade,
    ChangeRefused,
    Write,
)
from mlkanban.tui.screens.board_actions import board_words
from mlkanban.tui.screens.board_layout import count_shown, next_steps, no_match, subtitle
from mlkanban.tui.screens.board_loading import BoardLoading
from mlkanban.tui.widgets.board_view import BoardView
from mlkanban.tui.widgets.key_bar import KeyBar
from mlkanban.tui.workspace import Workspace

if TYPE_CHECKING:
    from mlkanban.config import Settings


FIRST_READ_PATIENCE = 2.0
"""Seconds the board waits for its first read before it paints without its cards."""


class BoardScreen(BoardLoading):
    """Six phase columns, one swimlane per person (or per project).

    | Key | Does |
    | :- | :- |
    | `s` `w` `d` `x` | start, wait (asks why), done, drop (asks why) |
    | `shift+←/→`, `H` `L` | move the card to the neighbouring phase |
    | `shift+↑/↓`, `K` `J` | hand the card to the lane above / below |
    | `n`, `e`/`enter`, `v` | new task, edit, details and history |
    | `m` | everything that can be done to the card (also right-click) |
    | `/`, `g`, `t` | filter, lanes by person/project, phase/status columns |
    | `u` | undo the last change |
    | `a` `A`, `N` `O`, `c` | add/edit a person, add/edit a project, done and dropped |
    """

    BINDINGS = [
        Binding("s", "start", "Start", id="board.start",
                tooltip="Start the task (one in progress per person)"),
        Binding("w", "wait", "Wait", id="board.wait",
                tooltip="Waiting on something outside your control (asks why)"),
        Binding("d", "done", "Done", id="board.done", tooltip="Mark the task done"),
        Binding("x", "drop", "Drop", id="board.drop", tooltip="Abandon the task (asks why)"),
        Binding("n", "new", "New", id="board.new",
                tooltip="New task in this lane and column"),
        Binding("e,enter", "edit", "Edit", id="board.edit", tooltip="Edit the task"),
        Binding("S", "split", "Split", show=False, id="board.split",
                tooltip="Carve a new task out of this one (same project, phase and owner)"),
        Binding("v", "details", "Details", id="board.details",
                tooltip="The task's fields and history (or double-click)"),
        Binding("m", "menu", "Move…", id="board.menu",
                tooltip="Move, hand over or change status from a list (or right-click)"),
        Binding("shift+left,H", "move_phase(-1)", "Move left", show=False,
                id="board.move-left", tooltip="Move the card to the previous column"),
        Binding("shift+right,L", "move_phase(1)", "Move right", show=False,
                id="board.move-right", tooltip="Move the card to the next column"),
        Binding("shift+up,K", "move_lane(-1)", "Hand up", show=False,
                id="board.move-up", tooltip="Hand the card to the person in the lane above"),
        Binding("shift+down,J", "move_lane(1)", "Hand down", show=False,
                id="board.move-down", tooltip="Hand the card to the person in the lane below"),
        Binding("slash", "filter", "Filter", id="board.filter",
                tooltip="Show only cards matching words (key, title, @owner, phase, status)"),
        Binding("escape", "clear_filter", "Clear filter", show=False,
                id="board.clear-filter", tooltip="Show every card again"),
        Binding("g", "toggle_lanes", "Lanes", id="board.toggle-lanes",
                tooltip="Lanes by person or by project"),
        Binding("t", "toggle_columns", "Columns", id="board.toggle-columns",
                tooltip="Phase columns or status columns (to do / in progress / ...)"),
        Binding("o", "project", "Project", id="board.project",
                tooltip="The focused card's project: plan, deliverables, pivots, outcome"),
        Binding("r", "review", "Review", id="board.review",
                tooltip="This week's review: the same content as `mlkanban report`"),
        Binding("u", "undo", "Undo", id="board.undo",
                tooltip="Undo your last change (the history keeps both)"),
        Binding("c", "closed", "Closed", show=False, id="board.closed",
                tooltip="Every done and dropped task: find one and reopen it"),
        Binding("a", "add_person", "Add person", show=False, id="board.add-person",
                tooltip="A new person: a swimlane with a WIP limit"),
        Binding("A", "edit_person", "Edit person", show=False, id="board.edit-person",
                tooltip="Name and WIP limit of the person whose lane this is"),
        Binding("N", "add_project", "Add project", show=False, id="board.add-project",
                tooltip="A new project: key, name, owner, hypothesis, metric, plan"),
        Binding("O", "edit_project", "Edit project", show=False, id="board.edit-project",
                tooltip="Edit the focused card's project, its plan included"),
        Binding("ctrl+r,f5", "reload", "Reload", show=False, id="board.reload",
                tooltip="Read the database again"),
    ]

    AUTO_FOCUS = "BoardView"

    def __init__(self, workspace: Workspace, settings: Settings) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings
        self.snapshot: Snapshot | None = None
        self.grid: Grid | None = None
        self._grids: dict[tuple, Grid] = {}
        """Arrangements of the current snapshot, so toggling back is instant."""
        self.lane_mode = LaneMode.PERSON
        self.column_mode = ColumnMode.PHASE
        self.filter_text = ""
        self._turns = threading.Condition()
        self._issued = 0
        """Writes asked for so far: each takes the next turn, in the order of the keys."""
        self._serving = 0
        self._event_id = -1
        self._pending_focus: str | None = None
        self._hidden: tuple = ((), ())

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield Input(
            placeholder="Filter: words to match in key, title, @owner, phase or status "
            "— Enter keeps it, Esc clears it",
            id="filter",
        )
        yield BoardView(id="board")
        yield KeyBar()

    def on_mount(self) -> None:
        # Read while Textual started: the first frame shows it. Frames of an empty board
        # meanwhile would only take time from the read.
        if self.workspace.board_read(within=FIRST_READ_PATIENCE):
            self._loaded(BoardLoaded(self.workspace.read_board()))
        else:
            self.load()
        self.set_interval(self.settings.poll_seconds, self.poll, name="poll")

    def redraw(self, *, focus: str | None = None) -> None:
        """Arrange the snapshot as the modes and filter say; no database work."""
        if self.snapshot is None:
            return
        arrangement = (self.lane_mode, self.column_mode, self.filter_text)
        grid = self._grids.get(arrangement)
        if grid is None:
            grid = count_shown(arrange(
                self.snapshot, lanes=self.lane_mode, columns=self.column_mode,
                filter_text=self.filter_text, me=self.workspace.actor,
            ))
            self._grids[arrangement] = grid
        self.grid = grid
        if self.filter_text and not grid.card_count:
            notice = no_match(self.filter_text)
        else:
            notice = next_steps(self.snapshot, self.workspace.actor)
        self.board.show(self.grid, focus=focus, notice=notice)
        self._update_title()

    def _update_title(self) -> None:
        people = self.snapshot.people if self.snapshot else ()
        self.sub_title = subtitle(
            actor=self.workspace.actor,
            known=self.snapshot is None or any(p.handle == self.workspace.actor for p in people),
            lanes=self.lane_mode, columns=self.column_mode,
            shown=self.grid.card_count if self.grid else 0,
            filter_text=self.filter_text, left=self._hidden[0], right=self._hidden[1],
        )

    @on(BoardView.ColumnsHidden)
    def _columns_hidden(self, message: BoardView.ColumnsHidden) -> None:
        self._hidden = (message.left, message.right)
        self._update_title()

    def projects(self) -> tuple[ProjectView, ...]:
        return self.snapshot.projects if self.snapshot is not None else ()

    def visible_cards(self) -> list[Card]:
        if self.grid is None:
            return []
        return [card for cell in self.grid.cells.values() for card in cell.cards]

    def focus_card(self, key: str) -> None:
        if self.grid is not None and self.grid.find(key) is None and self.filter_text:
            self.action_clear_filter()
        if self.grid is not None:
            self.board.show(self.grid, focus=key)
        self.board.focus()

    # ------------------------------------------------------------------ writing

    def change(self, write: Write, *, focus: str | None = None,
               override: Callable[[str], Write] | None = None) -> None:
        """Run ``write`` in a worker; report what it did or why it was refused."""
        turn, self._issued = self._issued, self._issued + 1
        self._write(write, focus, override, turn)

    @work(thread=True, group="write")
    def _write(self, write: Write, focus: str | None,
               override: Callable[[str], Write] | None, turn: int) -> None:
        worker = get_current_worker()
        with self._turns:  # one change at a time, in the order keys were pressed
            while self._serving != turn:
                if worker.is_cancelled:
                    return
                self._turns.wait(0.1)
        try:
            self._apply(write, focus, override)
        finally:
            with self._turns:
                self._serving += 1
                self._turns.notify_all()

    def _apply(self, write: Write, focus: str | None,
               override: Callable[[str], Write] | None) -> None:
        """Make one change (waiting for the service if it is still being built)."""
        try:
            result = write(self.workspace.writer())
        except WipRefused as exc:
            self.post_message(ChangeRefused(exc.message, focus, override))
            return
        except MlkanbanError as exc:
            self.post_message(ChangeRefused(exc.worded(REMEDIES), focus))
            return

        if isinstance(result, Change):
            key = result.task.key if result.task is not None else None
            self.post_message(ChangeMade([result.message], result.notice, focus or key))
        elif isinstance(result, list):
            self.post_message(ChangeMade([c.message for c in result], "", focus))
        else:
            self.post_message(ChangeMade([], "", focus))

    @on(ChangeMade)
    def _changed(self, message: ChangeMade) -> None:
        for text in message.messages:
            self.notify(text, timeout=4)
        if message.notice:
            self.notify(message.notice, title="WIP override", severity="warning", timeout=8)
        self.load(message.focus)

    @on(ChangeRefused)
    def _refused(self, message: ChangeRefused) -> None:
        if message.override is None:
            self.notify(message.message, title="Refused", severity="error", timeout=10)
            return
        message.message = board_words(message.message)
        self._offer_override(message)  # the dialog says why: no toast over it

    def _offer_override(self, refusal: ChangeRefused) -> None:
        from mlkanban.tui.screens.reason import ReasonScreen

        retry = refusal.override
        assert retry is not None

        def chosen(reason: str | None) -> None:
            if reason:
                self.change(retry(reason), focus=refusal.key)

        self.app.push_screen(
            ReasonScreen(
                f"WIP limit reached — start {refusal.key} anyway?",
                f"{refusal.message}\n\nThe reason is recorded as a WIP override, "
                "flagged on the card (⚑) and in the weekly report.",
                placeholder="why this cannot wait (e.g. production incident)",
                confirm="Start anyway",
                variant="warning",
            ),
            chosen,
        )

    # ------------------------------------------------------------------ views

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.redraw()

    @on(Input.Submitted, "#filter")
    def _filter_kept(self) -> None:
        box = self.query_one("#filter", Input)
        if not box.value.strip():
            box.display = False
        self.board.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if not box.display and not self.filter_text:
            return
        box.value = ""
        box.display = False
        self.filter_text = ""
        self.redraw()
        self.board.focus()

    def action_toggle_lanes(self) -> None:
        self.lane_mode = LaneMode.PROJECT if self.lane_mode is LaneMode.PERSON else LaneMode.PERSON
        self.redraw()

    def action_toggle_columns(self) -> None:
        self.column_mode = (
            ColumnMode.STATUS if self.column_mode is ColumnMode.PHASE else ColumnMode.PHASE
        )
        self.redraw()

    def action_reload(self) -> None:
        self.load()

    def action_review(self) -> None:
        from mlkanban.tui.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.workspace))

    def action_project(self) -> None:
        if card := self._card():
            self.open_project(card.task.project)

    def open_project(self, key: str) -> None:
        from mlkanban.tui.project import ProjectScreen

        self.app.push_screen(ProjectScreen(self.workspace, key))

