"""The weekly report as GitHub-flavoured Markdown (with Mermaid charts) and as JSON.

Both render the same ``WeeklyReport`` model. Text typed by people (titles, reasons,
hypotheses, names) is escaped for where it goes (``markdown_escape``: a table cell, a
list item or heading, link text), so that it can neither break a table nor inject
markup or HTML, and a URL in it stays a working link outside tables. The charts are
``mermaid``'s, and hold only generated text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

from mlkanban.domain.phases import Phase
from mlkanban.domain.text import plural
from mlkanban.history.weekly import (
    Attention,
    PersonRow,
    ProjectSection,
    TaskRef,
    WaitingItem,
    WeeklyReport,
)
from mlkanban.io import mermaid
from mlkanban.io.markdown_escape import cell, link, text

Escape = Callable[[str | None], str]


def _phase_title(value: str | None) -> str:
    if not value:
        return "-"
    try:
        return Phase(value).title
    except ValueError:
        return cell(value)


def _task(ref: TaskRef, esc: Escape = text, *, phase: bool = False, age: bool = False) -> str:
    parts = [f"{ref.key} “{esc(ref.title)}”"]
    if phase:
        parts.append(f"({_phase_title(ref.phase)})")
    if age and ref.age_days is not None:
        estimate = f"/{ref.estimate}" if ref.estimate else ""
        parts.append(f"day {ref.age_days}{estimate}")
    return " ".join(parts)


def _wait(item: WaitingItem, esc: Escape = text) -> str:
    test = f", A/B test {esc(item.ab_test)}" if item.ab_test else ""
    return f"{item.key} “{esc(item.title)}”: {esc(item.reason)} ({item.days}d{test})"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        cells = [value if value else "-" for value in row]
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
        name = cell(row.handle)
        if row.name and row.name != row.handle:
            name += f" ({cell(row.name)})"
        table.append([
            name,
            _join(_task(t, cell) for t in row.in_progress),
            _join(_phase_title(t.phase) for t in row.in_progress),
            _join(f"{t.age_days}d" for t in row.in_progress if t.age_days is not None),
            _join(_task(t, cell) for t in row.done),
            _join(_wait(w, cell) for w in row.waiting),
            _join(cell(flag) for flag in row.flags),
        ])
    headers = ["person", "in progress", "phase", "age", "done this week", "waiting", "flags"]
    return [*lines, *_table(headers, table), ""]


def _attention(attention: Attention) -> list[str]:
    lines = ["## Attention", ""]
    if attention.empty:
        return [*lines, "Nothing needs attention.", ""]
    for item in attention.overrides:
        owner = f" ({text(item.owner)})" if item.owner else ""
        lines.append(f"- **WIP override** {item.key} “{text(item.title)}”{owner}: "
                     f"{text(item.reason)}")
    for ref in attention.over_size:
        estimate = f"estimate {ref.estimate}" if ref.estimate else "no estimate"
        owner = f" ({text(ref.owner)})" if ref.owner else ""
        lines.append(f"- **Over size** {_task(ref)}{owner}: day {ref.age_days}, {estimate}")
    for item in attention.stalled:
        lines.append(f"- **Stalled** {item.key} “{text(item.name)}”: no event since "
                     f"{item.last_event} ({plural(item.days, 'working day')})")
    if attention.idle:
        lines.append("- **Nothing in progress**: " + ", ".join(text(h) for h in attention.idle))
    for item in attention.long_waits:
        owner = f" ({text(item.owner)})" if item.owner else ""
        lines.append(f"- **Long wait**{owner} {_wait(item)}")
    return [*lines, ""]


def _flow(report: WeeklyReport) -> list[str]:
    lines = ["## Flow of work", ""]
    if report.throughput:
        lines += [*mermaid.throughput(report), ""]
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


def _project(section: ProjectSection, report: WeeklyReport) -> list[str]:
    lines = [f"### {section.key}: {text(section.name)}", ""]
    facts = [f"**Status** {text(section.status)}",
             f"**current phase** {_phase_title(section.current_phase)}"]
    if section.owner:
        facts.insert(1, f"**owner** {text(section.owner)}")
    lines.append(" · ".join(facts))
    lines.append("")
    if section.hypothesis:
        lines.append(f"- **Hypothesis**: {text(section.hypothesis)}")
    if section.metric:
        lines.append(f"- **Success metric**: {text(section.metric)}")
    if section.outcome:
        why = f": {text(section.outcome_why)}" if section.outcome_why else ""
        lines.append(f"- **Outcome**: {text(section.outcome)}{why}")
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
        since = report.throughput[0].start if report.throughput else None
        lines += [*mermaid.gantt(section, report.as_of, since), ""]
    week = []
    if section.done:
        week.append("- Done: " + _join(_task(t) for t in section.done))
    if section.started:
        week.append("- Started: " + _join(_task(t, phase=True) for t in section.started))
    for move in section.moved:
        back = " (back)" if move.back else ""
        week.append(f"- Moved {move.key} “{text(move.title)}”: "
                    f"{_phase_title(move.from_phase)} → {_phase_title(move.to_phase)}{back}")
    for item in section.deliverables:
        week.append(f"- Delivered ({_phase_title(item.phase)}): {link(item.title, item.link)}")
    for pivot in section.pivots:
        week.append(f"- Pivot: {text(pivot)}")
    for comment in getattr(section, "comments", []):
        said = comment.text if len(comment.text) <= 300 else comment.text[:299] + "…"
        week.append(f"- Comment on {comment.task} “{text(comment.title)}” by "
                    f"{text(comment.author)}: {text(said)}")
    if section.closed is not None:
        closed = section.closed
        why = f": {text(closed.why)}" if closed.why else ""
        week.append(f"- Closed ({text(closed.status)}) with a {text(closed.outcome)} "
                    f"outcome{why}")
    lines += ["**This week**", "", *(week or ["- No change."]), ""]
    return lines


def render_markdown(report: WeeklyReport, *, charts: bool = True) -> str:
    """The whole report; ``charts=False`` leaves out the Mermaid blocks (for a terminal)."""
    note = getattr(report, "note", None)
    if note:  # nothing to tell (a period before the board's first event)
        return f"# {report.title}\n\n{text(note)}\n"
    lines = [f"# {report.title}", "", *_summary(report), "", *_people(report.people),
             *_attention(report.attention)]
    if charts:
        lines += _flow(report)
    lines += ["## Projects", ""]
    if charts and any(section.timeline for section in report.projects):
        lines += [mermaid.LEGEND, ""]
    if not report.projects:
        lines += ["No active projects.", ""]
    for section in report.projects:
        block = _project(section, report)
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
