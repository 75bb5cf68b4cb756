"""What a card says, line by line, as (text, style name) runs fitted to a width.

The board widget turns the style names into theme colours; keeping the wording here
makes it readable (and testable) without a terminal.
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len, set_cell_size

from mlkanban.domain.statuses import Status
from mlkanban.domain.text import terminal_safe
from mlkanban.store.board import Card

Run = tuple[str, str]
"""A piece of text and the component class that styles it (``""``: the card's own)."""

CARD_LINES = 3

STATUS_CLASS = {
    Status.TODO: "board--todo",
    Status.IN_PROGRESS: "board--in-progress",
    Status.WAITING: "board--waiting",
    Status.DONE: "board--done",
    Status.DROPPED: "board--muted",
}


def fit(text: str, width: int) -> str:
    """``text`` cut with an ellipsis, or padded, to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…"


def age_text(card: Card) -> str:
    """Age / estimate in working days: ``2/3d``; ``·`` before it starts, ``?`` unestimated."""
    age = "·" if card.age is None else str(card.age)
    estimate = "?" if card.task.estimate is None else str(card.task.estimate)
    return f"{age}/{estimate}d"


def detail_runs(card: Card, *, show_owner: bool, show_phase: bool = False) -> list[Run]:
    """The third line: status in words, then the flags a lead scans for. In status
    columns the column names the status, so the line names the phase instead."""
    task = card.task
    runs: list[Run] = []
    if show_phase:
        runs.append((task.phase.title, STATUS_CLASS[task.status]))
    if task.status is Status.WAITING:
        if card.ab_test:
            runs.append((f"A/B {card.ab_test}", "board--waiting"))
        else:
            reason = terminal_safe(task.reason or "")
            runs.append((f"waiting: {reason}" if reason else "waiting", "board--waiting"))
    elif task.status is Status.DONE:
        done = task.done_at.astimezone().strftime("%a %d %b") if task.done_at else ""
        runs.append((f"done {done}".strip(), "board--done"))
    elif task.status is Status.IN_PROGRESS:
        if card.over_size:
            runs.append(("⚠ over size", "board--flag"))
        if task.wip_override:
            runs.append(("⚑ WIP override", "board--flag"))
        if not runs:
            runs.append(("in progress", "board--in-progress"))
    elif not show_phase:
        runs.append(("to do", "board--todo"))
    if show_owner:
        runs.append((f"@{task.owner}" if task.owner else "unassigned", "board--muted"))
    return runs


@lru_cache(maxsize=8192)
def title_lines(title: str, width: int) -> tuple[str, ...]:
    """The title on one line, or wrapped onto two (the second cut with an ellipsis);
    nothing in it can act on the terminal."""
    title = terminal_safe(title)
    if cell_len(title) <= width:
        return (fit(title, width),)
    words = title.split()
    first = ""
    while words and cell_len(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one word longer than the line
        return (fit(title, width),)
    return fit(first, width), fit(" ".join(words), width)


def card_height(card: Card, width: int) -> int:
    """Lines the card takes at this column width: 3, or 4 with a two-line title."""
    return title_height(card.title, width - 3) + 2


def title_height(title: str, width: int) -> int:
    """``len(title_lines(title, width))``, without wrapping a plain title: the board
    lays out every card, and draws only the few on screen."""
    if title.isascii() and title.isprintable():  # one cell a character, nothing to hide
        if len(title) <= width:
            return 1
        words = title.split(None, 1)
        return 2 if words and len(words[0]) <= width else 1
    return len(title_lines(title, width))


def card_lines(card: Card, width: int, *, show_owner: bool = False,
               show_phase: bool = False) -> list[list[Run]]:
    """Every line of a card exactly ``width`` cells wide, status bar included."""
    task = card.task
    status_class = STATUS_CLASS[task.status]
    inner = width - 3  # bar, space before, space after
    if inner <= 0:
        return [[(fit("▌", width), status_class)]] * CARD_LINES
    bar: list[Run] = [("▌", status_class), (" ", "")]
    end: Run = (" ", "")
    right = age_text(card)
    head = f"{task.status.marker} "
    key_room = inner - cell_len(head) - cell_len(right) - 1
    if key_room < len(task.key):  # too narrow for both: the key wins
        right, key_room = "", inner - cell_len(head)
    first = [
        *bar,
        (head, status_class),
        (fit(task.key, key_room), "board--key"),
        (" " if right else "", ""),
        (right, "board--flag" if card.over_size else "board--muted"),
        end,
    ]
    titles = [[*bar, (text, ""), end] for text in title_lines(task.title, inner)]
    runs = detail_runs(card, show_owner=show_owner, show_phase=show_phase)
    detail = [*bar, *_fit_runs(runs, inner), end]
    return [first, *titles, detail]


def _fit_runs(runs: list[Run], width: int) -> list[Run]:
    """Runs joined by two spaces, cut with an ellipsis where the width ends."""
    out: list[Run] = []
    used = 0
    for i, (text, style) in enumerate(runs):
        gap = "  " if i else ""
        need = cell_len(gap + text)
        if used + need > width:
            room = width - used - cell_len(gap)
            if room > 1:
                out += [(gap, ""), (fit(text, room), style)]
                used = width
            break
        out += [(gap, ""), (text, style)]
        used += need
    if used < width:
        out.append((" " * (width - used), ""))
    return out
