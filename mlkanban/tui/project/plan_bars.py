"""Plan against actual per phase, as horizontal bars in the theme's colours."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from mlkanban.domain.phases import Phase
from mlkanban.tui.project.record import PhaseLine

LABEL_WIDTH = 20
TAG_WIDTH = 7
FIGURES_WIDTH = 30
MAX_BAR = 72
EIGHTHS = " ▏▎▍▌▋▊▉"

PLAN = "$primary"
SPENT = "$success"
OVER = "$error"
MUTED = "$text-muted"


def bar(cells: float) -> str:
    """A bar ``cells`` wide, to an eighth of a cell."""
    eighths = round(cells * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[rest] if rest else "")


def weeks(value: float) -> str:
    return f"{value:g}w"


class PlanBars(Widget):
    """Two bars per phase: the planned weeks, and the weeks spent (the part past the
    plan in the error colour). One scale for every phase, so bars compare."""

    DEFAULT_CSS = """
    PlanBars { height: auto; }
    """

    lines: reactive[tuple[PhaseLine, ...]] = reactive((), layout=True)
    current: reactive[Phase | None] = reactive(None)

    def show(self, lines: tuple[PhaseLine, ...], current: Phase | None) -> None:
        self.current = current
        self.lines = lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return 2 * len(self.lines) + 1 if self.lines else 1

    def render(self) -> Content:
        if not self.lines:
            return Content.styled("Loading…", MUTED)
        width = min(max(self.size.width - LABEL_WIDTH - TAG_WIDTH - FIGURES_WIDTH, 10), MAX_BAR)
        top = max([1.0] + [line.planned_weeks or 0 for line in self.lines]
                  + [line.spent_weeks for line in self.lines])
        scale = width / top
        rows = [Content.assemble(
            (" " * (LABEL_WIDTH + TAG_WIDTH), ""),
            ("█ plan", PLAN), ("  ", ""), ("█ spent", SPENT), ("  ", ""),
            ("█ past the plan", OVER),
        )]
        for line in self.lines:
            rows.append(self._plan_row(line, scale, width))
            rows.append(self._spent_row(line, scale, width))
        return Content("\n").join(rows)

    def _label(self, line: PhaseLine) -> Content:
        here = line.phase is self.current
        title = f"{'▶ ' if here else '  '}{line.phase.title}"
        return Content.styled(f"{title:<{LABEL_WIDTH}}", "bold" if here else "")

    def _plan_row(self, line: PhaseLine, scale: float, width: int) -> Content:
        if line.planned_weeks is None:
            drawn, figure = Content.styled("not planned", MUTED), ""
        else:
            drawn = Content.styled(bar(line.planned_weeks * scale), PLAN)
            figure = weeks(line.planned_weeks)
        tasks = f"{line.open} open, {line.done} done"
        return Content.assemble(
            self._label(line), Content.styled(f"{'plan':<{TAG_WIDTH}}", MUTED),
            drawn.pad_right(width - drawn.cell_length),
            (f" {figure:>6}  ", ""), (tasks, MUTED),
        )

    def _spent_row(self, line: PhaseLine, scale: float, width: int) -> Content:
        spent = bar(line.spent_weeks * scale)
        figure = weeks(line.spent_weeks)
        note: tuple[str, str] = ("", "")
        if line.over_plan:
            assert line.planned_weeks is not None
            cut = min(round(line.planned_weeks * scale), len(spent))
            drawn = Content.assemble((spent[:cut], SPENT), (spent[cut:], OVER))
            note = (f"+{line.spent_weeks - line.planned_weeks:.1f}w past plan", OVER)
        elif line.spent_weeks:
            drawn = Content.styled(spent, SPENT)
        else:
            drawn = Content.styled("·", MUTED)
        return Content.assemble(
            " " * LABEL_WIDTH, Content.styled(f"{'spent':<{TAG_WIDTH}}", MUTED),
            drawn.pad_right(width - drawn.cell_length),
            (f" {figure:>6}  ", ""), note,
        )
