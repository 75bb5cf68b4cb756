"""The report's Mermaid charts: a phase gantt per project, and tasks done per week.

Everything inside a chart is generated (keys, phase titles, dates, numbers), never text
people typed. The charts keep to what GitHub's and GitLab's Mermaid (10.7 and later)
draw: front matter (``displayMode``, ``config``), ``tickInterval``, ``weekday``, milestones and
``xychart-beta`` with two bar series.

Three choices make a gantt read right wherever it is opened:

- **No "today" line.** Mermaid's ``todayMarker`` is the reader's date, not the
  report's: a week read a month later would show a line a month after its end. It is
  off; a diamond in an "as of" row marks the report's moment instead.
- **Ticks that never collide.** Mermaid's default ticks restart with each month, so
  "31 Oct" and "01 Nov" land on top of each other. The interval (a day, a week, two
  weeks, a month, a quarter...) and the label format are chosen from the chart's span so
  that the labels fit; the year is in them when the chart spans two years.
- **One row per phase for the work.** Worked stretches of a phase that touch (or are
  apart by a weekend only) are merged, and compact mode draws a phase's stretches on
  one row; the planned length goes on a second row when it overlaps them. A bar is
  labelled only when its label fits inside it (beside it, it would overlap the next
  bar on the row); the report says once what the bars are (``LEGEND``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from mlkanban.domain.clock import as_utc
from mlkanban.domain.phases import Phase
from mlkanban.history.weekly import ProjectSection, TimelineBar, WeeklyReport

#: The width Mermaid lays a chart out in, less its side paddings, in pixels (its
#: default page is 800 wide, less 120 and 75); labels are sized against it, at 6 px a character (the
#: axis draws them in a 10-11 px sans-serif, about 5.2 px a character), 10 px apart.
PLOT_WIDTH = 600
#: Room on the left for the phases' names ("Data Exploration" is wider than Mermaid's
#: default 75 px, and would run into the first bar).
LEFT_PADDING = 120
_CHAR = 6.0
_LABEL_GAP = 10

#: Tick intervals from the finest: (Mermaid interval, days apart, format, format with
#: the year). d3 counts weeks and months from fixed origins, so the ticks of "2week" or
#: "3month" are evenly spaced and never restart at a month's start as "2day" would.
_TICKS = (
    ("1day", 1, "%a %d", "%d %b %Y"),
    ("1week", 7, "%d %b", "%d %b %Y"),
    ("2week", 14, "%d %b", "%d %b %Y"),
    ("1month", 30.4, "%b", "%b %Y"),
    ("3month", 91.3, "%b", "%b %Y"),
    ("6month", 182.6, "%b %Y", "%b %Y"),
    ("12month", 365.25, "%Y", "%Y"),
)
#: A name that draws nothing: a bar whose label would not fit gets it, because a label
#: drawn beside its bar would overlap the next bar on the row.
NO_LABEL = "\u200b"


LEGEND = ("In each project's chart, a phase's first row shows when it was worked (grey), "
          "the bar below it its planned length from when its work began, and the diamond "
          "the moment this report describes.")


def axis(start: date, end: date) -> tuple[str, str]:
    """The tick interval and label format for a chart from ``start`` to ``end``."""
    days = max((end - start).days, 1)
    two_years = start.year != end.year
    for interval, step, plain, with_year in _TICKS:
        if interval == "1day" and days > 14:
            continue
        fmt = with_year if two_years else plain
        sample = datetime(2026, 12, 28).strftime(fmt)
        ticks = days / step + 1
        if ticks * (len(sample) * _CHAR + _LABEL_GAP) <= PLOT_WIDTH:
            return interval, fmt
    return _TICKS[-1][0], _TICKS[-1][3]


def merge(bars: list[TimelineBar]) -> list[TimelineBar]:
    """A phase's worked stretches with those that touch, overlap or are apart by a
    weekend only made one (the bars' ends are included)."""
    merged: list[TimelineBar] = []
    for bar in sorted(bars, key=lambda b: b.start):
        last = merged[-1] if merged else None
        if last is not None and _joined(last.end, bar.start):
            merged[-1] = TimelineBar(last.phase, last.start, max(last.end, bar.end))
        else:
            merged.append(TimelineBar(bar.phase, bar.start, bar.end))
    return merged


def _joined(end: date, start: date) -> bool:
    gap = end + timedelta(days=1)
    while gap < start:
        if gap.weekday() < 5:
            return False
        gap += timedelta(days=1)
    return True


def _label(text: str, days: int, span: int) -> str:
    """``text`` when it fits inside a bar of ``days`` on a chart of ``span`` days."""
    width = days / max(span, 1) * PLOT_WIDTH
    return text if len(text) * _CHAR + 8 <= width else NO_LABEL


def gantt(section: ProjectSection, as_of: datetime, since: date | None = None) -> list[str]:
    """A project's phases: when work happened (one row per phase), the plan's length,
    and the report's moment.

    The chart covers the report's chart weeks (from ``since``). A plan bar starts when
    its phase's work first began; one that began before ``since`` is left out, as it
    would stretch the chart over the whole history (the phase table still compares
    plan and time spent).
    """
    moment = as_of.astimezone()
    day = moment.date()
    worked: dict[str, list[TimelineBar]] = {}
    for bar in section.timeline:
        worked.setdefault(bar.phase, []).append(bar)
    plan = [bar for bar in section.plan if since is None or bar.start >= since]
    phases = sorted({*worked, *(bar.phase for bar in plan)}, key=lambda p: Phase(p).index)
    bars = [*section.timeline, *plan]
    start = min([b.start for b in bars] + [day])
    end = max([b.end + timedelta(days=1) for b in bars] + [day + timedelta(days=1)])
    span = (end - start).days
    interval, fmt = axis(start, end)
    planned = {row.phase: row.planned_weeks for row in section.phases}
    lines = ["```mermaid", "---", "displayMode: compact", "config:", "  gantt:",
             f"    leftPadding: {LEFT_PADDING}", "---", "gantt",
             f"    title {section.key} phase timeline", "    dateFormat YYYY-MM-DD",
             f"    axisFormat {fmt}", f"    tickInterval {interval}", "    weekday monday",
             "    todayMarker off"]
    for phase in phases:
        lines.append(f"    section {Phase(phase).title}")
        # worked first: at equal starts, compact mode puts the first declared on top
        for bar in merge(worked.get(phase, [])):
            days = (bar.end - bar.start).days + 1
            lines.append(f"    {_label('worked', days, span)} :done, {bar.start}, "
                         f"{bar.end + timedelta(days=1)}")
        for bar in plan:
            if bar.phase == phase:
                days = (bar.end - bar.start).days + 1
                weeks = f"{planned.get(phase) or 0:g}w"
                label = _label(f"plan {weeks}", days, span)
                if label == NO_LABEL:
                    label = _label(weeks, days, span)
                lines.append(f"    {label} :{bar.start}, {bar.end + timedelta(days=1)}")
    # a milestone is drawn halfway through its length: twice the minutes since
    # midnight puts it at the report's moment
    minutes = moment.hour * 60 + moment.minute + (1 if moment.second or moment.microsecond
                                                  else 0)
    # (a ":" would end the label: the hour shows in where the diamond sits)
    shown = f"end of {moment:%a %d %b}" if minutes == 24 * 60 else f"{moment:%a %d %b}"
    lines += ["    section As of", f"    {shown} :milestone, {day}, {2 * minutes}m", "```"]
    return lines


def week_end(monday: date) -> datetime:
    """The last instant of the ISO week that starts on ``monday``, local time."""
    return as_utc(datetime.combine(monday + timedelta(days=7), time())) - timedelta(
        microseconds=1)


def throughput(report: WeeklyReport) -> list[str]:
    """Tasks done per week. The week the report's moment falls inside, before its end,
    is starred and said to be "so far" in the title; the finished weeks are drawn over
    in the second colour, so that the unfinished one stands apart in the first."""
    weeks = report.throughput
    labels = [w.week[-3:] for w in weeks]
    values = [w.done for w in weeks]
    current = bool(weeks) and report.as_of < week_end(weeks[-1].start)
    top = max([*values, 1])
    title = "Tasks done per week"
    if current:  # a short mark: twelve labels share the axis
        labels[-1] += "*"
        title += f" ({labels[-1]}: so far, up to {report.as_of.astimezone():%a %d %b %H:%M})"
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{title}"',
        "    x-axis [" + ", ".join(f'"{label}"' for label in labels) + "]",
        f'    y-axis "tasks done" 0 --> {top}',
        "    bar [" + ", ".join(map(str, values)) + "]",
    ]
    if current:  # drawn over the first: the finished weeks in the second colour
        lines.append("    bar [" + ", ".join(map(str, [*values[:-1], 0])) + "]")
    return [*lines, "```"]
