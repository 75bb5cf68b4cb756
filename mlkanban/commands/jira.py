"""``mlkanban import-jira``: bring a team's Jira history onto the board."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from mlkanban.commands.common import AppContext, pass_app
from mlkanban.domain.errors import BadInput

#: Files smaller than this read in a blink; no progress bar for them.
PROGRESS_MIN_BYTES = 256 * 1024
MAX_NOTES = 20


@contextmanager
def _progress(size: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar while reading a large file, only when a person is watching."""
    if size < PROGRESS_MIN_BYTES or not sys.stdout.isatty():
        yield None
        return
    with click.progressbar(length=size, label="Reading issues") as bar:
        yield bar.update


def _no_database_yet(db: str) -> bool:
    return "://" not in db and not Path(db).expanduser().exists()


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise BadInput(f"cannot read {file}: {exc.strerror}") from None


@click.command("import-jira")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--phase-field", metavar="NAME",
              help="Custom field holding the phase ('Phase' reads 'Custom field (Phase)'; "
                   "used by default when the file has it). Else a label naming a phase.")
@click.option("--default-phase", metavar="PHASE",
              help="Phase for issues that name none (default: such issues are an error).")
@click.option("--map-status", "map_status", multiple=True, metavar='"JIRA STATUS=STATUS"',
              help="Take a Jira status as one of ours (todo, in_progress, waiting, done, "
                   "dropped). Repeatable.")
@click.option("--column", "columns", multiple=True, metavar='"FIELD=HEADER"',
              help="The file's name for a Jira field, for a language not read by itself: "
                   '--column "Issue key=Schlüssel". Repeatable.')
@click.option("--dry-run", is_flag=True, help="Only say what would be imported.")
@pass_app
def import_jira(app: AppContext, file, phase_field, default_phase, map_status, columns,
                dry_run) -> None:
    """Import issues from a Jira CSV export, all of them or none.

    FILE is Jira's "Export CSV (all fields)" (or current fields), in English, Spanish,
    French, German, Portuguese, Italian or Russian. Epics become projects, assignees
    people, other issues tasks that keep their Jira key, with their created and
    resolved times, labels and comments. Importing the same file twice adds nothing;
    a later export updates issues changed in Jira; files may come in any order.
    """
    from mlkanban.domain.phases import parse_phase
    from mlkanban.io.jira import read_jira_csv
    from mlkanban.io.jira_import import BoardState, plan_import, problems_message
    from mlkanban.io.jira_import import import_jira as run_import

    default = parse_phase(default_phase) if default_phase else None
    if phase_field is not None and not phase_field.strip():
        raise BadInput("--phase-field needs a field name, e.g. --phase-field Phase")
    statuses = {jira: _our_status(status) for jira, status in _pairs(map_status, "--map-status",
                                                                    "In QA=in_progress")}
    named = dict(_pairs(columns, "--column", "Issue key=Schlüssel"))
    name = "stdin" if file == "-" else file
    data = _read(file)
    with _progress(len(data)) as progress:
        jira = read_jira_csv(
            data, now=app.clock(), phase_field=phase_field, default_phase=default,
            name=name, progress=progress, status_map=statuses, columns=named,
        )
    if dry_run and _no_database_yet(app.db):
        plan = plan_import(jira, BoardState(), app.actor, app.clock())  # creates no file
        if plan.problems:
            raise BadInput(problems_message(name, plan.problems))
    else:
        plan, _ = run_import(app.service.engine, jira, actor=app.actor, name=name,
                             now=app.clock(), dry_run=dry_run)
    if dry_run:
        click.echo(f"Dry run of {name}: nothing was written.")
        click.echo(plan.summary("Would import"))
    else:
        click.echo(plan.summary("Imported"))
    for note in plan.notes[:MAX_NOTES]:
        click.echo(f"note: {note}", err=True)
    if len(plan.notes) > MAX_NOTES:
        click.echo(f"note: ... and {len(plan.notes) - MAX_NOTES} more", err=True)


def _pairs(values: tuple[str, ...], option: str, example: str) -> list[tuple[str, str]]:
    """``NAME=VALUE`` option values; the name may hold '=' (the last one splits)."""
    pairs = []
    for value in values:
        left, sep, right = value.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise BadInput(f"{option} {value!r}: expected NAME=VALUE, e.g. {option} \"{example}\"")
        pairs.append((" ".join(left.split()), right.strip()))
    return pairs


def _our_status(text: str):
    from mlkanban.domain.statuses import parse_status

    return parse_status(text)


COMMANDS = [import_jira]
