"""What every command shares: the lazily built service or reader, ``--at`` and output helpers.

Every command imports this module: what only some of them use (json, shutil) is imported
where it is used.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import click

from mlkanban.commands.context import EARLIEST, AppContext  # noqa: F401 - for the commands
from mlkanban.domain.text import json_safe, terminal_safe

pass_app = click.make_pass_decorator(AppContext, ensure=True)


def at_option(func: Callable) -> Callable:
    """``--at WHEN``: record something that happened earlier."""
    return click.option(
        "--at",
        "at",
        metavar="WHEN",
        help="When it happened, in local time: '2026-11-20 17:00', 'yesterday 5pm', '2h ago'.",
    )(func)


def json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")(
        func
    )


def echo(text: str, *, err: bool = False) -> None:
    """Print text for a person: anything stored in it (a title, a reason) cannot act on
    the terminal (``domain.text.terminal_safe``)."""
    click.echo(terminal_safe(text, multiline=True), err=err)


def report_change(change: Any) -> None:
    """Print what a change did, and any notice (such as a WIP override) on stderr."""
    echo(change.message)
    if getattr(change, "notice", ""):
        click.secho(terminal_safe(change.notice, multiline=True), fg="yellow", err=True)


def echo_json(data: Any) -> None:
    """JSON on stdout: indented for a person at a terminal, on one compact line for a
    pipe or a file (``jq`` reads both; one line is written several times faster, which
    shows on ten thousand tasks)."""
    import json

    if sys.stdout.isatty():
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    click.echo(json_safe(text))


def echo_json_items(batches: Iterable[list]) -> None:
    """A JSON array on stdout, written a batch of items at a time: the same text as
    ``echo_json`` of the whole list, in the memory of one batch. Each batch is encoded
    in one call (the fast C encoder) and its brackets cut off; JSON strings hold no
    raw newline, so the cut is exact."""
    import json

    if not sys.stdout.isatty():
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        echo_json_texts([encode(item) for item in batch] for batch in batches)
        return
    out = sys.stdout
    first = True
    for batch in batches:
        if not batch:
            continue
        inner = json.dumps(batch, ensure_ascii=False, indent=2)[2:-2]
        out.write(("[\n" if first else ",\n") + _safe(inner))
        first = False
    out.write("[]\n" if first else "\n]\n")
    out.flush()


def echo_json_texts(batches: Iterable[list[str]]) -> None:
    """A compact JSON array on stdout from the JSON text of each item, a batch at a
    time: what ``echo_json`` writes to a pipe for the list of those items."""
    out = sys.stdout
    first = True
    for batch in batches:
        if not batch:
            continue
        out.write("[" if first else ",")  # apart: a batch's text is not copied again
        out.write(_safe(",".join(batch)))
        first = False
    out.write("[]\n" if first else "]\n")
    out.flush()


def _safe(encoded: str) -> str:
    """``json_safe``, skipped for plain ASCII text, which it would leave as it is."""
    return encoded if encoded.isascii() and "\x7f" not in encoded else json_safe(encoded)


def terminal_width() -> int | None:
    """The width to fit tables to, or None when output goes to a file or a pipe."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def ellipsize(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None = None
) -> str:
    """A plain aligned table; the last column is cut to fit ``width`` when given.
    Cells are made terminal-safe on one line each.

    ``ls`` prints thousands of rows: a row whose text is all printable (nearly all)
    is checked in one call, and every line is laid out by one format string.
    """
    table = [_safe_cells(headers), *map(_safe_cells, rows)]
    widths = [max(map(len, column)) for column in zip(*table, strict=True)][:-1]
    line = "  ".join([*(f"{{:<{w}}}" for w in widths), "{}"])
    if width is None:
        return "\n".join([line.format(*row).rstrip() for row in table])
    room = width - (sum(widths) + 2 * len(widths))
    return "\n".join([line.format(*row[:-1], ellipsize(row[-1], room)).rstrip()
                      for row in table])


def _safe_cells(row: Sequence[str]) -> Sequence[str]:
    """``terminal_safe`` of each cell (on one line), for a row of text."""
    if "".join(row).isprintable():  # every cell printable: each is left as it is
        return row
    return [terminal_safe(cell) for cell in row]


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone().strftime(fmt) if moment else ""

