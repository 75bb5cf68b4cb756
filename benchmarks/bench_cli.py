"""How long the command line takes, against a stdlib-sqlite3 script doing the same work.

Each command runs as a whole process, as a user runs it, on synthetic boards of each
size: ``ls``, ``ls --all --json``, ``show KEY``, two writes (``wait KEY`` then ``start
KEY``, on a copy of the board) and this week's ``report``. Beside each, the same
command of ``plain_sqlite.py`` (the query it needs and the same table, through Python's
sqlite3 module and nothing else) and ``python -c "import sqlmodel"``. Every case runs
once per round, in turn; the table gives medians, the median of each round's ratio with
its range, and peak resident memory.

    python benchmarks/bench_cli.py [--sizes 1k 10k 100k] [--rounds 7] [--quick]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HERE, PYTHON  # noqa: E402

FLOOR = '`python -c "import sqlmodel"`'
WAIT, START = "wait KEY (a write)", "start KEY (a write)"


def mlkanban() -> list[str]:
    """The installed command when there is one (as users run it), else the module."""
    script = Path(PYTHON).parent / "mlkanban"
    return [str(script)] if script.exists() else [PYTHON, "-m", "mlkanban"]


def commands(db: Path) -> tuple[dict[str, list[str]], str]:
    """The command lines to compare, by name, minus the program; and who writes."""
    key, writer = _write_target(db)
    return {
        "ls": ["ls"],
        "ls --all --json": ["ls", "--all", "--json"],
        "show KEY": ["show", _busiest_key(db)],
        WAIT: ["wait", key, "--reason", "Waiting for code review"],
        START: ["start", key],
        "report (this week)": ["report"],
    }, writer


def plain(args: list[str]) -> list[str]:
    """The plain_sqlite.py command line for an mlkanban one."""
    if args[0] == "wait":
        return [args[0], args[1], args[3]]
    return args


def measure_size(size: str, rounds: int, cache: Path | None, folder: Path) -> list[list[str]]:
    db = harness.working_copy(harness.board(size, cache, log=harness.say), folder)
    named, writer = commands(db)
    env = harness.environment(db, MLKANBAN_USER=writer)
    cases = {FLOOR: [PYTHON, "-c", "import sqlmodel"]}
    for group in (["ls", "ls --all --json", "show KEY"], [WAIT, START], ["report (this week)"]):
        # a program's wait is followed by its own start, so each finds the task as it expects
        for program in ("mlkanban", "sqlite3"):
            for name in group:
                args = named[name]
                cases[f"{program} {name}"] = [*mlkanban(), *args] if program == "mlkanban" \
                    else [PYTHON, str(HERE / "plain_sqlite.py"), str(db), *plain(args)]
    measures = {name: (lambda command=command: harness.run(command, env))
                for name, command in cases.items()}
    samples = harness.round_robin(measures, rounds, log=harness.say)
    floor = samples[FLOOR]
    tasks, events, _ = harness.SIZES[size]
    rows = [[f"{tasks:,} / {events:,}", FLOOR, harness.ms(floor.seconds), "", "",
             harness.mib(floor.peak_kib), ""]]
    for name in named:
        ours, theirs = samples[f"mlkanban {name}"], samples[f"sqlite3 {name}"]
        rows.append(["", f"`{name}`", harness.ms(ours.seconds),
                     f"{harness.ms(theirs.seconds)}, {harness.mib(theirs.peak_kib)}",
                     harness.ratio_cell(ours, theirs), harness.mib(ours.peak_kib),
                     harness.ratio_cell(ours, floor)])
    return rows


def _busiest_key(db: Path) -> str:
    """The task with the longest history."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT t.key FROM task t JOIN event e ON e.task_id = t.id GROUP BY t.id "
            "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def _write_target(db: Path) -> tuple[str, str]:
    """A task in progress whose owner has nothing else going (so it can start again once
    it has waited), and that owner."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT t.key, p.handle FROM task t JOIN person p ON p.id = t.owner_id "
            "WHERE t.status = 'in_progress' AND (SELECT count(*) FROM task o WHERE "
            "o.owner_id = t.owner_id AND o.status = 'in_progress') = 1 "
            "ORDER BY t.id LIMIT 1").fetchone()


def main() -> None:
    args = harness.settle(harness.parser(__doc__).parse_args())
    harness.compile_package()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rows += measure_size(size, args.rounds, args.cache, Path(tmp))
    print(f"Machine: {harness.machine()}; {args.rounds} rounds.\n")
    print(harness.table(["tasks / events", "command", "median", "sqlite3 script, RSS",
                         "× sqlite3 (min–max)", "peak RSS", "× import sqlmodel (min–max)"],
                        rows))


if __name__ == "__main__":
    main()
