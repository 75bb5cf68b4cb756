"""Data commands: export, import, demo, and where everything lives."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from mlkanban.commands.common import AppContext, echo, pass_app
from mlkanban.domain.errors import BadInput


@contextmanager
def _output(path: str | None):
    """Write to a file atomically (via a temporary name), or to stdout."""
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise BadInput(f"{target} is a directory")
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            yield out
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BadInput(f"cannot write {target}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class _ShownWriter:
    """An export written to a terminal: JSON with terminal controls escaped (the same
    values), CSV with them shown as pictures; a file or a pipe gets the exact text."""

    def __init__(self, out, fmt: str) -> None:
        from mlkanban.domain.text import json_safe, terminal_safe

        self._out = out
        self._safe = json_safe if fmt == "jsonl" else (
            lambda text: terminal_safe(text, multiline=True))

    def write(self, text: str) -> int:
        return self._out.write(self._safe(text))


@click.command("export")
@click.option("--format", "-f", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="jsonl: everything, for import; csv: the event history.")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
@pass_app
def export(app: AppContext, fmt, output) -> None:
    """Export the full history (people, projects, tasks and every event)."""
    service = app.reader
    with service.read() as conn, _output(output) as target:
        out = _ShownWriter(target, fmt) if target is sys.stdout and target.isatty() else target
        if fmt == "csv":
            from mlkanban.io.csv_export import write_csv

            count = write_csv(conn, out)
            noun = "events"
        else:
            from mlkanban.io.jsonl import write_jsonl

            count = write_jsonl(conn, out, service.now())
            noun = "records"
    if output and output != "-":
        echo(f"Exported {count} {noun} to {output}", err=True)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@pass_app
def import_(app: AppContext, file) -> None:
    """Restore or merge an export (FILE.jsonl). Importing twice changes nothing."""
    from mlkanban.io.jsonl import read_jsonl
    from mlkanban.io.restore import restore

    if file == "-":
        bundle = read_jsonl(sys.stdin, "stdin")
    else:
        try:
            with open(file, encoding="utf-8") as lines:
                bundle = read_jsonl(lines, file)
        except OSError as exc:
            raise BadInput(f"cannot read {file}: {exc.strerror}") from None
    result = restore(app.service.engine, bundle)
    echo(result.summary())


@click.command("demo")
@click.option("--no-open", is_flag=True,
              help="Only (re)create the demo database and print its path.")
@pass_app
def demo(app: AppContext, no_open) -> None:
    """Open the board on a realistic demo team (a fresh database each time)."""
    import os

    from mlkanban.demo import DEMO_ACTOR, create_demo_database, demo_db_path

    path = Path(app.db_flag) if app.db_flag and "://" not in app.db_flag else demo_db_path()
    create_demo_database(path, now=app.clock())
    if no_open:
        echo(str(path))
        return
    app.db_flag = str(path)
    if not app.actor_flag and not os.environ.get("MLKANBAN_USER"):
        app.actor_flag = DEMO_ACTOR
    _open_board(app)


@click.command("info")
@pass_app
def info(app: AppContext) -> None:
    """Show where the database and config live, and what the database holds."""
    from mlkanban.config import config_path, data_dir

    echo(f"database  {shown_database(app.db)}")
    echo(f"config    {config_path()}")
    echo(f"data dir  {data_dir()}")
    echo(f"acting as {app.actor}")
    counts = app.reader.counts()
    echo("contents  " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


def shown_database(db: str) -> str:
    """The database for people to read: a URL's password is never printed. Everything
    from the password to the last ``@`` is masked (a password may hold an ``@``), with
    no URL parser to import for it."""
    if "://" not in db:
        return db
    import re

    return re.sub(r"(://[^/@:]*:).*@", r"\1***@", db, count=1)


def _open_board(app: AppContext) -> None:
    from mlkanban.launch import open_board

    open_board(app)


COMMANDS = [export, import_, demo, info]
