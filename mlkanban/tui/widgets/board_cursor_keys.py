"""The board's cursor keys: left, right, up and down through cards, and lane jumps.

A mixin of ``BoardView``: the keys only decide where the cursor goes next; the view's
``move_cursor`` clamps, repaints and scrolls.
"""

from __future__ import annotations

from mlkanban.tui.widgets.board_geometry import Position


class CursorKeys:
    """Actions bound to the board's cursor keys (see ``BoardView.BINDINGS``)."""

    def _cards_in(self, lane: int, column: int) -> int:
        return len(self.grid.cell(lane, column).cards)

    def action_cursor_left(self) -> None:
        c = self.cursor
        self.move_cursor(Position(c.lane, c.column - 1, c.index))

    def action_cursor_right(self) -> None:
        c = self.cursor
        self.move_cursor(Position(c.lane, c.column + 1, c.index))

    def action_cursor_up(self) -> None:
        c = self.cursor
        if c.index > 0:
            self.move_cursor(Position(c.lane, c.column, c.index - 1))
        elif c.lane > 0:
            last = self._cards_in(c.lane - 1, c.column) - 1
            self.move_cursor(Position(c.lane - 1, c.column, last))

    def action_cursor_down(self) -> None:
        c = self.cursor
        if c.index + 1 < self._cards_in(c.lane, c.column):
            self.move_cursor(Position(c.lane, c.column, c.index + 1))
        elif c.lane + 1 < len(self.grid.lanes):
            self.move_cursor(Position(c.lane + 1, c.column, 0))

    def action_lane_up(self) -> None:
        self.move_cursor(Position(self.cursor.lane - 1, self.cursor.column, 0))

    def action_lane_down(self) -> None:
        self.move_cursor(Position(self.cursor.lane + 1, self.cursor.column, 0))

    def action_first_lane(self) -> None:
        self.move_cursor(Position(0, self.cursor.column, 0))

    def action_last_lane(self) -> None:
        self.move_cursor(Position(len(self.grid.lanes) - 1, self.cursor.column, 0))
