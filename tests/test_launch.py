"""``mlkanban`` alone opens the board without the command line's machinery (``launch``);
everything else still goes through the command line, and errors read the same."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlkanban.launch import board_options


@pytest.mark.parametrize(("args", "expected"), [
    ([], {"db": None, "actor": None}),
    (["--db", "b.db"], {"db": "b.db", "actor": None}),
    (["--as", "bob", "--db=postgresql+psycopg://u@h/db"],
     {"db": "postgresql+psycopg://u@h/db", "actor": "bob"}),
    (["--db="], {"db": None, "actor": None}),
    (["--db", "a.db", "--db", "b.db"], {"db": "b.db", "actor": None}),  # as click: the last
])
def test_the_board_options(args, expected):
    assert board_options(args) == expected


@pytest.mark.parametrize("args", [
    ["ls"], ["--db", "b.db", "ls"], ["--db"], ["--db", "--as", "bob"], ["--help"],
    ["--version"], ["-h"], ["demo"], ["--as", "bob", "extra"], ["--"],
])
def test_anything_else_goes_to_the_command_line(args):
    assert board_options(args) is None


def _run(*code: str, args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "\n".join(code), *args],
                          capture_output=True, text=True, timeout=60)


def test_the_board_opens_without_click_or_the_commands(tmp_path):
    """What the board is opened with, seen where it would start to run."""
    db = tmp_path / "board.db"
    shown = _run(
        "import sys",
        "import mlkanban.tui.app as app",
        "def run_board(workspace, settings):",
        "    heavy = sorted(m for m in sys.modules if m == 'click'",
        "                   or m.startswith(('mlkanban.commands.', 'mlkanban.cli')))",
        "    print(workspace.actor, heavy, workspace.read_board().people)",
        "app.run_board = run_board",
        "from mlkanban.launch import main",
        "main()",
        args=("--db", str(db), "--as", "bob"))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "bob ['mlkanban.commands.context'] ()\n"
    assert db.exists()  # the board makes its file, as before


def test_errors_on_the_way_to_the_board_are_one_line(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    for args, message in [
        (("--db", str(garbage)), "mlkanban: cannot open the database: file is not a database\n"),
        (("--db", str(tmp_path / "b.db"), "--as", "Bad Handle!"),
         "mlkanban: invalid handle 'Bad Handle!' (--as): use 1-40 lower-case letters, "
         "digits, '.', '_' or '-'\n"),
    ]:
        result = _run("from mlkanban.launch import main", "main()", args=args)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
