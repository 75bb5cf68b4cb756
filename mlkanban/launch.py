"""How the ``mlkanban`` program starts: ``mlkanban`` alone opens the board at once, and
anything else goes to the command line (``cli``).

The board is what people open many times a day, and its first paint is what they wait
for: it needs neither click nor the commands' modules (a twentieth of a second to
import), so with nothing but ``--db`` and ``--as`` the board is opened from here. What
both ways share, reading the arguments and ending the process, lives here too.
"""

from __future__ import annotations

import os
import sys

from mlkanban.domain.errors import BadInput, MlkanbanError
from mlkanban.domain.text import terminal_safe

#: Options that may come with the board (``--db PATH``, ``--as HANDLE``, or ``=``).
BOARD_OPTIONS = {"--db": "db", "--as": "actor"}


def main() -> None:
    """The ``mlkanban`` program."""
    options = board_options(sys.argv[1:])
    if options is None:
        from mlkanban.cli import main as command_line

        command_line()
        return
    try:
        open_board_now(**options)
    except SystemExit as exc:
        quick_exit(exc.code)
    quick_exit(0)


def board_options(args: list[str]) -> dict[str, str | None] | None:
    """``--db`` and ``--as`` when they are all there is (the board), else None: a
    command, ``--help``, anything unusual goes to the command line, which says what
    is wrong with it."""
    options: dict[str, str | None] = {"db": None, "actor": None}
    i = 0
    while i < len(args):
        name, equals, value = args[i].partition("=")
        if name not in BOARD_OPTIONS:
            return None
        if not equals:
            if i + 1 == len(args) or args[i + 1].startswith("-"):
                return None
            i += 1
            value = args[i]
        options[BOARD_OPTIONS[name]] = value or None
        i += 1
    return options


def open_board_now(db: str | None, actor: str | None) -> None:
    """The board, with the command line's way of saying what went wrong (``said_error``)."""
    from mlkanban.commands.context import AppContext

    try:
        check_arguments([value for value in (db, actor) if value is not None])
        app = AppContext(db=db or None, actor=actor or None)
        open_board(app)
    except Exception as exc:
        code = said_error(exc)
        if code is None:
            raise
        sys.exit(code)


def said_error(exc: Exception) -> int | None:
    """Say a refusal or a database's error on one line of stderr, as every command
    does, and give its exit code; None for anything else (a bug, left to show)."""
    if isinstance(exc, MlkanbanError):
        message = exc.worded(remedies())
        code = exc.exit_code
    else:
        message = database_error(exc)
        if message is None:
            return None
        message, code = f"database error: {message}", 2
    print(f"mlkanban: {terminal_safe(message, multiline=True)}", file=sys.stderr)
    return code


def open_board(app) -> None:
    """The board paints from a reader (no SQLAlchemy to import); the service that
    writes is built after the first paint, in the background."""
    from mlkanban.domain.workdays import WorkCalendar
    from mlkanban.store.reader import Reader
    from mlkanban.store.sql import open_database
    from mlkanban.tui.workspace import Workspace

    db, actor = app.db, app.actor
    # Creates the file of a new board and migrates an old one, as the service would.
    reader = Reader(open_database(db), clock=app.clock,
                    calendar=WorkCalendar(app.settings.holidays))

    def open_service():
        from mlkanban.store.engine import make_engine
        from mlkanban.store.service import Service

        return Service(make_engine(db), actor=actor, clock=reader.clock,
                       calendar=reader.calendar, migrate=False)

    workspace = Workspace(reader, actor=actor, open_service=open_service)
    workspace.start_reading()  # the database works while Textual is imported
    from mlkanban.tui.app import run_board

    run_board(workspace, app.settings)


#: The first class in an exception's ancestry that makes it a database's error: the
#: drivers' own (reads go straight to them) and SQLAlchemy's (writes). Named, not
#: imported: checking an error must not import SQLAlchemy or psycopg.
DATABASE_ERRORS = {("sqlite3", "Error"), ("psycopg", "Error"), ("sqlalchemy", "SQLAlchemyError")}


def remedies() -> dict:
    """How the command line says each remedy a refusal names (``MlkanbanError.remedy``)."""
    from mlkanban.domain.rules import SPLIT

    return {SPLIT: "mlkanban split KEY TITLE --estimate N"}


def database_error(exc: BaseException) -> str | None:
    """The first line of what a database said, when ``exc`` is a database's error
    (a locked or corrupt file, a refused connection), else None."""
    names = {(kind.__module__.partition(".")[0], kind.__name__) for kind in type(exc).__mro__}
    if not names & DATABASE_ERRORS:
        return None
    original = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__


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


def quick_exit(code: int | str | None) -> None:
    """End the process as soon as a command's work is done and said.

    Python's own exit takes every imported module apart, object by object: for a short
    command that is a tenth of a second, as long as some of the work. Everything that
    matters is done by then (changes committed, output written), so once the output is
    flushed and the connections are closed the process ends at once. With other threads
    still running (a board's worker), the ordinary exit waits for them as it should.
    """
    import threading

    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    code = code or 0
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)  # a closed pipe or stream: let the ordinary exit deal with it
    from mlkanban.store.sql import close_all

    close_all()
    engines = sys.modules.get("mlkanban.store.engine")
    if engines is not None:
        engines.dispose_all()
    os._exit(code)
