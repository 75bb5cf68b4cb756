"""The board sets long-lived objects aside from the garbage collector; a cycle dropped
after that must still be collected once the set-aside objects have grown enough."""

from __future__ import annotations

import gc
import weakref

from mlkanban.tui.screens import board_loading


class Node:
    pass


def test_a_cycle_set_aside_is_collected_once_the_set_aside_objects_grow(monkeypatch):
    try:
        gc.unfreeze()
        node = Node()
        node.me = node  # a reference cycle: only the collector frees it
        dropped = weakref.ref(node)
        board_loading.keep_long_lived()
        del node
        gc.collect()
        assert dropped() is not None  # set aside: not looked at
        board_loading.keep_long_lived()  # nothing new: not looked at again
        assert dropped() is not None
        monkeypatch.setattr(board_loading, "_frozen_when_collected",
                            gc.get_freeze_count() // 2)  # as if they had doubled since
        board_loading.keep_long_lived()
        assert dropped() is None
    finally:
        gc.unfreeze()
