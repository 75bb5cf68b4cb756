"""Keys in order, one at a time: what a fast typist sends goes where they meant it.

Textual hands a key to the focused widget at once and runs a screen's binding only when
the key has bubbled back up to the app. A key typed right after ``n`` is therefore
delivered to the board, and by the time it bubbles up the new-task dialog is the screen,
which ignores it: the first letters of a title, or the Tabs to the estimate, are lost.

``InOrderKeys`` holds each key until the one before it has travelled its whole way (to
the widget, up through its parents, through the app's bindings) and until any screen it
opened is mounted with its focus set. A key that arrives while nothing is in flight goes
through at once, so a human's pace sees no delay.

Keys can also be held while the app starts (``hold_keys``): a key typed as the board
opens, before its cards are read, waits for them (``release_keys``) instead of finding
no card to act on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from textual import events
from textual.app import App
from textual.message_pump import MessagePump

MOUNT_PATIENCE = 5.0
"""Seconds to hold keys for a screen that is still mounting (normally milliseconds)."""


class InOrderKeys(App):
    """An app whose key presses are handled strictly one after another."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held_keys: deque[events.Key] = deque()
        self._key_in_flight = False
        self._keys_on_hold = False

    @property
    def keys_pending(self) -> int:
        """Keys received and not yet fully handled (the one in flight included)."""
        return len(self._held_keys) + self._key_in_flight

    def hold_keys(self) -> None:
        """Keep the keys that arrive from now on until ``release_keys``."""
        self._keys_on_hold = True

    def release_keys(self) -> None:
        """Handle the keys held since ``hold_keys``, in order, and the next ones as
        they come."""
        if not self._keys_on_hold:
            return
        self._keys_on_hold = False
        if self._held_keys and not self._key_in_flight:
            self.call_next(self._send_held)

    async def _send_held(self) -> None:
        if self._held_keys and not self._key_in_flight and not self._keys_on_hold:
            await self._send_key(self._held_keys.popleft())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            event = as_typed(event)
            if self._key_in_flight or self._keys_on_hold:
                self._held_keys.append(event)
                return
            await self._send_key(event)
            return
        await super().on_event(event)

    async def _send_key(self, event: events.Key) -> None:
        target = self.focused or self.screen
        self._key_in_flight = True
        await super().on_event(event)
        self.run_worker(self._follow(target), group="keys", exit_on_error=False)

    async def _follow(self, target: MessagePump) -> None:
        """Wait until the key sent to ``target`` is handled, then send the next one."""
        try:
            node: MessagePump | None = target
            while node is not None:
                await _drained(node)
                node = node._parent
            await _drained(self)
            screen = self.screen
            # A screen that never finishes mounting must not hold the keys forever.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(screen._mounted_event.wait(), MOUNT_PATIENCE)
            await _drained(screen)
            await _drained(self)
        finally:
            self._key_in_flight = False
        if self._held_keys and not self._keys_on_hold:
            await self._send_key(self._held_keys.popleft())


def as_typed(event: events.Key) -> events.Key:
    """Enter, even when it arrives as a line feed (``ctrl+j``).

    Keys typed while the program starts, before it puts the terminal in raw mode, pass
    through the terminal's line discipline, which turns Enter's carriage return into a
    line feed: the Enter that ends a title typed ahead would do nothing. Readline takes
    both as Enter, and so does the board (no key of its own is ctrl+j).
    """
    if event.key == "ctrl+j":
        return events.Key("enter", "\r")
    return event


async def _drained(node: MessagePump) -> None:
    """Return once ``node`` has handled every message queued before this call."""
    done = asyncio.Event()
    if not node.call_later(done.set):
        return
    while not node._closing and not node._closed:
        try:
            await asyncio.wait_for(done.wait(), 0.1)
        except TimeoutError:
            continue  # a widget removed meanwhile never runs its queue: look again
        return
