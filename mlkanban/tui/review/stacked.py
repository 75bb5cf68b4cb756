"""Markdown tables as stacked entries, for a terminal too narrow for their columns.

At 80 columns the report's seven-column People table leaves each header a letter or
two ("a…", "do…"); a stacked entry per row keeps every word: the first cell as the
entry's heading, the other cells as "header: value" lines under it.
"""

from __future__ import annotations

import re

_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    """The cells of a table row, honouring escaped pipes (``\\|``)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def stack_tables(markdown: str) -> str:
    """``markdown`` with every table turned into a list of entries; the rest unchanged."""
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        is_table = (line.lstrip().startswith("|") and i + 1 < len(lines)
                    and _SEPARATOR.match(lines[i + 1].strip()) is not None)
        if not is_table:
            out.append(line)
            i += 1
            continue
        headers = _cells(line)
        i += 2
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            cells = _cells(lines[i])
            first, rest = cells[0], cells[1:]
            out.append(f"- **{first}**  ")
            for header, cell in zip(headers[1:], rest, strict=False):
                if cell and cell != "-":
                    out.append(f"  {header}: {cell}  ")
            i += 1
        out.append("")
    return "\n".join(out)
