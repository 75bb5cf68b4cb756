"""The command line. ``mlkanban`` alone opens the board; every other command works
without the TUI and never imports Textual (it would cost a third of a second).
"""

from __future__ import annotations

import os
import sys

import click

from mlkanban import __version__
from mlkanban.commands import tasks
from mlkanban.commands.common import AppContext
from mlkanban.domain.errors import MlkanbanError
from mlkanban.domain.text import terminal_safe
from mlkanban.launch import (  # noqa: F401 - also the command line's, as they were
    DATABASE_ERRORS,
    ENVIRONMENT,
    check_arguments,
    database_error,
    quick_exit,
    remedies,
    said_error,
)

#: Commands whose module is imported only when one of them is asked for (run, listed by
#: ``--help``, or walked through ``commands``): ``ls`` and the other task commands, run
#: many times a day, import none of them (``serve``: sockets, hashes, compression;
#: ``data``: locale, the export's machinery). By name, in the order ``--help`` lists
#: them, after the task commands.
LAZY_COMMANDS = {
    "person": "people",
    "project": "projects",
    "export": "data", "import": "data", "demo": "data", "info": "data",
    "import-jira": "jira",
    "serve": "serve",
    "report": "report",
}

EPILOG = """\b
Examples:
  export MLKANBAN_USER=alice    # who you are (default: your OS user name)
  mlkanban person add alice --name "Alice Martin"
  mlkanban project add CHURN "Churn prediction" --plan research=1 --plan modeling=3
  mlkanban add "Train LightGBM baseline" -p CHURN --phase modeling -o alice -e 3
  mlkanban start CHURN-1
  mlkanban add "Audit label leakage" -p CHURN --phase eda -o alice -e 1 --at "yesterday 9:00"
  mlkanban done CHURN-2 --at "yesterday 17:00"
  mlkanban ls --owner alice

Exit codes: 0 success, 1 refused by a rule (WIP, size), 2 bad input.
"""


GLOBAL_OPTIONS = ("--db", "--as")


def hoist_global_options(args: list[str]) -> list[str]:
    """Let ``--db`` and ``--as`` come anywhere (``mlkanban start X-1 --as bob``)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and rest:
            if "=" in arg:
                front.append(arg)
            else:
                front.extend(args[i : i + 2])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def pipe_closed() -> None:
    """Output piped into ``head`` that stopped reading: not an error (exit 0). What is
    still buffered goes nowhere, else the flush at exit fails again (Python's advice)."""
    from contextlib import suppress

    with suppress(OSError, ValueError):  # no file behind stdout (a test's capture)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.stderr.close()
    sys.exit(0)


class MlkanbanGroup(click.Group):
    """A group whose errors are one line on stderr with the documented exit codes."""

    @property
    def commands(self) -> dict[str, click.Command]:
        """Every command, the lazy ones imported: what a caller walking them expects."""
        for name in LAZY_COMMANDS:
            self._load(name)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self._commands[name] = cmd  # not through ``commands``: that imports the lazy ones

    def _load(self, name: str) -> None:
        """Import the module of a lazy command, and add its commands."""
        if name in self._commands:
            return
        import importlib

        module = importlib.import_module(f"mlkanban.commands.{LAZY_COMMANDS[name]}")
        for command in module.COMMANDS:
            self._commands[command.name] = command

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            self._load(cmd_name)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # the order they were added, then the lazy ones: the workflow's order
        return [*(name for name in self._commands if name not in LAZY_COMMANDS),
                *LAZY_COMMANDS]

    def invoke(self, ctx: click.Context):
        # Here, not in ``main``: click turns a broken pipe into exit 1 before ``main``
        # sees it, and long outputs (``ls --json``, ``export``) are written as they go.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            pipe_closed()

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = hoist_global_options(list(sys.argv[1:] if args is None else args))
        try:
            check_arguments(args)
        except MlkanbanError as exc:
            click.echo(f"mlkanban: {terminal_safe(exc.message)}", err=True)
            sys.exit(exc.exit_code)
        try:
            code = super().main(
                args, prog_name or "mlkanban", complete_var, standalone_mode=False, **extra
            )
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(130)
        except click.UsageError as exc:
            hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx else ""
            # click suggests a command for a typo itself ("Did you mean 'start'?")
            click.echo(f"mlkanban: {terminal_safe(exc.format_message())}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"mlkanban: {terminal_safe(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            pipe_closed()
        except Exception as exc:  # a refusal or a database's error: one line
            code = said_error(exc)
            if code is None:
                raise
            sys.exit(code)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=MlkanbanGroup, invoke_without_command=True, epilog=EPILOG)
@click.option("--db", metavar="PATH_OR_URL", envvar="MLKANBAN_DB", show_envvar=True,
              help="SQLite file or database URL (postgresql+psycopg://...).")
@click.option("--as", "actor", metavar="HANDLE", envvar="MLKANBAN_USER", show_envvar=True,
              help="Who is acting (default: the OS user name).")
@click.version_option(__version__, prog_name="mlkanban")
@click.pass_context
def cli(ctx: click.Context, db: str | None, actor: str | None) -> None:
    """A Kanban board for ML teams: six phase columns, one swimlane per person,
    one task in progress each, no task over 5 working days.

    Run without a command to open the board.
    """
    app = ctx.ensure_object(AppContext)
    app.db_flag = db or app.db_flag
    app.actor_flag = actor or app.actor_flag
    if ctx.invoked_subcommand is None:
        from mlkanban.commands.data import _open_board

        _open_board(app)


for command in tasks.COMMANDS:
    cli.add_command(command)


def main() -> None:
    """The ``mlkanban`` program: the command, then a quick exit (``quick_exit``)."""
    try:
        cli.main(prog_name="mlkanban")
    except SystemExit as exc:
        quick_exit(exc.code)
    quick_exit(0)
