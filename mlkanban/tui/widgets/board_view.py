"""The board: lanes × columns of cards, drawn line by line.

A board backed by thousands of tasks must open as fast as a small one, so this is
one Line-API widget (like Textual's ``DataTable`` and ``Log``) rather than a widget
per card: only the lines on screen are ever rendered, and moving the cursor repaints
a handful of them. The widget receives a ``Grid`` and posts messages; it never
touches the database.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mlkanban.domain.statuses import Status
from mlkanban.store.board import Card, Column, ColumnMode, Grid, Lane, LaneMode
from mlkanban.tui.widgets.board_cursor_keys import CursorKeys
from mlkanban.tui.widgets.board_geometry import (
    EMPTY_GRID,
    HEADER_LINES,
    MIN_COLUMN_WIDTH,
    NO_GEOMETRY,
    CellGeometry,
    CellMeasures,
    Position,
)
from mlkanban.tui.widgets.board_strips import header_strip, lane_strip
from mlkanban.tui.widgets.card_text import card_lines, fit


class BoardView(CursorKeys, ScrollView, can_focus=True):
    """Swimlanes of cards with a cursor on one card (or one empty cell).

    | Key | Moves the cursor |
    | :- | :- |
    | `←` `↓` `↑` `→` / `h` `j` `k` `l` | to the neighbouring card or cell |
    | `home` / `end` | to the first / last lane |
    | `pageup` / `pagedown` | to the lane above / below |
    """

    BINDINGS: list[BindingType] = [
        Binding("left,h", "cursor_left", "Left", show=False, id="board.cursor-left",
                tooltip="Focus the cell to the left"),
        Binding("right,l", "cursor_right", "Right", show=False, id="board.cursor-right",
                tooltip="Focus the cell to the right"),
        Binding("up,k", "cursor_up", "Up", show=False, id="board.cursor-up",
                tooltip="Focus the card above (or the lane above)"),
        Binding("down,j", "cursor_down", "Down", show=False, id="board.cursor-down",
                tooltip="Focus the card below (or the lane below)"),
        Binding("pageup", "lane_up", "Lane up", show=False, id="board.lane-up",
                tooltip="Jump to the lane above"),
        Binding("pagedown", "lane_down", "Lane down", show=False, id="board.lane-down",
                tooltip="Jump to the lane below"),
        Binding("home", "first_lane", "First lane", show=False, id="board.first-lane",
                tooltip="Jump to the first lane"),
        Binding("end", "last_lane", "Last lane", show=False, id="board.last-lane",
                tooltip="Jump to the last lane"),
    ]

    COMPONENT_CLASSES = {
        "board--header",
        "board--grid",
        "board--lane",
        "board--lane-muted",
        "board--lane-over",
        "board--card",
        "board--cursor",
        "board--key",
        "board--muted",
        "board--todo",
        "board--in-progress",
        "board--waiting",
        "board--done",
        "board--flag",
        "board--folded",
        "board--placeholder",
    }

    class _CardMessage(Message):
        """A message about one card (or none) of this board."""

        def __init__(self, board: BoardView, card: Card | None) -> None:
            super().__init__()
            self.board = board
            self.card = card

        @property
        def control(self) -> BoardView:
            return self.board

    class Highlighted(_CardMessage):
        """The cursor moved to another card or cell."""

    class Opened(_CardMessage):
        """A card was double-clicked: show it."""

    class MenuRequested(_CardMessage):
        """A card was right-clicked: offer what can be done with it."""

    class ColumnsHidden(Message):
        """Which columns are now off-screen, to the left and to the right."""

        def __init__(self, left: tuple[Column, ...], right: tuple[Column, ...]) -> None:
            super().__init__()
            self.left = left
            self.right = right

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.grid: Grid = EMPTY_GRID
        self.cursor = Position()
        self._lane_tops: list[int] = []
        self._lane_bands: list[int] = []
        self._column_x: list[int] = []
        self._column_widths: list[int] = []
        self._cells: dict[tuple[int, int], CellGeometry] = {}
        self._card_cache: dict[tuple, tuple[Card, list[list[Segment]]]] = {}
        """Lines of drawn cards, by key, width and selection, with the card they are of
        (a reload brings a new card under the same key)."""
        self._measures = CellMeasures()
        self._base_style = Style()
        self._partials: dict[str, Style] = {}
        self._total_width = 0
        self.notice: tuple[str, ...] = ()
        """Lines shown under the lanes (or in their place): what to do next."""
        self._notice_top = 0
        self._hidden: tuple[tuple[Column, ...], tuple[Column, ...]] = ((), ())
        self._scroll_when_sized = False
        self._laid_out = True
        self._layout_width = 0

    # ------------------------------------------------------------------ data in

    def show(self, grid: Grid, *, focus: str | None = None,
             notice: tuple[str, ...] = ()) -> None:
        """Draw ``grid``, keeping the cursor on the card ``focus`` (else the current one);
        ``notice`` lines go under the lanes."""
        old_grid, old = self.grid, self.cursor
        key = focus or (self.current_card.key if self.current_card else None)
        self.grid = grid
        self.notice = notice
        if self.size.area:
            self._layout()
        else:  # no size yet: laid out once it has one (first paint or resize)
            self._laid_out = False
        found = grid.find(key) if key else None
        if found is not None:
            self.cursor = Position(*found)
        else:
            lane = old.lane
            if old_grid.lanes and old.lane < len(old_grid.lanes):
                old_key = old_grid.lanes[old.lane].key
                same = [i for i, x in enumerate(grid.lanes) if x.key == old_key]
                lane = same[0] if same else lane
            self.cursor = self._clamp(Position(lane, old.column, old.index))
        self.refresh()
        if self.size.area:
            self._scroll_to_cursor()
        else:  # shown before its first layout: scroll once it has a size
            self._scroll_when_sized = True
        self.post_message(self.Highlighted(self, self.current_card))

    @property
    def current_card(self) -> Card | None:
        if not self.grid.lanes:
            return None
        cards = self.grid.cell(self.cursor.lane, self.cursor.column).cards
        return cards[self.cursor.index] if self.cursor.index < len(cards) else None

    @property
    def current_lane(self) -> Lane | None:
        return self.grid.lanes[self.cursor.lane] if self.grid.lanes else None

    @property
    def current_column(self) -> Column | None:
        return self.grid.columns[self.cursor.column] if self.grid.columns else None

    # ------------------------------------------------------------------ geometry

    def _layout(self) -> None:
        """Work out where every lane, column and card sits; on new data and on resize."""
        self._laid_out = True
        grid = self.grid
        columns = len(grid.columns)
        available = self._layout_width = self.scrollable_content_region.width
        widths: list[int] = []
        if columns:
            width = max(MIN_COLUMN_WIDTH, (available - (columns - 1)) // columns)
            widths = [width] * columns
            spare = available - (width * columns + columns - 1)
            for i in range(max(spare, 0)):
                widths[i % columns] += 1
        x = 0
        self._column_x, self._column_widths = [], widths
        for width in widths:
            self._column_x.append(x)
            x += width + 1
        total_width = max(x - 1, 0)

        self._measures.trim()
        self._cells = {
            position: self._measures.cell(cell, widths[position[1]])
            for position, cell in grid.cells.items()
        }
        if len(self._card_cache) > 4096:
            self._card_cache.clear()
        y = HEADER_LINES
        self._lane_tops, self._lane_bands = [], []
        for lane in range(len(grid.lanes)):
            band = max(
                [1] + [self._geometry(lane, c).height for c in range(columns)]
            )
            self._lane_tops.append(y)
            self._lane_bands.append(band)
            y += 1 + band + 1  # header line, cards, a blank line
        self._notice_top = y
        y += len(self.notice)
        self._total_width = total_width
        if 0 < available < total_width:
            # Room to scroll the last columns in whole: sideways scrolling moves by
            # columns, so no card is ever cut at the left edge.
            last_start = next(x for x in self._column_x if x >= total_width - available)
            total_width = max(total_width, last_start + available)
        self.virtual_size = Size(total_width, y)
        self.call_after_refresh(self._report_hidden)

    def hidden_columns(self) -> tuple[tuple[Column, ...], tuple[Column, ...]]:
        """The columns wholly or partly off-screen: (to the left, to the right)."""
        width = self.scrollable_content_region.width
        if not self._column_x or width <= 0:
            return (), ()
        x = int(self.scroll_x)
        columns = self.grid.columns
        left = tuple(c for c, start in zip(columns, self._column_x, strict=True) if start < x)
        right = tuple(
            c for c, start, w in zip(columns, self._column_x, self._column_widths, strict=True)
            if start + w > x + width
        )
        return left, right

    def _report_hidden(self) -> None:
        hidden = self.hidden_columns()
        if hidden != self._hidden:
            self._hidden = hidden
            self.post_message(self.ColumnsHidden(*hidden))

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_x(old_value, new_value)
        self._report_hidden()

    def _geometry(self, lane: int, column: int) -> CellGeometry:
        return self._cells.get((lane, column), NO_GEOMETRY)

    def _on_resize(self, event: events.Resize) -> None:
        if not self._laid_out or self.scrollable_content_region.width != self._layout_width:
            self._layout()
            self.refresh()
        if self._scroll_when_sized and self.size.area:
            self._scroll_when_sized = False
            self._scroll_to_cursor()

    def _card_region(self, position: Position) -> Region:
        """Where the cursor's card sits on the whole (virtual) board."""
        if not self._lane_tops:
            return Region(0, 0, 0, 0)
        top = self._lane_tops[position.lane]
        x = self._column_x[position.column]
        width = self._column_widths[position.column]
        geometry = self._geometry(position.lane, position.column)
        if position.index >= len(geometry.tops):
            return Region(x, top, width, 2)  # an empty cell: its first line
        card_top = geometry.tops[position.index]
        height = geometry.heights[position.index]
        if position.index == 0:
            return Region(x, top, width, 1 + height)  # bring the lane header along
        return Region(x, top + 1 + card_top, width, height)

    def _scroll_to_cursor(self) -> None:
        """Bring the cursor's card into view, scrolling sideways by whole columns."""
        region = self._card_region(self.cursor)
        width = self.scrollable_content_region.width
        x = int(self.scroll_x)
        if region.x < x:
            x = region.x
        elif region.right > x + width:
            need = region.right - width
            x = next((start for start in self._column_x if start >= need), region.x)
        self.scroll_to(x=x, animate=False, force=True, immediate=True)
        self.scroll_to_region(
            Region(x, region.y, 1, region.height), spacing=Spacing(top=HEADER_LINES),
            animate=False, force=True, immediate=True,
        )

    # ------------------------------------------------------------------ cursor

    def _clamp(self, position: Position) -> Position:
        grid = self.grid
        if not grid.lanes or not grid.columns:
            return Position()
        lane = min(max(position.lane, 0), len(grid.lanes) - 1)
        column = min(max(position.column, 0), len(grid.columns) - 1)
        cards = len(grid.cell(lane, column).cards)
        index = min(max(position.index, 0), max(cards - 1, 0))
        return Position(lane, column, index)

    def move_cursor(self, position: Position) -> None:
        new = self._clamp(position)
        if new == self.cursor:
            return
        old, self.cursor = self.cursor, new
        self._refresh_position(old)
        self._refresh_position(new)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, self.current_card))

    def _refresh_position(self, position: Position) -> None:
        region = self._card_region(position)
        scroll_x, scroll_y = self.scroll_offset
        self.refresh(Region(region.x - scroll_x, region.y - scroll_y, region.width,
                            region.height))

    # ------------------------------------------------------------------ mouse

    def position_at(self, x: int, y: int) -> tuple[Position, bool] | None:
        """The cell (and whether a card) under widget coordinates ``x``, ``y``."""
        if y < HEADER_LINES or not self._lane_tops:
            return None
        scroll_x, scroll_y = self.scroll_offset
        vx, vy = x + scroll_x, y + scroll_y
        lane = bisect_right(self._lane_tops, vy) - 1
        if lane < 0:
            return None
        column = bisect_right(self._column_x, vx) - 1
        line = vy - self._lane_tops[lane] - 1
        if line < 0 or line >= self._lane_bands[lane]:
            return Position(lane, column, 0), False
        hit = self._geometry(lane, column).card_at(line)
        if hit is None:
            return Position(lane, column, 0), False
        return Position(lane, column, hit[0]), True

    def _on_click(self, event: events.Click) -> None:
        hit = self.position_at(event.x, event.y)
        if hit is None:
            return
        position, on_card = hit
        self.focus()
        self.move_cursor(position)
        card = self.current_card
        if not on_card or card is None:
            return
        if event.button == 3:
            self.post_message(self.MenuRequested(self, card))
        elif event.chain >= 2:
            self.post_message(self.Opened(self, card))

    # ------------------------------------------------------------------ drawing

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._card_cache.clear()
        self._partials.clear()
        self.refresh()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _partial(self, name: str) -> Style:
        """A component's colour and text style, to lay over another background.

        Taken from the full style so that translucent theme colours (``$text-muted``)
        arrive already blended."""
        style = self._partials.get(name)
        if style is None:
            full = self.get_component_rich_style(name)
            style = Style(color=full.color, bold=full.bold, italic=full.italic,
                          underline=full.underline, dim=full.dim)
            self._partials[name] = style
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        if not self._laid_out:
            self._layout()
        self._base_style = self.rich_style  # once per paint, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y < HEADER_LINES:
            style = self._style("board--header")
            return self._header_strip().crop_extend(scroll_x, scroll_x + width, style)
        else:
            vy = y + scroll_y
            if vy >= self._notice_top and self.notice:
                text = self.notice[vy - self._notice_top] if vy - self._notice_top < len(
                    self.notice) else ""
                return Strip([Segment(fit(f" {text}", width), self._base_style
                                      + self._partial("board--muted"))])
            lane = bisect_right(self._lane_tops, vy) - 1
            if lane >= 0 and vy == self._lane_tops[lane]:
                # Lane headers stay put when the board scrolls sideways: the name is
                # always at the left and the counts at the right of the window.
                return self._lane_strip(self.grid.lanes[lane], width)
            strip = self._board_strip(vy)
        return strip.crop_extend(scroll_x, scroll_x + width, self._base_style)

    def _header_strip(self) -> Strip:
        return header_strip(self.grid, self._column_widths, self._style, self._partial)

    def _board_strip(self, vy: int) -> Strip:
        lane = bisect_right(self._lane_tops, vy) - 1
        if lane < 0:
            return Strip.blank(0)
        line = vy - self._lane_tops[lane] - 1
        if line < 0 or line >= self._lane_bands[lane]:
            return Strip.blank(self._total_width, self._base_style)
        grid_style = self._style("board--grid")
        segments: list[Segment] = []
        for column in range(len(self.grid.columns)):
            if column:
                segments.append(Segment("│", grid_style))
            segments += self._cell_segments(lane, column, line)
        return Strip(segments)

    def _lane_strip(self, lane: Lane, width: int) -> Strip:
        return lane_strip(lane, width, self.grid.lane_mode, self._style, self._partial)

    def _cell_segments(self, lane: int, column: int, line: int) -> list[Segment]:
        width = self._column_widths[column]
        cell = self.grid.cell(lane, column)
        geometry = self._geometry(lane, column)
        cursor = self.cursor
        here = cursor.lane == lane and cursor.column == column
        hit = geometry.card_at(line)
        if hit is not None:
            index, sub = hit
            selected = here and cursor.index == index
            return self._card_segments(cell.cards[index], width, selected)[sub]
        if geometry.folded_at is not None and line == geometry.folded_at:
            text = fit(f" {Status.DONE.marker} {cell.folded} done earlier", width)
            name = "board--cursor" if here and not cell.cards else "board--folded"
            return [Segment(text, self._style(name))]
        if here and not cell.cards and not cell.folded and line == 0:
            return [Segment(fit(" + new task here (n)", width), self._style("board--placeholder"))]
        return [Segment(" " * width, self._base_style)]

    def _card_segments(self, card: Card, width: int, selected: bool) -> list[list[Segment]]:
        """Every line of a card as segments, cached until the data or the size changes."""
        show_owner = self.grid.lane_mode is LaneMode.PROJECT
        show_phase = self.grid.column_mode is ColumnMode.STATUS
        cache_key = (card.key, width, selected, show_owner, show_phase)
        cached = self._card_cache.get(cache_key)
        if cached is not None and cached[0] is card:
            return cached[1]
        base = self._style("board--cursor" if selected else "board--card")
        margin = Segment(" ", self._base_style)
        lines = []
        for runs in card_lines(card, width - 2, show_owner=show_owner, show_phase=show_phase):
            segments = [margin]
            for text, name in runs:
                if text:
                    segments.append(Segment(text, base + self._partial(name) if name else base))
            segments.append(margin)
            lines.append(segments)
        self._card_cache[cache_key] = (card, lines)
        return lines
