"""The weekly report as GitHub-flavoured Markdown (with Mermaid charts) and as JSON.

Both render the same ``WeeklyReport`` model. Text typed by people (titles, reasons,
hypotheses, names) goes through ``inline`` so that it can neither break a table nor
inject markup or HTML; everything inside Mermaid blocks is generated (keys, phase
titles, dates, numbers), never user text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from mlkanban.domain.phases import Phase
from mlkanban.domain.text import plural, terminal_safe
from mlkanban.history.weekly import (
    Attention,
    PersonRow,
    ProjectSection,
    TaskRef,
    WaitingItem,
    WeeklyReport,
)

_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def inline(text: str | None) -> str:
    """User text made safe for one line of Markdown, in a paragraph or a table cell,
    and for a terminal the report is printed on (no control characters)."""
    if not text:
        return ""
    flat = " ".join(terminal_safe(text).split())
    flat = _SPECIAL.sub(r"\\\1", flat)
    return flat.translate(_HTML)


def _phase_title(value: str | None) -> str:
    if not value:
        return "-"
    try:
        return Phase(value).title
    except ValueError:
        return inline(value)


def _task(ref: TaskRef, *, phase: bool = False, age: bool = False) -> str:
    parts = [f"{ref.key} “{inline(ref.title)}”"]
    if phase:
        parts.append(f"({_phase_title(ref.phase)})")
    if age and ref.age_days is not None:
        estimate = f"/{ref.estimate}" if ref.estimate else ""
        parts.append(f"day {ref.age_days}{estimate}")
    return " ".join(parts)


def _wait(item: WaitingItem) -> str:
    test = f", A/B test {inline(item.ab_test)}" if item.ab_test else ""
    return f"{item.key} “{inline(item.title)}”: {inline(item.reason)} ({item.days}d{test})"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        cells = [cell if cell else "-" for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _join(items: Iterable[str]) -> str:
    return "; ".join(items)


# ---------------------------------------------------------------- sections


def _summary(report: WeeklyReport) -> list[str]:
    s = report.summary
    average = (f" (previous weeks: {s.average_done:g} a week on average)"
               if s.average_done is not None else "")
    back = f", {s.moved_back} of them back to an earlier phase" if s.moved_back else ""
    return [
        f"As of {report.as_of.astimezone():%Y-%m-%d %H:%M}.",
        "",
        f"**{s.done} done**{average}, {s.started} started, {s.moved} moved between "
        f"phases{back}; now {s.in_progress} in progress and {s.waiting} waiting.",
    ]


def _people(rows: list[PersonRow]) -> list[str]:
    lines = ["## People", ""]
    if not rows:
        return [*lines, "No active people.", ""]
    table = []
    for row in rows:
        name = inline(row.handle)
        if row.name and row.name != row.handle:
            name += f" ({inline(row.name)})"
        table.append([
            name,
            _join(_task(t) for t in row.in_progress),
            _join(_phase_title(t.phase) for t in row.in_progress),
            _join(f"{t.age_days}d" for t in row.in_progress if t.age_days is not None),
            _join(_task(t) for t in row.done),
            _join(_wait(w) for w in row.waiting),
            _join(inline(flag) for flag in row.flags),
        ])
    headers = ["person", "in progress", "phase", "age", "done this week", "waiting", "flags"]
    return [*lines, *_table(headers, table), ""]


def _attention(attention: Attention) -> list[str]:
    lines = ["## Attention", ""]
    if attention.empty:
        return [*lines, "Nothing needs attention.", ""]
    for item in attention.overrides:
        owner = f" ({inline(item.owner)})" if item.owner else ""
        lines.append(f"- **WIP override** {item.key} “{inline(item.title)}”{owner}: "
                     f"{inline(item.reason)}")
    for ref in attention.over_size:
        estimate = f"estimate {ref.estimate}" if ref.estimate else "no estimate"
        owner = f" ({inline(ref.owner)})" if ref.owner else ""
        lines.append(f"- **Over size** {_task(ref)}{owner}: day {ref.age_days}, {estimate}")
    for item in attention.stalled:
        lines.append(f"- **Stalled** {item.key} “{inline(item.name)}”: no event since "
                     f"{item.last_event} ({plural(item.days, 'working day')})")
    if attention.idle:
        lines.append("- **Nothing in progress**: " + ", ".join(inline(h) for h in attention.idle))
    for item in attention.long_waits:
        owner = f" ({inline(item.owner)})" if item.owner else ""
        lines.append(f"- **Long wait**{owner} {_wait(item)}")
    return [*lines, ""]


def _throughput_chart(report: WeeklyReport) -> list[str]:
    labels = ", ".join(f'"{w.week[-3:]}"' for w in report.throughput)
    values = ", ".join(str(w.done) for w in report.throughput)
    top = max([w.done for w in report.throughput] + [1])
    return [
        "```mermaid",
        "xychart-beta",
        '    title "Tasks done per week"',
        f"    x-axis [{labels}]",
        f'    y-axis "tasks done" 0 --> {top}',
        f"    bar [{values}]",
        "```",
    ]


def _flow(report: WeeklyReport) -> list[str]:
    lines = ["## Flow of work", "", *_throughput_chart(report), ""]
    days = [d for d in report.flow if report.start <= d.day <= report.end]
    if days:
        lines += ["Tasks per status at the end of each day:", ""]
        lines += _table(
            ["day", "to do", "in progress", "waiting", "done", "dropped"],
            ([f"{d.day:%a %d %b}", str(d.todo), str(d.in_progress), str(d.waiting),
              str(d.done), str(d.dropped)] for d in days),
        )
        lines.append("")
    return lines


def gantt(section: ProjectSection) -> list[str]:
    """A Mermaid gantt of a project's phases: when work happened, and the plan's length."""
    lines = ["```mermaid", "gantt", f"    title {section.key} phase timeline",
             "    dateFormat YYYY-MM-DD", "    axisFormat %d %b"]
    phases = sorted({bar.phase for bar in section.timeline}, key=lambda p: Phase(p).index)
    planned = {row.phase: row.planned_weeks for row in section.phases}
    for phase in phases:
        lines.append(f"    section {Phase(phase).title}")
        for bar in section.timeline:
            if bar.phase == phase:
                lines.append(f"    worked :done, {bar.start}, {bar.end + timedelta(days=1)}")
        for bar in section.plan:
            if bar.phase == phase:
                lines.append(f"    plan {planned[phase]:g}w :{bar.start}, "
                             f"{bar.end + timedelta(days=1)}")
    lines.append("```")
    return lines


def _project(section: ProjectSection) -> list[str]:
    lines = [f"### {section.key}: {inline(section.name)}", ""]
    facts = [f"**Status** {inline(section.status)}",
             f"**current phase** {_phase_title(section.current_phase)}"]
    if section.owner:
        facts.insert(1, f"**owner** {inline(section.owner)}")
    lines.append(" · ".join(facts))
    lines.append("")
    if section.hypothesis:
        lines.append(f"- **Hypothesis**: {inline(section.hypothesis)}")
    if section.metric:
        lines.append(f"- **Success metric**: {inline(section.metric)}")
    if section.outcome:
        why = f": {inline(section.outcome_why)}" if section.outcome_why else ""
        lines.append(f"- **Outcome**: {inline(section.outcome)}{why}")
    if section.stalled_days is not None:
        lines.append(f"- **Stalled**: no event since {section.last_event} "
                     f"({plural(section.stalled_days, 'working day')})")
    if lines[-1] != "":
        lines.append("")
    if section.phases:
        lines += _table(
            ["phase", "plan (weeks)", "spent (weeks)", "open", "done"],
            ([row.title,
              f"{row.planned_weeks:g}" if row.planned_weeks is not None else "-",
              f"{row.actual_weeks:g}", str(row.open), str(row.done)] for row in section.phases),
        )
        lines.append("")
    if section.timeline:
        lines += [*gantt(section), ""]
    week = []
    if section.done:
        week.append("- Done: " + _join(_task(t) for t in section.done))
    if section.started:
        week.append("- Started: " + _join(_task(t, phase=True) for t in section.started))
    for move in section.moved:
        back = " (back)" if move.back else ""
        week.append(f"- Moved {move.key} “{inline(move.title)}”: "
                    f"{_phase_title(move.from_phase)} → {_phase_title(move.to_phase)}{back}")
    for item in section.deliverables:
        link = f" ({inline(item.link)})" if item.link else ""
        week.append(f"- Delivered ({_phase_title(item.phase)}): {inline(item.title)}{link}")
    for pivot in section.pivots:
        week.append(f"- Pivot: {inline(pivot)}")
    if section.closed is not None:
        closed = section.closed
        why = f": {inline(closed.why)}" if closed.why else ""
        week.append(f"- Closed ({inline(closed.status)}) with a {inline(closed.outcome)} "
                    f"outcome{why}")
    lines += ["**This week**", "", *(week or ["- No change."]), ""]
    return lines


def render_markdown(report: WeeklyReport, *, charts: bool = True) -> str:
    """The whole report; ``charts=False`` leaves out the Mermaid blocks (for a terminal)."""
    lines = [f"# {report.title}", "", *_summary(report), "", *_people(report.people),
             *_attention(report.attention)]
    if charts:
        lines += _flow(report)
    lines += ["## Projects", ""]
    if not report.projects:
        lines += ["No active projects.", ""]
    for section in report.projects:
        block = _project(section)
        if not charts:
            block = _drop_mermaid(block)
        lines += block
    return "\n".join(lines).rstrip() + "\n"


def _drop_mermaid(lines: list[str]) -> list[str]:
    kept, inside = [], False
    for line in lines:
        if line == "```mermaid":
            inside = True
        elif inside and line == "```":
            inside = False
        elif not inside:
            kept.append(line)
    return kept


def render_json(report: WeeklyReport, *, indent: int | None = None) -> str:
    """One line of JSON by default (pipe it through ``jq`` to read it)."""
    return json.dumps(report.to_data(), ensure_ascii=False, indent=indent) + "\n"
