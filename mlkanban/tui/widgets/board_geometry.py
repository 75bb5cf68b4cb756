"""Where things sit on the board widget: cells, cards and the cursor (no drawing)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from mlkanban.store.board import Card, Cell, Grid
from mlkanban.tui.widgets.card_text import card_height

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


class CellMeasures:
    """Cells' geometries, kept across layouts: by the identity of their cards and their
    width (a filter keystroke that leaves a cell as it was reuses its geometry), and
    cards' heights by title and width."""

    def __init__(self) -> None:
        self._geometries: dict[tuple[int, int], tuple[tuple[Card, ...], CellGeometry]] = {}
        self._heights: dict[int, dict[str, int]] = {}

    def trim(self) -> None:
        """Forget everything once it grows large (a long session of filters)."""
        if len(self._geometries) > 4096:
            self._geometries.clear()
        if sum(len(known) for known in self._heights.values()) > 100_000:
            self._heights.clear()

    def cell(self, cell: Cell, width: int) -> CellGeometry:
        known = self._geometries.get((id(cell.cards), width))
        if known is not None and known[0] is cell.cards and cell.folded == 0:
            return known[1]
        geometry = self._measure(cell, width)
        if not cell.folded:
            self._geometries[(id(cell.cards), width)] = (cell.cards, geometry)
        return geometry

    def _measure(self, cell: Cell, width: int) -> CellGeometry:
        known = self._heights.setdefault(width, {})  # by title: a card's height is its title's
        heights = tuple([known.get(card.title) or _height(card, width, known)
                         for card in cell.cards])
        # each card and a blank line under it
        tops = tuple(accumulate([height + 1 for height in heights], initial=0))
        y, tops = tops[-1], tops[:-1]
        folded_at = y if cell.folded else None
        height = y - 1 if cell.cards else 0
        if folded_at is not None:
            height = folded_at + 1
        return CellGeometry(tops, heights, folded_at, height)


def _height(card: Card, width: int, known: dict[str, int]) -> int:
    height = known[card.title] = card_height(card, width - 2)
    return height
