"""The command line. ``mlkanban`` alone opens the board; every other command works
without the TUI and never imports Textual (it would cost a third of a second).
"""

from __future__ import annotations

import os
import sys

import click

from mlkanban import __version__
from mlkanban.commands import data, jira, people, projects, report, serve, tasks
from mlkanban.commands.common import AppContext
from mlkanban.domain.errors import BadInput, MlkanbanError
from mlkanban.domain.rules import SPLIT
from mlkanban.domain.text import terminal_safe

#: How the command line says each remedy a refusal names (``MlkanbanError.remedy``).
REMEDIES = {SPLIT: "mlkanban split KEY TITLE --estimate N"}

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


#: Environment variables read as arguments are.
ENVIRONMENT = ("MLKANBAN_DB", "MLKANBAN_USER", "MLKANBAN_CONFIG")


def check_arguments(args: list[str]) -> None:
    """Every argument and environment value is read here first, in one place: text the
    OS could not decode (it arrives as surrogates), a NUL, or a megabyte of it is bad
    input before any command sees it. A database URL is never repeated back: it may
    hold a password."""
    from mlkanban.store import validate

    values = [("an argument", arg) for arg in args]
    values += [(name, os.environ[name]) for name in ENVIRONMENT if os.environ.get(name)]
    for what, value in values:
        try:
            validate.argument(value, what)
        except MlkanbanError as exc:
            if "://" in value:
                raise BadInput(f"{what} (a database URL) is not valid UTF-8 text") from None
            raise exc


class MlkanbanGroup(click.Group):
    """A group whose errors are one line on stderr with the documented exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # the order they were added: the workflow's order

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
        except MlkanbanError as exc:
            click.echo(f"mlkanban: {terminal_safe(exc.worded(REMEDIES), multiline=True)}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()  # output piped into `head`: not an error
            sys.exit(0)
        except Exception as exc:
            from sqlalchemy.exc import SQLAlchemyError

            if isinstance(exc, SQLAlchemyError):
                original = getattr(exc, "orig", None) or exc
                first = str(original).strip().splitlines()[0] if str(original).strip() else ""
                click.echo(f"mlkanban: database error: {first}", err=True)
                sys.exit(2)
            raise
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
        data._open_board(app)


for module in (tasks, people, projects, data, jira, serve, report):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli.main(prog_name="mlkanban")
