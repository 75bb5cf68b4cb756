"""The board screen: keys and commands become service calls in worker threads.

The screen is the board's controller. The ``BoardView`` widget draws a ``Grid`` and
moves a cursor; dialogs collect input and return it. Every database call runs in a
thread worker and reports back with a message, so the board never freezes on a slow
or busy database, and every refusal comes back as a notification that says why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Input
from textual.worker import get_current_worker

from mlkanban.config import Settings
from mlkanban.domain.errors import MlkanbanError, WipRefused
from mlkanban.domain.phases import PHASES
from mlkanban.domain.statuses import Status
from mlkanban.store.board import Card, ColumnMode, Grid, LaneMode, Snapshot, arrange, read_board
from mlkanban.store.service import Change, Service
from mlkanban.store.views import ProjectView
from mlkanban.tui.messages import (
    REMEDIES,
    BoardLoaded,
    BoardStale,
    ChangeMade,
    ChangeRefused,
    HistoryLoaded,
    Write,
)
from mlkanban.tui.widgets.board_view import BoardView
from mlkanban.tui.widgets.key_bar import KeyBar

STATUS_ACTIONS = {
    Status.IN_PROGRESS: "start",
    Status.WAITING: "wait",
    Status.DONE: "done",
    Status.TODO: "reopen",
    Status.DROPPED: "drop",
}


class BoardScreen(Screen[None]):
    """Six phase columns, one swimlane per person (or per project).

    | Key | Does |
    | :- | :- |
    | `s` `w` `d` `x` | start, wait (asks why), done, drop (asks why) |
    | `shift+←/→`, `H` `L` | move the card to the neighbouring phase |
    | `shift+↑/↓`, `K` `J` | hand the card to the lane above / below |
    | `n`, `e`/`enter`, `v` | new task, edit, details and history |
    | `m` | everything that can be done to the card (also right-click) |
    | `/`, `g`, `t` | filter, lanes by person/project, phase/status columns |
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
        Binding("ctrl+r,f5", "reload", "Reload", show=False, id="board.reload",
                tooltip="Read the database again"),
    ]

    AUTO_FOCUS = "BoardView"

    def __init__(self, service: Service, settings: Settings) -> None:
        super().__init__()
        self.service = service
        self.settings = settings
        self.snapshot: Snapshot | None = None
        self.grid: Grid | None = None
        self._grids: dict[tuple, Grid] = {}
        """Arrangements of the current snapshot, so toggling back is instant."""
        self.lane_mode = LaneMode.PERSON
        self.column_mode = ColumnMode.PHASE
        self.filter_text = ""
        self._write_lock = threading.Lock()
        self._event_id = -1
        self._pending_focus: str | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="Filter: words to match in key, title, @owner, phase or status "
            "— Enter keeps it, Esc clears it",
            id="filter",
        )
        yield BoardView(id="board")
        yield KeyBar()

    @property
    def board(self) -> BoardView:
        return self.query_one(BoardView)

    def on_mount(self) -> None:
        self.load()
        self.set_interval(self.settings.poll_seconds, self.poll, name="poll")

    # ------------------------------------------------------------------ reading

    def load(self, focus: str | None = None) -> None:
        """Read the board again; then put the cursor on ``focus`` if given."""
        if focus:
            self._pending_focus = focus  # kept even if a newer load overtakes this one
        self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        service = self.service
        with service.read() as conn:
            snapshot = read_board(conn, now=service.now(), calendar=service.calendar)
        if not get_current_worker().is_cancelled:
            self.post_message(BoardLoaded(snapshot))

    def poll(self) -> None:
        if self.snapshot is None:
            return  # the first load is still on its way
        if not any(w.group == "load" and w.is_running for w in self.workers):
            self._poll()

    @work(thread=True, exclusive=True, group="poll")
    def _poll(self) -> None:
        """Cheap: one ``max(id)``; the board is read again only when it changed."""
        try:
            latest = self.service.latest_event_id()
        except Exception:  # a busy or vanished database: try again next time
            return
        if latest != self._event_id:
            self.post_message(BoardStale())

    @on(BoardStale)
    def _stale(self) -> None:
        self.load()

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        first_load = self.snapshot is None
        self.snapshot = message.snapshot
        self._grids.clear()
        self._event_id = message.snapshot.event_id
        focus, self._pending_focus = self._pending_focus, None
        self.redraw(focus=focus or (self._first_focus() if first_load else None))
        if first_load and not self.snapshot.projects:
            self.notify(
                "The board is empty. Add your team and a project from a shell:\n"
                "  mlkanban person add alice --name 'Alice Martin'\n"
                "  mlkanban project add CHURN 'Churn prediction'\n"
                "then press n here for a new task (or try: mlkanban demo).",
                title="Welcome to mlkanban", timeout=30,
            )

    def _first_focus(self) -> str | None:
        """On opening: the acting person's task in progress, else their first card."""
        assert self.snapshot is not None
        mine = [c for c in self.snapshot.cards if c.task.owner == self.service.actor]
        moving = [c for c in mine if c.task.status is Status.IN_PROGRESS]
        chosen = (moving or mine or [None])[0]
        return chosen.key if chosen else None

    def redraw(self, *, focus: str | None = None) -> None:
        """Arrange the snapshot as the modes and filter say; no database work."""
        if self.snapshot is None:
            return
        arrangement = (self.lane_mode, self.column_mode, self.filter_text)
        grid = self._grids.get(arrangement)
        if grid is None:
            grid = arrange(
                self.snapshot, lanes=self.lane_mode, columns=self.column_mode,
                filter_text=self.filter_text, me=self.service.actor,
            )
            self._grids[arrangement] = grid
        self.grid = grid
        self.board.show(self.grid, focus=focus)
        self._update_title()

    def _update_title(self) -> None:
        lanes = "lanes by person" if self.lane_mode is LaneMode.PERSON else "lanes by project"
        columns = "phase columns" if self.column_mode is ColumnMode.PHASE else "status columns"
        shown = self.grid.card_count if self.grid else 0
        parts = [f"@{self.service.actor}", lanes, columns, f"{shown} cards"]
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”")
        self.sub_title = " · ".join(parts)

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
        self._write(write, focus, override)

    @work(thread=True, group="write")
    def _write(self, write: Write, focus: str | None,
               override: Callable[[str], Write] | None) -> None:
        with self._write_lock:  # one change at a time, in the order keys were pressed
            try:
                result = write(self.service)
            except WipRefused as exc:
                self.post_message(ChangeRefused(exc.message, focus, override))
                return
            except MlkanbanError as exc:
                self.post_message(ChangeRefused(exc.worded(REMEDIES), focus))
                return
        if isinstance(result, Change):
            self.post_message(
                ChangeMade([result.message], result.notice, focus or result.task.key)
            )
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
        self.notify(message.message, title="WIP limit", severity="error", timeout=10)
        self._offer_override(message)

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

    # ------------------------------------------------------------------ actions

    def _card(self) -> Card | None:
        card = self.board.current_card
        if card is None:
            self.notify("No card here. Move to a card first (arrows or h/j/k/l), "
                        "or press n for a new task.", severity="warning", timeout=4)
        return card

    def palette(self, action: str) -> None:
        """Run a board action by name (from the command palette)."""
        getattr(self, f"action_{action}")()

    def action_start(self) -> None:
        if card := self._card():
            key = card.key
            self.change(
                lambda s: s.start(key), focus=key,
                override=lambda reason: lambda s: s.start(key, override=reason),
            )

    def action_done(self) -> None:
        card = self._card()
        if card is None:
            return
        key = card.key
        if card.task.status is Status.TODO:
            from mlkanban.tui.screens.reason import ConfirmScreen

            def answer(yes: bool | None) -> None:
                if yes:
                    self.change(lambda s: s.done(key), focus=key)

            self.app.push_screen(
                ConfirmScreen(f"{key} “{card.task.title}” was never started.\n"
                              "Mark it done anyway?", yes="Done"),
                answer,
            )
            return
        self.change(lambda s: s.done(key), focus=key)

    def action_reopen(self) -> None:
        if card := self._card():
            key = card.key
            self.change(lambda s: s.reopen(key), focus=key)

    def _ask_reason(self, title: str, explanation: str, placeholder: str,
                    then: Callable[[str], Write], key: str) -> None:
        from mlkanban.tui.screens.reason import ReasonScreen

        def chosen(reason: str | None) -> None:
            if reason:
                self.change(then(reason), focus=key)

        self.app.push_screen(ReasonScreen(title, explanation, placeholder=placeholder), chosen)

    def action_wait(self) -> None:
        if card := self._card():
            key = card.key
            self._ask_reason(
                f"{key} is waiting on…",
                "Waiting tasks do not count toward the WIP limit; the reason shows on the card.",
                "e.g. A/B test collecting traffic until Friday",
                lambda reason: lambda s: s.wait(key, reason), key,
            )

    def action_drop(self) -> None:
        if card := self._card():
            key = card.key
            self._ask_reason(
                f"Drop {key}?",
                f"“{card.task.title}” will leave the board; it stays in the history.",
                "why it is dropped (e.g. pivot after the A/B test)",
                lambda reason: lambda s: s.drop(key, reason), key,
            )

    def action_move_phase(self, step: int) -> None:
        card = self._card()
        if card is None or self.grid is None:
            return
        key = card.key
        if self.column_mode is ColumnMode.STATUS:
            columns = self.grid.columns
            target = self.board.cursor.column + step
            if not 0 <= target < len(columns):
                return
            status = columns[target].status
            assert status is not None
            getattr(self, f"action_{STATUS_ACTIONS[status]}")()
            return
        target = card.task.phase.index + step
        if not 0 <= target < len(PHASES):
            edge = "first" if step < 0 else "last"
            self.notify(f"{key} is already in the {edge} phase.", severity="warning", timeout=3)
            return
        phase = PHASES[target]
        self.change(lambda s: s.move(key, phase), focus=key)

    def action_move_lane(self, step: int) -> None:
        card = self._card()
        if card is None or self.grid is None:
            return
        if self.lane_mode is LaneMode.PROJECT:
            self.notify("Lanes are projects here, and a task cannot change project. "
                        "Press g for lanes by person to hand it over.",
                        severity="warning", timeout=5)
            return
        target = self.board.cursor.lane + step
        if not 0 <= target < len(self.grid.lanes):
            return
        self.assign(card.key, self.grid.lanes[target].owner)

    def assign(self, key: str, owner: str | None) -> None:
        self.change(
            lambda s: s.assign(key, owner), focus=key,
            override=lambda reason: lambda s: s.assign(key, owner, override=reason),
        )

    def action_new(self) -> None:
        if self.snapshot is None:
            return
        if not self.snapshot.projects:
            self.notify("There is no project yet. Create one first: "
                        "mlkanban project add KEY NAME", severity="warning", timeout=8)
            return
        from mlkanban.tui.screens.task_form import TaskFormScreen

        lane, column = self.board.current_lane, self.board.current_column
        card = self.board.current_card
        project = (lane.project if lane and lane.project else None) or (
            card.task.project if card else None
        )
        phase = None
        if column is not None and column.phase:
            phase = PHASES[[p.value for p in PHASES].index(column.phase)]
        elif card is not None:
            phase = card.task.phase
        owner = lane.owner if lane and self.lane_mode is LaneMode.PERSON else None

        def created(form) -> None:
            if form is None:
                return
            self._create(form)

        self.app.push_screen(
            TaskFormScreen(people=list(self.snapshot.people),
                           projects=list(self.snapshot.projects),
                           project=project, phase=phase, owner=owner),
            created,
        )

    def _create(self, form) -> None:
        def write(s: Service) -> Change:
            task = s.add_task(form.project, form.title, form.phase, owner=form.owner,
                              estimate=form.estimate, description=form.description)
            return Change(task, f"Created {task.key} “{task.title}”")

        self.change(write)  # focus follows the new task's key

    def action_edit(self) -> None:
        card = self._card()
        if card is None or self.snapshot is None:
            return
        from mlkanban.tui.screens.task_form import TaskFormScreen

        task = card.task

        def edited(form) -> None:
            if form is None:
                return
            self.change(lambda s: _apply_edit(s, task, form), focus=task.key)

        self.app.push_screen(
            TaskFormScreen(people=list(self.snapshot.people),
                           projects=list(self.snapshot.projects), task=task),
            edited,
        )

    def action_split(self) -> None:
        card = self._card()
        if card is None:
            return
        from mlkanban.tui.screens.split_form import SplitFormScreen

        key = card.key

        def split(form) -> None:
            if form is not None:  # focus follows the new task's key
                self.change(lambda s: s.split(key, form.title, estimate=form.estimate))

        self.app.push_screen(SplitFormScreen(card.task), split)

    def action_details(self) -> None:
        if card := self._card():
            self._load_history(card)

    @on(BoardView.Opened)
    def _opened(self, message: BoardView.Opened) -> None:
        self._load_history(message.card)

    @work(thread=True, exclusive=True, group="history")
    def _load_history(self, card: Card) -> None:
        try:
            events = self.service.history(card.key)
        except MlkanbanError as exc:
            self.post_message(ChangeRefused(exc.message))
            return
        self.post_message(HistoryLoaded(card, events))

    @on(HistoryLoaded)
    def _show_history(self, message: HistoryLoaded) -> None:
        from mlkanban.tui.screens.detail import TaskDetailScreen

        def closed(result: str | None) -> None:
            if result == "edit":
                self.focus_card(message.card.key)
                self.action_edit()

        self.app.push_screen(TaskDetailScreen(message.card, message.events), closed)

    def action_menu(self) -> None:
        if card := self._card():
            self._open_menu(card)

    @on(BoardView.MenuRequested)
    def _menu_requested(self, message: BoardView.MenuRequested) -> None:
        self._open_menu(message.card)

    def _open_menu(self, card: Card) -> None:
        from mlkanban.tui.screens.card_menu import CardMenuScreen

        assert self.snapshot is not None
        key = card.key

        def chosen(choice: str | None) -> None:
            if not choice:
                return
            self.focus_card(key)
            kind, _, value = choice.partition(":")
            if kind == "phase":
                phase = next(p for p in PHASES if p.value == value)
                self.change(lambda s: s.move(key, phase), focus=key)
            elif kind == "owner":
                self.assign(key, value or None)
            elif kind == "open":
                self.action_details()
            else:
                getattr(self, f"action_{kind}")()

        self.app.push_screen(CardMenuScreen(card, list(self.snapshot.people)), chosen)

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

        self.app.push_screen(ReviewScreen(self.service))

    def action_project(self) -> None:
        if card := self._card():
            self.open_project(card.task.project)

    def open_project(self, key: str) -> None:
        from mlkanban.tui.project import ProjectScreen

        self.app.push_screen(ProjectScreen(self.service, key))

def board_words(refusal: str) -> str:
    """The service's WIP refusal with the board's keys in place of command-line flags."""
    head, found, _ = refusal.partition(". Finish it")
    if not found:
        return refusal
    return (f"{head}. Finish it (d), move it to waiting (w), or start this one anyway "
            "with a reason.")


def _apply_edit(service: Service, task, form) -> list[Change]:
    """Apply what the edit dialog changed, field by field (each with its event)."""
    changes: list[Change] = []
    if form.title != task.title or form.description != task.description:
        changes.append(service.edit(task.key, title=form.title, description=form.description))
    if form.estimate != task.estimate:
        changes.append(service.estimate(task.key, form.estimate))
    if form.phase is not task.phase:
        changes.append(service.move(task.key, form.phase))
    if form.owner != task.owner:
        changes.append(service.assign(task.key, form.owner))
    return changes
