"""How long plain commands take on a big board, against the floor of this stack.

The floor is ``python -c "import sqlmodel"``: every command pays for it. The target
(README) is ``mlkanban ls`` on 10,000 tasks and 100,000 events within 1.3x the floor.

    python benchmarks/bench_cli.py [--tasks 10000] [--events 100000] [--runs 21]
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import build_large_database  # noqa: E402


def timed(command: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run (CPU time suffers less from a busy machine)."""
    import resource

    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


@contextmanager
def large_board(**sizes: int) -> Iterator[tuple[Path, dict[str, str]]]:
    """A synthetic board in a temporary directory, and the environment that points at it."""
    # An installed package has its bytecode; a checkout may not have written it yet (or
    # may not be allowed to): compile it, so that runs time the commands, not the compiler.
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "mlkanban", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.db"
        started = time.perf_counter()
        counts = build_large_database(db, now=datetime.now(UTC), **sizes)
        print(f"built {counts} in {time.perf_counter() - started:.1f} s")
        yield db, {**os.environ, "MLKANBAN_DB": str(db), "MLKANBAN_CONFIG": os.devnull}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    with large_board(tasks=args.tasks, events=args.events) as (db, env):
        python = sys.executable
        cases = {
            FLOOR: [python, "-c", "import sqlmodel"],
            "mlkanban ls": [python, "-m", "mlkanban", "ls"],
            "mlkanban ls --all --json": [python, "-m", "mlkanban", "ls", "--all", "--json"],
            "mlkanban ls --owner (one lane)": [python, "-m", "mlkanban", "ls", "--owner",
                                               _first_handle(db)],
            "mlkanban show KEY": [python, "-m", "mlkanban", "show", _first_key(db)],
        }
        compare(cases, args.runs, env, warm=cases["mlkanban ls"])


FLOOR = 'python -c "import sqlmodel" (floor)'


def compare(cases: dict[str, list[str]], runs: int, env: dict[str, str], *,
            warm: list[str]) -> None:
    """Run the cases round robin (so that a busy moment hits every case) and print each
    one's median times, and its time against the floor's in the same round (the median
    of those ratios: a shared machine's busy spells slow a whole round, and cancel out)."""
    timed(warm, 2, env)  # warm the page cache
    walls: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, command in cases.items():
            wall, cpu = timed(command, 1, env)
            walls[name] += wall
            cpus[name] += cpu
    width = max(map(len, cases)) + 2
    print(f"\n{'command':<{width}} {'wall':>8} {'x floor':>8} {'cpu':>8} {'x floor':>8}")
    for name in cases:
        print(f"{name:<{width}} {statistics.median(walls[name]) * 1000:>6.0f}ms "
              f"{_ratio(walls[name], walls[FLOOR]):>7.2f}x "
              f"{statistics.median(cpus[name]) * 1000:>6.0f}ms "
              f"{_ratio(cpus[name], cpus[FLOOR]):>7.2f}x")


def _ratio(samples: list[float], floors: list[float]) -> float:
    return statistics.median(s / f for s, f in zip(samples, floors, strict=True))


def _first_handle(db: Path) -> str:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT handle FROM person ORDER BY id LIMIT 1").fetchone()[0]


def _first_key(db: Path) -> str:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT t.key FROM task t JOIN event e ON e.task_id = t.id GROUP BY t.id "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]


if __name__ == "__main__":
    main()
