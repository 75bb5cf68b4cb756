"""Terminal charts of the weekly report (textual-plotext); they are given data, never a database."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from mlkanban.domain.phases import PHASES
from mlkanban.history.weekly import FlowDay, PhaseRow, WeekCount

FLOW_SERIES = (
    ("done", "done"),
    ("waiting", "waiting"),
    ("in_progress", "in progress"),
    ("todo", "to do"),
)


class FlowChart(PlotextPlot):
    """Cumulative flow: stacked lines of tasks per status at the end of each day."""

    def show(self, flow: list[FlowDay]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Cumulative flow (tasks per status)")
        if flow:
            xs = list(range(len(flow)))
            running = [0] * len(flow)
            series = []
            for attr, label in FLOW_SERIES:
                running = [r + getattr(day, attr) for r, day in zip(running, flow, strict=True)]
                series.append((label, running))
            for label, values in reversed(series):
                plt.plot(xs, values, label=label, marker="braille")
            ticks = xs[:: 7]
            plt.xticks(ticks, [f"{flow[i].day:%d %b}" for i in ticks])
            plt.yticks(whole_ticks(max(running)))
        self.refresh()


class ThroughputChart(PlotextPlot):
    """Tasks done per ISO week."""

    def show(self, weeks: list[WeekCount]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Tasks done per week")
        if weeks:
            plt.bar([w.week[-3:] for w in weeks], [w.done for w in weeks], width=0.6)
            plt.yticks(whole_ticks(max(w.done for w in weeks)))
        self.refresh()


class PhasePlanChart(PlotextPlot):
    """One project's weeks spent per phase, side by side with its plan."""

    def show(self, title: str, rows: list[PhaseRow]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        by_phase = {row.phase: row for row in rows}
        phases = [p for p in PHASES if p.value in by_phase]
        if phases:
            plt.multiple_bar(
                [p.info.short for p in phases],
                [[by_phase[p.value].planned_weeks or 0 for p in phases],
                 [by_phase[p.value].actual_weeks for p in phases]],
                labels=["plan (weeks)", "spent (weeks)"],
            )
        self.refresh()


def whole_ticks(top: int, most: int = 5) -> list[int]:
    """Tick values for a count axis: whole numbers from 0, at most ``most`` + 1 of them."""
    step = max(1, -(-top // most))
    return list(range(0, top + step, step))
