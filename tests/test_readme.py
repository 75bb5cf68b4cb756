"""The README's tour and ``mlkanban --help``'s examples are true as written.

Every ```console block of the README runs, in order, on one fresh database, as a new
user would type it, on a Monday afternoon: each ``$ mlkanban ...`` line must exit as
the README says (0, or the code of a ``# exit code N`` comment), and every output line
the README shows under it must be a line of what it prints, in that order. A
``$ export NAME=VALUE`` line sets the environment of the lines after it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlkanban.cli import EPILOG, cli
from mlkanban.commands.common import AppContext
from mlkanban.domain.clock import FixedClock
from tests.conftest import NOW

README = Path(__file__).resolve().parent.parent / "README.md"
#: A Monday afternoon: today and yesterday are both plain days of the week.
AFTERNOON = NOW.replace(hour=14, minute=30)
#: Commands that would open the board or a server instead of returning.
INTERACTIVE = {"demo", "serve"}
EXIT_CODE = re.compile(r"#\s*exit code (\d+)")


@dataclass
class Step:
    """One ``$`` line of a console block and the output shown under it."""

    line: int
    command: str
    shown: list[str] = field(default_factory=list)

    @property
    def expected_exit(self) -> int:
        found = EXIT_CODE.search(self.command)
        return int(found.group(1)) if found else 0

    @property
    def args(self) -> list[str]:
        """The words of the command, without its comment or what it is piped into."""
        words = shlex.split(self.command, comments=True)
        return words[: words.index("|")] if "|" in words else words


def console_steps(text: str) -> list[Step]:
    """Every ``$`` line of every ```console block, continuation lines joined."""
    steps: list[Step] = []
    in_block = False
    pending: Step | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_block = stripped == "```console"
            pending = None
            continue
        if not in_block:
            continue
        if pending is not None:  # the rest of a command ending in a backslash
            pending.command = pending.command[:-1] + " " + stripped
            if not stripped.endswith("\\"):
                pending = None
            continue
        if raw.startswith("$ "):
            steps.append(Step(number, raw[2:].rstrip()))
            if raw.rstrip().endswith("\\"):
                pending = steps[-1]
        elif stripped and steps:
            steps[-1].shown.append(raw.rstrip())
    return steps


def run_steps(steps: list[Step], workdir: Path, monkeypatch) -> list[str]:
    """Run the steps in order; return what went wrong, one line per step."""
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("MLKANBAN_DB", str(workdir / "board.db"))
    monkeypatch.setenv("COLUMNS", "200")
    clock = FixedClock(AFTERNOON)
    problems = []
    for step in steps:
        args = step.args
        if args and args[0] == "export":
            name, _, value = args[1].partition("=")
            monkeypatch.setenv(name, value)
            continue
        if not args or args[0] != "mlkanban" or (len(args) > 1 and args[1] in INTERACTIVE):
            continue
        clock.advance(seconds=20)  # people type one command after another
        result = CliRunner().invoke(cli, args[1:], obj=AppContext(clock=clock),
                                    catch_exceptions=False)
        streams = [[line.rstrip() for line in text.splitlines()]
                   for text in (result.stdout, result.stderr)]
        said = [line for stream in streams for line in stream]
        where = f"README line {step.line}: $ {step.command}"
        if result.exit_code != step.expected_exit:
            problems.append(f"{where}\n  exit {result.exit_code}, expected "
                            f"{step.expected_exit}: {result.stderr.strip()}")
            continue
        missing = _missing(step.shown, streams)
        if missing is not None:
            problems.append(f"{where}\n  the README shows {missing!r}; it printed:\n"
                            + "\n".join(f"    {line}" for line in said))
    return problems


def _missing(shown: list[str], streams: list[list[str]]) -> str | None:
    """The first shown line not printed after the ones before it on the same stream
    (stdout or stderr: a terminal interleaves them), or None."""
    positions = [0] * len(streams)
    for line in shown:
        for i, stream in enumerate(streams):
            if line in stream[positions[i]:]:
                positions[i] = stream.index(line, positions[i]) + 1
                break
        else:
            return line
    return None


def test_the_readme_has_a_tour_to_run():
    steps = console_steps(README.read_text(encoding="utf-8"))
    commands = [s for s in steps if s.args[:1] == ["mlkanban"]]
    assert len(commands) >= 20
    assert any(s.expected_exit == 1 for s in steps)  # the refusals are shown too
    assert any(s.shown for s in commands)


def test_every_readme_command_runs_as_written(tmp_path, monkeypatch):
    steps = console_steps(README.read_text(encoding="utf-8"))
    problems = run_steps(steps, tmp_path, monkeypatch)
    assert not problems, "\n".join(problems)


def test_the_help_examples_run_as_written(tmp_path, monkeypatch):
    """``mlkanban --help`` ends with examples; they run in order on a fresh board."""
    lines = [line.strip() for line in EPILOG.splitlines()
             if line.strip().startswith(("mlkanban ", "export "))]
    assert len(lines) >= 5
    problems = run_steps([Step(0, line) for line in lines], tmp_path, monkeypatch)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("block, expected", [
    ("```console\n$ mlkanban ls   # exit code 1: why\nout\n```\n",
     [("mlkanban ls   # exit code 1: why", ["out"], 1)]),
    ("```console\n$ mlkanban add \"a b\" \\\n      -p X\n```\n",
     [('mlkanban add "a b"  -p X', [], 0)]),
    ("```bash\n$ mlkanban ls\n```\n", []),
])
def test_console_blocks_are_read_as_a_person_reads_them(block, expected):
    steps = console_steps(block)
    assert [(s.command, s.shown, s.expected_exit) for s in steps] == expected
