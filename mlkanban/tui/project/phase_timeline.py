"""A project's phase timeline: one row per phase, with a row of milestones under it
(◆ a deliverable reached, ↻ a pivot), from the first bar to today."""

from __future__ import annotations

from datetime import date, timedelta

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from mlkanban.domain.phases import PHASES
from mlkanban.history.weekly import TimelineBar

LABEL_WIDTH = 18

BAR = "$accent"
DELIVERED = "$success"
PIVOT = "$warning"


class PhaseTimeline(Widget):
    """Bars where some task of a phase was in progress; milestones are (day, mark) pairs."""

    DEFAULT_CSS = """
    PhaseTimeline { height: auto; min-height: 1; }
    """

    bars: reactive[tuple[TimelineBar, ...]] = reactive((), layout=True)

    def __init__(self, until: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.until = until
        self.milestones: tuple[tuple[date, str], ...] = ()

    def show(self, bars: list[TimelineBar], until: date,
             milestones: list[tuple[date, str]] | None = None) -> None:
        self.until = until
        self.milestones = tuple(milestones or ())
        self.bars = tuple(bars)
        self.refresh()

    def get_content_height(self, container, viewport, width: int) -> int:
        if not self.bars:
            return 1
        return len({bar.phase for bar in self.bars}) + 1 + bool(self.milestones)

    def render(self) -> Content:
        if not self.bars:
            return Content.styled("No work in progress recorded yet.", "$text-muted")
        first = min(bar.start for bar in self.bars)
        last = max(self.until, max(bar.end for bar in self.bars))
        span = (last - first).days + 1
        width = max(self.size.width - LABEL_WIDTH, 10)

        def column(day: date) -> int:
            return max(min((day - first).days * width // span, width - 1), 0)

        ticks = [" "] * width
        free_from = 0
        for offset in range(0, span, 7):  # a date every week, where it fits
            label = f"{first + timedelta(days=offset):%d %b}"
            col = column(first + timedelta(days=offset))
            if col >= free_from and col + len(label) <= width:
                ticks[col : col + len(label)] = label
                free_from = col + len(label) + 2
        rows = [Content.styled(" " * LABEL_WIDTH + "".join(ticks), "$text-muted")]
        for phase in PHASES:
            if not any(bar.phase == phase.value for bar in self.bars):
                continue
            cells = ["·"] * width
            for bar in self.bars:
                if bar.phase != phase.value:
                    continue
                a = column(bar.start)
                b = max(column(bar.end + timedelta(days=1)) - 1, a)
                for i in range(a, b + 1):
                    cells[i] = "█"
            line = "".join(cells)
            rows.append(Content.assemble(
                (f"{phase.title:<{LABEL_WIDTH - 1}} ", "bold"),
                *[(run, BAR if run[0] == "█" else "$text-muted") for run in _runs(line)],
            ))
        if self.milestones:
            cells = [" "] * width
            for day, mark in sorted(self.milestones):
                if first <= day <= last:
                    cells[column(day)] = mark
            rows.append(Content.assemble(
                (f"{'milestones':<{LABEL_WIDTH - 1}} ", "$text-muted"),
                *[(ch, DELIVERED if ch == "◆" else PIVOT if ch == "↻" else "") for ch in cells],
            ))
        return Content("\n").join(rows)


def _runs(text: str) -> list[str]:
    """``"██··█"`` → ``["██", "··", "█"]``."""
    runs: list[str] = []
    for ch in text:
        if runs and runs[-1][0] == ch:
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs
