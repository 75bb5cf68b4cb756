"""Where things sit on the board widget: cells, cards and the cursor (no drawing)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from mlkanban.store.board import Grid

MIN_COLUMN_WIDTH = 24
HEADER_LINES = 1

EMPTY_GRID = Grid((), (), {})


@dataclass(frozen=True)
class CellGeometry:
    """Where each card of a cell starts, relative to the lane's first card line."""

    tops: tuple[int, ...] = ()
    heights: tuple[int, ...] = ()
    folded_at: int | None = None
    height: int = 0

    def card_at(self, line: int) -> tuple[int, int] | None:
        """(card index, line within the card) at ``line``, or None between cards."""
        index = bisect_right(self.tops, line) - 1
        if index < 0 or line >= self.tops[index] + self.heights[index]:
            return None
        return index, line - self.tops[index]


NO_GEOMETRY = CellGeometry()


@dataclass(frozen=True)
class Position:
    """The cursor: a lane, a column and a card of that cell."""

    lane: int = 0
    column: int = 0
    index: int = 0
