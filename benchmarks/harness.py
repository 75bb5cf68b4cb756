"""What every benchmark here shares: boards cached by size, whole-process timing with
peak memory, round robin over the cases, per-round ratios, and Markdown tables.

The runner stays a small stdlib process: boards are built by ``synthetic.py`` in a child
process, so that a child's peak memory is its own (a child inherits its parent's
high-water mark across ``fork``; GNU ``time`` measures it exactly when it is installed).

Every measured process starts in a session of its own, as a program started in a new
terminal (or a tmux pane) does: where the kernel groups processes by session for
scheduling (autogroup), it then gets the same share of a busy machine whatever runs in
the session that started it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable

#: Board sizes: tasks, events, open tasks (the rest are done or dropped).
SIZES: dict[str, tuple[int, int, int]] = {
    "1k": (1_000, 10_000, 300),
    "10k": (10_000, 100_000, 1_000),
    "100k": (100_000, 1_000_000, 10_000),
}
QUICK_SIZES = ("1k",)
ACTOR = "alice"  # the first person of every synthetic board


def parser(description: str, *, rounds: int = 7) -> argparse.ArgumentParser:
    """The options every benchmark script takes."""
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES),
                   help="board sizes (default: all)")
    p.add_argument("--rounds", type=int, default=rounds,
                   help=f"rounds of every case in turn (default {rounds})")
    p.add_argument("--quick", action="store_true",
                   help=f"sizes {', '.join(QUICK_SIZES)} and 3 rounds: about a minute")
    p.add_argument("--cache", type=Path, default=None,
                   help="where built boards are kept (default: a folder in the temp dir)")
    return p


def settle(args: argparse.Namespace) -> argparse.Namespace:
    """Apply ``--quick``."""
    if args.quick:
        args.sizes = [s for s in args.sizes if s in QUICK_SIZES] or list(QUICK_SIZES)
        args.rounds = min(args.rounds, 3)
    return args


# ---------------------------------------------------------------------------- boards


def cache_dir(cache: Path | None = None) -> Path:
    path = cache or Path(tempfile.gettempdir()) / "mlkanban-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fingerprint() -> str:
    """Boards are rebuilt when the builder or the schema changes, and every day (a board
    is built relative to today: this week's report must see this week's work)."""
    digest = hashlib.sha256((HERE / "synthetic.py").read_bytes())
    versions = ROOT / "mlkanban" / "store" / "migrations" / "versions"
    for name in sorted(os.listdir(versions)):
        if name.endswith(".py"):
            digest.update(name.encode())
    digest.update(datetime.now(UTC).date().isoformat().encode())
    return digest.hexdigest()[:12]


def board(size: str | tuple[int, int, int], cache: Path | None = None, *,
          log: Callable[[str], None] = print) -> Path:
    """The synthetic board of ``size`` (a key of ``SIZES`` or tasks, events, open tasks),
    built once and kept. Benchmarks that write work on a copy."""
    tasks, events, open_tasks = SIZES[size] if isinstance(size, str) else size
    path = cache_dir(cache) / f"board-{tasks}-{events}-{open_tasks}-{_fingerprint()}.db"
    if path.exists():
        return path
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    started = time.perf_counter()
    subprocess.run([PYTHON, str(HERE / "synthetic.py"), str(partial), "--tasks", str(tasks),
                    "--events", str(events), "--open", str(open_tasks)],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    partial.rename(path)
    log(f"built a board of {tasks:,} tasks and {events:,} events in "
        f"{time.perf_counter() - started:.0f} s")
    return path


def working_copy(path: Path, folder: Path) -> Path:
    """A copy of a cached board that a benchmark may write to."""
    copy = folder / path.name
    shutil.copyfile(path, copy)
    return copy


def environment(db: Path, **extra: str) -> dict[str, str]:
    """The environment of a command run against ``db``, with no user config, and the
    report's kept sums in a folder beside the boards rather than the user's cache."""
    return {**os.environ, "MLKANBAN_DB": str(db), "MLKANBAN_CONFIG": os.devnull,
            "MLKANBAN_USER": ACTOR, "MLKANBAN_CACHE_DIR": str(db.parent / "kept-sums"),
            **extra}


def compile_package() -> None:
    """A checkout may not have its bytecode yet: compile it, so that runs time the
    commands, not the compiler."""
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "mlkanban"), str(HERE)],
                   check=False, stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------------------- processes

TIME = "/usr/bin/time"


@dataclass
class Run:
    seconds: float
    peak_kib: int
    output: str = ""


def run(command: list[str], env: dict[str, str], *, capture: bool = False) -> Run:
    """Wall-clock seconds of a whole process, start to exit, and its peak resident memory
    (its output goes to /dev/null unless ``capture``)."""
    gnu_time = os.access(TIME, os.X_OK)
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as report:
        prefix = [TIME, "-f", "%M", "-o", report.name] if gnu_time else []
        started = time.perf_counter()
        process = subprocess.Popen(prefix + command, env=env, stderr=err,
                                   stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                   start_new_session=True)
        out = process.stdout.read() if process.stdout else b""
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): "
                             f"{err.read().decode(errors='replace')[-600:]}")
        words = report.read().split() if gnu_time else []
        peak = int(words[-1]) if words and words[-1].isdigit() else usage.ru_maxrss
    return Run(seconds, peak, out.decode(errors="replace"))


# ---------------------------------------------------------------------------- statistics


@dataclass
class Samples:
    """One case's measurements, one per round."""

    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)


def round_robin(cases: dict[str, Callable[[], Run]], rounds: int, *,
                warm: bool = True, log: Callable[[str], None] = print) -> dict[str, Samples]:
    """Every case once per round, in turn, so that a busy spell of a shared machine
    slows a whole round and cancels out of the round's ratios."""
    samples = {name: Samples() for name in cases}
    if warm:
        for measure in cases.values():  # page cache and bytecode
            measure()
    for index in range(rounds):
        for name, measure in cases.items():
            result = measure()
            samples[name].seconds.append(result.seconds)
            samples[name].peak_kib.append(result.peak_kib)
        log(f"round {index + 1}/{rounds} done")
    return samples


def ratios(case: Samples, floor: Samples) -> list[float]:
    return [s / f for s, f in zip(case.seconds, floor.seconds, strict=True)]


def ratio_cell(case: Samples, floor: Samples) -> str:
    """The median of per-round ratios to the floor, and their range."""
    r = ratios(case, floor)
    return f"{statistics.median(r):.2f}× ({min(r):.2f}–{max(r):.2f})"


def ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms"


def mib(kib: list[int]) -> str:
    return f"{max(kib) / 1024:.0f} MB" if kib and max(kib) else "–"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, ready for the README."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """One line on where and under what load the figures were taken."""
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return (f"{os.cpu_count()} cores, load average {load}, Python "
            f"{sys.version.split()[0]}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


def say(text: str) -> None:
    """Progress goes to stderr; the tables go to stdout."""
    print(text, file=sys.stderr, flush=True)
