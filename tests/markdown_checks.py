"""Checks that a Markdown report is well-formed, shared by report and CLI tests."""

from __future__ import annotations

import re
from datetime import date

from markdown_it import MarkdownIt

_CELL_SPLIT = re.compile(r"(?<!\\)\|")
#: Compact mode (a phase's stretches on one row), and room for the phases' names.
GANTT_FRONT_MATTER = "---\ndisplayMode: compact\nconfig:\n  gantt:\n    leftPadding: 120\n---\n"
_GANTT_BAR = re.compile(
    r"^    (worked|plan [\d.]+w|[\d.]+w|\u200b) :(done, )?(\d{4}-\d{2}-\d{2}), (\d{4}-\d{2}-\d{2})$"
)
_GANTT_MILESTONE = re.compile(
    r"^    (end of )?[A-Z][a-z]{2} \d{2} [A-Z][a-z]{2} :milestone, (\d{4}-\d{2}-\d{2}), (\d+)m$"
)
_GANTT_HEADER = re.compile(r"^    (title [A-Z0-9]+ phase timeline|dateFormat YYYY-MM-DD|"
                           r"axisFormat %[a-zA-Z]( %[a-zA-Z]){0,2}|"
                           r"tickInterval (1day|1week|2week|1month|3month|6month|12month)|"
                           r"weekday monday|todayMarker off|section [A-Za-z/ ]+)$")


def parser() -> MarkdownIt:
    """GitHub-flavoured enough: CommonMark with tables and strikethrough."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def gfm(text: str) -> str:
    """HTML as GitHub renders it (cmark-gfm, with its autolinker), raw HTML let through
    so that a test sees any that the Markdown lets in."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def check_gfm_tables(html: str) -> int:
    """Assert every table GitHub would draw has as many cells in each row as headers."""
    tables = html.split("<table>")[1:]
    for table in tables:
        body = table.split("</table>")[0]
        width = len(re.findall(r"<th[ >]", body.split("</thead>")[0]))
        for row in body.split("<tbody>")[1].split("<tr>")[1:] if "<tbody>" in body else []:
            assert len(re.findall(r"<td[ >]", row)) == width, row
    return len(tables)


def cells(line: str) -> list[str]:
    inner = line.strip()
    assert inner.startswith("|") and inner.endswith("|") and not inner.endswith("\\|"), line
    return _CELL_SPLIT.split(inner[1:-1])


def check_report(text: str) -> dict:
    """Assert the report is well-formed; return what was found, for further checks."""
    md = parser()
    tokens = md.parse(text)
    lines = text.splitlines()
    found = {"headings": [], "tables": 0, "mermaid": [], "code_inline": 0}
    for i, token in enumerate(tokens):
        assert token.type not in ("html_block", "html_inline"), token
        if token.type == "heading_open":
            found["headings"].append((token.tag, tokens[i + 1].content))
        if token.type == "inline":
            for child in token.children or []:
                assert child.type != "html_inline", child
                if child.type == "code_inline":
                    found["code_inline"] += 1
        if token.type == "table_open":
            found["tables"] += 1
            start, end = token.map
            rows = lines[start:end]
            width = len(cells(rows[0]))
            assert re.fullmatch(r"\|(---\|)+", rows[1]), rows[1]
            assert len(cells(rows[1])) == width
            for row in rows[2:]:
                assert len(cells(row)) == width, (rows[0], row)
            j, headers = i, 0
            while tokens[j].type != "thead_close":
                headers += tokens[j].type == "th_open"
                j += 1
            assert headers == width
        if token.type == "fence":
            assert token.info == "mermaid", token.info
            found["mermaid"].append(token.content)
            check_mermaid(token.content)
    html = md.render(text)
    assert "<script" not in html
    github = gfm(text)
    assert "<script" not in github and check_gfm_tables(github) == found["tables"]
    return found


def check_mermaid(content: str) -> dict:
    """Assert a chart is one the report makes; return its parts for further checks."""
    lines = content.rstrip("\n").split("\n")
    if content.startswith(GANTT_FRONT_MATTER):
        lines = lines[GANTT_FRONT_MATTER.count("\n"):]
    kind = lines[0]
    assert kind in ("gantt", "xychart-beta"), kind
    if kind == "gantt":
        assert content.startswith(GANTT_FRONT_MATTER + "gantt\n"), content
        assert lines[1].startswith("    title ")
        assert "    todayMarker off" in lines  # the reader's date is not the report's
        bars, milestones, sections = [], [], []
        for line in lines[1:]:
            if line.startswith("    section "):
                sections.append(line[len("    section "):])
            if _GANTT_HEADER.match(line):
                continue
            milestone = _GANTT_MILESTONE.match(line)
            if milestone:
                assert 0 < int(milestone.group(3)) <= 2 * 24 * 60, line
                milestones.append(date.fromisoformat(milestone.group(2)))
                continue
            match = _GANTT_BAR.match(line)
            assert match, line
            start, end = date.fromisoformat(match.group(3)), date.fromisoformat(match.group(4))
            assert start < end, line
            bars.append((match.group(1), bool(match.group(2)), start, end))
        assert bars and len(milestones) == 1 and sections[-1] == "As of"
        assert len(sections) == len(set(sections))  # one section per phase
        return {"kind": kind, "bars": bars, "as_of": milestones[0], "sections": sections}
    body = "\n".join(lines[1:])
    labels = re.search(r"^    x-axis \[(.*)\]$", body, re.M)
    series = re.findall(r"^    bar \[(.*)\]$", body, re.M)
    assert labels and series and re.search(r'^    title ".*"$', body, re.M)
    assert re.search(r'^    y-axis "[^"]+" 0 --> \d+$', body, re.M)
    names = re.findall(r'"([^"]*)"', labels.group(1))
    values = [[int(v) for v in bar.split(", ")] for bar in series]
    assert all(len(names) == len(v) > 0 for v in values) and len(values) <= 2
    return {"kind": kind, "labels": names, "series": values}
