"""The board screen's reading: the first load, reloads when the database changes, and
what is readied in the background once the cards are on screen (the writing service,
the filter's words, the review's modules).

Mixed into ``BoardScreen``, which draws what is read (``redraw``).
"""

from __future__ import annotations

import gc

from textual import on, work
from textual.worker import get_current_worker

from mlkanban.domain.statuses import Status
from mlkanban.store.board import Grid, Snapshot
from mlkanban.tui.key_queue import InOrderKeys
from mlkanban.tui.messages import BoardLoaded, BoardStale, Settled
from mlkanban.tui.screens.board_setup import SetupActions
from mlkanban.tui.workspace import Workspace, release_collector


class BoardLoading(SetupActions):
    """Reading the board (``BoardScreen`` provides ``redraw``)."""

    workspace: Workspace
    _grids: dict[tuple, Grid]
    _event_id: int
    _pending_focus: str | None

    def redraw(self, *, focus: str | None = None) -> None:
        raise NotImplementedError

    def on_unmount(self) -> None:
        gc.unfreeze()  # what was set aside (see keep_long_lived) may be collected again

    # ------------------------------------------------------------------ reading

    def load(self, focus: str | None = None) -> None:
        """Read the board again; then put the cursor on ``focus`` if given."""
        if focus:
            self._pending_focus = focus  # kept even if a newer load overtakes this one
        self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        snapshot = self.workspace.read_board()
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
            latest = self.workspace.latest_event_id()
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
        if first_load and isinstance(self.app, InOrderKeys):
            self.app.release_keys()  # keys typed while the board was read
        self.call_after_refresh(self._index, message.snapshot)
        if first_load:  # once the cards are on screen, get the rest ready
            self.call_after_refresh(release_collector)
            self.call_after_refresh(self.workspace.prepare, self._kept_from_thread)
            self.call_after_refresh(self._warm_up)

    @work(thread=True, exclusive=True, group="index")
    def _index(self, snapshot: Snapshot) -> None:
        """Put together the words the filter searches while the board is idle, so that
        the first keystroke of a filter only searches."""
        for card in snapshot.cards:
            card.haystack  # noqa: B018 - worked out once, kept by the card
        self._kept_from_thread()

    def _kept_from_thread(self) -> None:
        self.post_message(Settled())  # thread-safe, and never waits on a closing app

    @on(Settled)
    def _settled(self) -> None:
        keep_long_lived()

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """Import the review's modules (charts, Markdown) while the board is idle, so
        that r opens the review at once instead of after a second of imports."""
        import mlkanban.tui.review  # noqa: F401

        self._kept_from_thread()

    def _first_focus(self) -> str | None:
        """On opening: the acting person's task in progress, else their first card."""
        assert self.snapshot is not None
        mine = [c for c in self.snapshot.cards if c.owner == self.workspace.actor]
        moving = [c for c in mine if c.status is Status.IN_PROGRESS]
        chosen = (moving or mine or [None])[0]
        return chosen.key if chosen else None


#: How far the objects set aside may outgrow those alive at the last full collection
#: before they are looked at again (see ``keep_long_lived``).
FROZEN_GROWTH = 1.25
_frozen_when_collected = 0


def keep_long_lived() -> None:
    """Set what is alive now (modules, the interface, the board's cards) aside from the
    garbage collector. A full collection walks every object it tracks, a tenth of a
    second and more on a big board, and lands on whatever keystroke allocates next;
    objects that live as long as the board need not be walked. Young garbage is
    collected first; what is set aside is still freed when nothing refers to it.

    What was set aside and later dropped in a reference cycle (a closed dialog, say)
    would never be collected, so once the set-aside objects have grown by a quarter
    since the last full collection, they are all looked at again, once.
    """
    global _frozen_when_collected
    gc.collect(1)
    gc.freeze()
    count = gc.get_freeze_count()
    if not _frozen_when_collected:
        _frozen_when_collected = count  # the first time, what is alive now is the measure
    elif count > FROZEN_GROWTH * _frozen_when_collected:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _frozen_when_collected = gc.get_freeze_count()
