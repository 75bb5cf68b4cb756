"""A project's phase timeline as text: one row per phase, one column per few days."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from mlkanban.domain.phases import PHASES, Phase
from mlkanban.history.weekly import TimelineBar

LABEL_WIDTH = 18


class PhaseTimeline(Widget):
    """Bars where some task of a phase was in progress, from the first bar to ``until``."""

    DEFAULT_CSS = """
    PhaseTimeline { height: auto; min-height: 3; }
    """

    bars: reactive[tuple[TimelineBar, ...]] = reactive((), layout=True)

    def __init__(self, until: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.until = until

    def show(self, bars: list[TimelineBar], until: date) -> None:
        self.until = until
        self.bars = tuple(bars)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len({bar.phase for bar in self.bars}) + 1 if self.bars else 1

    def render(self) -> Text:
        if not self.bars:
            return Text("No work in progress recorded yet.", style="dim")
        first = min(bar.start for bar in self.bars)
        last = max(self.until, max(bar.end for bar in self.bars))
        span = (last - first).days + 1
        width = max(self.size.width - LABEL_WIDTH, 10)

        def column(day: date) -> int:
            return min((day - first).days * width // span, width - 1)

        text = Text(" " * LABEL_WIDTH)
        ticks = [" "] * width
        free_from = 0
        for offset in range(0, span, 7):  # a date every week, where it fits
            label = f"{first + timedelta(days=offset):%d %b}"
            col = column(first + timedelta(days=offset))
            if col >= free_from and col + len(label) <= width:
                ticks[col : col + len(label)] = label
                free_from = col + len(label) + 2
        text.append("".join(ticks), style="dim")
        phases = [p for p in PHASES if any(bar.phase == p.value for bar in self.bars)]
        for phase in phases:
            text.append("\n")
            text.append(f"{phase.title:<{LABEL_WIDTH - 1}} ", style="bold")
            cells = ["·"] * width
            for bar in self.bars:
                if bar.phase != phase.value:
                    continue
                a = column(bar.start)
                b = max(column(bar.end + timedelta(days=1)) - 1, a)
                for i in range(a, b + 1):
                    cells[i] = "█"
            text.append("".join(cells), style=_STYLES.get(phase, ""))
        return text


_STYLES = {
    Phase.RESEARCH: "magenta",
    Phase.DATA_EXPLORATION: "cyan",
    Phase.MODELING: "blue",
    Phase.PRODUCTIZATION: "green",
    Phase.AB_TESTING: "yellow",
    Phase.RESULTS_ANALYSIS: "red",
}
