"""What the board does to the focused card: each key becomes a service call.

Mixed into ``BoardScreen``: the screen reads and draws, this part turns keys into
writes (``change``) and dialogs (new, edit, split, reasons, the card menu).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on, work
from textual.screen import Screen

from mlkanban.domain.errors import MlkanbanError
from mlkanban.domain.phases import PHASES
from mlkanban.domain.statuses import Status
from mlkanban.store.board import Card, ColumnMode, Grid, LaneMode, Snapshot
from mlkanban.store.changes import Change
from mlkanban.tui.messages import ChangeRefused, HistoryLoaded, Write
from mlkanban.tui.widgets.board_view import BoardView
from mlkanban.tui.workspace import Workspace

if TYPE_CHECKING:  # writes run in workers, after the service is built
    from mlkanban.store.service import Service

STATUS_ACTIONS = {
    Status.IN_PROGRESS: "start",
    Status.WAITING: "wait",
    Status.DONE: "done",
    Status.TODO: "reopen",
    Status.DROPPED: "drop",
}


class CardActions(Screen[None]):
    """The board's card actions (``BoardScreen`` provides the reading and writing)."""

    workspace: Workspace
    snapshot: Snapshot | None
    grid: Grid | None
    lane_mode: LaneMode
    column_mode: ColumnMode

    @property
    def board(self) -> BoardView:
        return self.query_one(BoardView)

    def change(self, write: Write, *, focus: str | None = None,
               override: Callable[[str], Write] | None = None) -> None:
        raise NotImplementedError

    def focus_card(self, key: str) -> None:
        raise NotImplementedError

    def _card(self) -> Card | None:
        card = self.board.current_card
        if card is None:
            self.notify("No card here. Move to a card first (arrows or h/j/k/l), "
                        "or press n for a new task.", severity="warning", timeout=4)
        return card

    def palette(self, action: str) -> None:
        """Run a board action by name, e.g. ``move_phase(1)`` (from the command palette)."""
        name, _, argument = action.partition("(")
        method = getattr(self, f"action_{name}")
        method(int(argument.rstrip(")"))) if argument else method()

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
            self.notify("There is no project yet: press N to add one (or ctrl+p, "
                        "Add project), then n again.", severity="warning", timeout=8)
            return
        from mlkanban.tui.screens.task_form import TaskFormScreen

        lane, column = self.board.current_lane, self.board.current_column
        card = self.board.current_card
        project = (lane.project if lane and lane.project else None) or (
            card.task.project if card else None
        )
        if project is None and len(self.snapshot.projects) == 1:
            project = self.snapshot.projects[0].key  # the only choice: already chosen
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
            events = self.workspace.history(card.key)
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
