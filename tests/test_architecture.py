"""The layers below the TUI never import Textual, and plain commands stay light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mlkanban"


@pytest.mark.parametrize("layer", ["domain", "store", "history", "io"])
def test_layer_does_not_import_textual(layer):
    offenders = []
    for path in (PACKAGE / layer).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "textual" or n.startswith(("textual.", "textual_")) for n in names):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_domain_does_no_io():
    forbidden = {"sqlalchemy", "sqlmodel", "click", "textual", "os", "pathlib", "sqlite3"}
    for path in (PACKAGE / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert (module or "").split(".")[0] not in forbidden, (path.name, module)


def _modules_loaded_by(args: list[str], tmp_path) -> set[str]:
    code = (
        # the command through ``cli.main``: the program's own entry point ends the
        # process (``quick_exit``) before the modules could be looked at
        "import sys, json\n"
        "from mlkanban.cli import cli\n"
        f"sys.argv = ['mlkanban', '--db', {str(tmp_path / 'x.db')!r}, *{args!r}]\n"
        "try:\n"
        "    cli.main(prog_name='mlkanban')\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stderr.splitlines()[-1]))


@pytest.mark.parametrize("args", [["ls"], ["ls", "--json"], ["--help"]])
def test_plain_commands_do_not_import_textual_or_alembic(args, tmp_path):
    _modules_loaded_by(["person", "add", "alice"], tmp_path)  # the database exists already
    modules = _modules_loaded_by(args, tmp_path)
    assert "mlkanban.cli" in modules
    assert not any(m == "textual" or m.startswith("textual.") for m in modules)
    assert "alembic" not in modules
