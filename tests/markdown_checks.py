"""Checks that a Markdown report is well-formed, shared by report and CLI tests."""

from __future__ import annotations

import re
from datetime import date

from markdown_it import MarkdownIt

_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_GANTT_BAR = re.compile(r"^    [A-Za-z0-9 .]+ :(done, )?(\d{4}-\d{2}-\d{2}), (\d{4}-\d{2}-\d{2})$")
_GANTT_HEADER = re.compile(r"^    (title [A-Z0-9]+ phase timeline|dateFormat YYYY-MM-DD|"
                           r"axisFormat %d %b|section [A-Za-z/ ]+)$")


def parser() -> MarkdownIt:
    """GitHub-flavoured enough: CommonMark with tables and strikethrough."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


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
    return found


def check_mermaid(content: str) -> None:
    lines = content.rstrip("\n").split("\n")
    kind = lines[0]
    assert kind in ("gantt", "xychart-beta"), kind
    if kind == "gantt":
        assert lines[1].startswith("    title ")
        bars = 0
        for line in lines[1:]:
            if _GANTT_HEADER.match(line):
                continue
            match = _GANTT_BAR.match(line)
            assert match, line
            assert date.fromisoformat(match.group(2)) < date.fromisoformat(match.group(3)), line
            bars += 1
        assert bars > 0
    else:
        body = "\n".join(lines[1:])
        labels = re.search(r"^    x-axis \[(.*)\]$", body, re.M)
        bars = re.search(r"^    bar \[(.*)\]$", body, re.M)
        assert labels and bars and re.search(r'^    title ".*"$', body, re.M)
        assert re.search(r'^    y-axis "[^"]+" 0 --> \d+$', body, re.M)
        names = re.findall(r'"([^"]*)"', labels.group(1))
        values = [int(v) for v in bars.group(1).split(", ")]
        assert len(names) == len(values) > 0
