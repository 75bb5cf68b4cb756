"""What the board screen says around its cards: the next steps on an empty board, the
counts a filter leaves, and the header line. Pure functions of the snapshot and grid."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from mlkanban.domain.statuses import Status
from mlkanban.store.board import Column, ColumnMode, Grid, LaneMode, Snapshot


def next_steps(snapshot: Snapshot, actor: str) -> tuple[str, ...]:
    """Until the board has a card: what to do next, one key per step, in place."""
    if snapshot.cards:
        return ()
    people = {p.handle for p in snapshot.people}

    def step(done: bool, text: str) -> str:
        return f"  {'✓' if done else '·'} {text}"

    you = () if actor in people else (f"        you act as @{actor}: add yourself first",)
    return (
        "",
        "Nothing on the board yet. Set up from here, one key per step:",
        step(bool(people), "a   add a person: a swimlane with a WIP limit"),
        *you,
        step(bool(snapshot.projects),
             "N   add a project: key, name, hypothesis, metric, plan per phase"),
        step(False, "n   new task in the focused lane and column; s starts it"),
        "",
        "ctrl+p lists every action by name; ? shows every key.",
        "To look around first: mlkanban demo (a realistic team, in its own database).",
    )


def no_match(filter_text: str) -> tuple[str, ...]:
    return (
        "",
        f"No card matches «{filter_text}».",
        "Esc clears the filter; c lists done and dropped tasks, which the board leaves out.",
    )


def count_shown(grid: Grid) -> Grid:
    """A filtered grid's lanes count only the cards the filter leaves."""
    if not grid.filtered:
        return grid
    tallies: dict[int, Counter[Status]] = {}
    for (lane, _), cell in grid.cells.items():
        tally = tallies.setdefault(lane, Counter())
        for status, count in cell.tally().items():
            tally[status] += count
    lanes = tuple(
        replace(lane, in_progress=tallies.get(i, Counter())[Status.IN_PROGRESS],
                waiting=tallies.get(i, Counter())[Status.WAITING],
                todo=tallies.get(i, Counter())[Status.TODO])
        for i, lane in enumerate(grid.lanes)
    )
    return replace(grid, lanes=lanes)


def subtitle(*, actor: str, known: bool, lanes: LaneMode, columns: ColumnMode, shown: int,
             filter_text: str, left: tuple[Column, ...], right: tuple[Column, ...]) -> str:
    """The header's second half: off-screen columns first (they are easy to miss), then
    who acts, the arrangement, the number of cards and the filter."""
    parts = []
    if left:
        parts.append("◂ " + ", ".join(_short(c) for c in left) + " (h)")
    if right:
        parts.append(", ".join(_short(c) for c in right) + " ▸ (l)")
    parts.append(f"@{actor}" + ("" if known else " (not on the board)"))
    if not (left or right):
        parts.append("lanes by person" if lanes is LaneMode.PERSON else "lanes by project")
        parts.append("phase columns" if columns is ColumnMode.PHASE else "status columns")
    parts.append(f"{shown} cards")
    if filter_text:
        parts.append(f"filter “{filter_text}”")
    return " · ".join(parts)


def _short(column: Column) -> str:
    if column.phase is None:
        return column.title
    from mlkanban.domain.phases import Phase

    return Phase(column.phase).info.short
