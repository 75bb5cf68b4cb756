"""The board's two kinds of full-width line: the column header and a lane's header."""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from mlkanban.domain.statuses import Status
from mlkanban.domain.text import terminal_safe
from mlkanban.store.board import ColumnMode, Grid, Lane, LaneMode
from mlkanban.tui.widgets.card_text import fit

StyleOf = Callable[[str], Style]
"""A component class name to its style (full, or colour only to lay over another)."""


def header_strip(grid: Grid, widths: list[int], style: StyleOf, partial: StyleOf) -> Strip:
    """The column titles with their counts, each cut to its column."""
    header = style("board--header")
    grid_style = style("board--grid")
    counts = grid.column_counts
    if grid.column_mode is ColumnMode.STATUS:  # Done counts too: it is a column
        counts = [0] * len(grid.columns)
        for (_, column), cell in grid.cells.items():
            counts[column] += len(cell.cards)
    segments: list[Segment] = []
    for i, column in enumerate(grid.columns):
        if i:
            segments.append(Segment("│", grid_style))
        width = widths[i]
        count = f"{counts[i]} " if counts[i] else ""
        title = fit(f" {column.title}", width - len(count))
        muted = header + partial("board--muted")
        segments += [Segment(title, header), Segment(count, muted)]
    return Strip(segments)


def lane_strip(lane: Lane, width: int, mode: LaneMode, style: StyleOf,
               partial: StyleOf) -> Strip:
    """A lane's header: its name at the left, its counts (and WIP limit) at the right."""
    base = style("board--lane-over" if lane.over_limit else "board--lane")
    muted = base + partial("board--lane-muted")
    left = [Segment(f" {terminal_safe(lane.title)} ", base + Style(bold=True)),
            Segment(terminal_safe(lane.detail), muted)]
    parts = []
    if mode is LaneMode.PERSON and lane.wip_limit is not None:
        wip = f"{Status.IN_PROGRESS.marker} {lane.in_progress}/{lane.wip_limit} in progress"
        parts.append(wip + (" — over the WIP limit" if lane.over_limit else ""))
    elif lane.in_progress:
        parts.append(f"{Status.IN_PROGRESS.marker} {lane.in_progress} in progress")
    if lane.waiting:
        parts.append(f"{Status.WAITING.marker} {lane.waiting} waiting")
    if lane.todo:
        parts.append(f"{Status.TODO.marker} {lane.todo} to do")
    right = "   ".join(parts) + " "
    used = sum(s.cell_length for s in left)
    room = width - used
    if room < len(right):
        right = fit(right, max(room, 0))
    gap = max(width - used - len(right), 0)
    return Strip([*left, Segment(" " * gap, base), Segment(right, base)])
