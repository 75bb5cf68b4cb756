"""How fast the board paints first, against a bare Textual app, headless and in a terminal.

First paint is the time from starting the process to the first frame that shows the
board's first lane header (for the floors: their one label). It is measured two ways:

- headless: the real command (``python -m mlkanban``) with ``App.run`` made headless by
  ``first_paint.py``, which searches every composed frame for the marker (the search's
  own time is subtracted);
- in a terminal: the command is started in a new tmux session of 200x50 and the screen
  is read with ``tmux capture-pane`` every few milliseconds until the marker appears.

Floors: a bare Textual app showing one label, and the same app after ``import
sqlmodel``. Every case runs once per round, in turn, both ways; the tables give the
median of each round's time over the floor's in the same round, with its range, and the
board's peak resident memory (at the first paint, and after the work it started).

Then, at the largest size: words typed into the filter (``/``) letter by letter, each
keystroke from the key event to the end of the frame in which the board has been drawn
again (``--keys`` keystrokes; the first letter of a word searches every card, the
next ones narrow it down; see ``first_paint.FILTER_WORDS``).

    python benchmarks/bench_board.py [--sizes 1k 10k 100k] [--rounds 7] [--quick]
"""

from __future__ import annotations

import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HERE, PYTHON, Run  # noqa: E402

FLOOR_MARKER = "mlkanban floor"  # floor_app.py's label
BOARD_MARKER = "Alice Martin"  # the first lane's header on every synthetic board
WIDTH, HEIGHT = 200, 50
BARE, SQLMODEL = "bare Textual, one label", "bare Textual + `import sqlmodel`"


@dataclass
class Case:
    args: list[str]  # after ``python``
    marker: str
    env: dict[str, str]


def headless(case: Case, folder: Path) -> Run:
    """Spawn to the first frame showing the marker, headless."""
    out = folder / "first-paint.txt"
    out.unlink(missing_ok=True)
    command = [PYTHON, str(HERE / "first_paint.py"), case.marker, str(out),
               "--size", f"{WIDTH}x{HEIGHT}", "--", *case.args]
    started = time.perf_counter()
    subprocess.run(command, env=case.env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=600, start_new_session=True)
    values = dict(line.split() for line in out.read_text().splitlines())
    seconds = float(values["painted"]) - started - float(values["checks"])
    return Run(seconds, int(values["rss_peak"]))


class Terminal:
    """A tmux server of our own (its own socket, no user config), for real terminals."""

    def __init__(self) -> None:
        self.socket = f"mlkanban-bench-{os.getpid()}"
        self.tmux("start-server", ";", "set-option", "-g", "exit-empty", "off")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", os.devnull, *args],
                              check=True, capture_output=True, text=True).stdout

    def first_paint(self, case: Case, *, poll: float = 0.005, limit: float = 600) -> Run:
        """Start the command in a new 200x50 session; seconds until the marker shows."""
        env = [f"-e{name}={case.env[name]}" for name in
               ("MLKANBAN_DB", "MLKANBAN_CONFIG", "MLKANBAN_USER") if name in case.env]
        command = "exec " + shlex.join([PYTHON, *case.args])
        started = time.perf_counter()
        pid = int(self.tmux("new-session", "-d", "-s", "run", "-x", str(WIDTH), "-y",
                            str(HEIGHT), "-P", "-F", "#{pane_pid}", *env, command))
        try:
            while case.marker not in self.tmux("capture-pane", "-p", "-t", "run"):
                if time.perf_counter() - started > limit:
                    raise SystemExit(f"{case.marker!r} never showed in the terminal")
                time.sleep(poll)
            seconds = time.perf_counter() - started
        finally:
            self.tmux("kill-session", "-t", "run")
            _wait_gone(pid)
        return Run(seconds, 0)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], check=False,
                       capture_output=True)


def _wait_gone(pid: int, limit: float = 10) -> None:
    """The next run starts once this one's process has really gone."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)


def cases(sizes: list[str], cache: Path | None) -> dict[str, Case]:
    plain = {**os.environ, "MLKANBAN_CONFIG": os.devnull}
    floor = str(HERE / "floor_app.py")
    found = {BARE: Case([floor], FLOOR_MARKER, plain),
             SQLMODEL: Case([floor, "--sqlmodel"], FLOOR_MARKER, plain)}
    for size in sizes:
        db = harness.board(size, cache, log=harness.say)
        tasks, events, _ = harness.SIZES[size]
        found[f"board, {tasks:,} tasks / {events:,} events"] = Case(
            ["-m", "mlkanban"], BOARD_MARKER, harness.environment(db))
    return found


def launch_tables(samples: dict[str, dict[str, harness.Samples]]) -> str:
    parts = []
    for way, by_case in samples.items():
        rows = []
        for name, case in by_case.items():
            row = [name, harness.ms(case.seconds), harness.ratio_cell(case, by_case[BARE]),
                   harness.ratio_cell(case, by_case[SQLMODEL])]
            if way == "headless":
                row.append(harness.mib(case.peak_kib))
            rows.append(row)
        header = [f"first paint, {way}", "median", "× bare Textual (min–max)",
                  "× + sqlmodel (min–max)"] + (["peak RSS"] if way == "headless" else [])
        parts.append(harness.table(header, rows))
    return "\n\n".join(parts)


def filter_keystrokes(case: Case, keys: int, folder: Path) -> list[float]:
    """Milliseconds per filter keystroke, measured inside a headless board process."""
    out = folder / "keys.txt"
    out.unlink(missing_ok=True)
    subprocess.run([PYTHON, str(HERE / "first_paint.py"), case.marker, str(out), "--size",
                    f"{WIDTH}x{HEIGHT}", "--keys", str(keys), "--", *case.args],
                   env=case.env, check=True, start_new_session=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)
    values = dict(line.split(maxsplit=1) for line in out.read_text().splitlines())
    return [float(x) for x in values["filter_ms"].split()]


def main() -> None:
    parser = harness.parser(__doc__)
    parser.add_argument("--keys", type=int, default=29,
                        help="filter keystrokes timed at the largest size (default 29; 0: none)")
    parser.add_argument("--no-terminal", action="store_true",
                        help="headless only (no tmux)")
    args = harness.settle(parser.parse_args())
    if args.quick:
        args.keys = min(args.keys, 9)
    terminal_ok = not args.no_terminal and shutil.which("tmux") is not None
    harness.compile_package()
    all_cases = cases(args.sizes, args.cache)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        terminal = Terminal() if terminal_ok else None
        try:
            measures: dict[str, Callable[[], Run]] = {}
            for name, case in all_cases.items():
                measures[f"headless|{name}"] = lambda case=case: headless(case, folder)
                if terminal is not None:
                    measures[f"terminal|{name}"] = lambda case=case: terminal.first_paint(case)
            results = harness.round_robin(measures, args.rounds, log=harness.say)
        finally:
            if terminal is not None:
                terminal.close()
        samples: dict[str, dict[str, harness.Samples]] = {}
        for key, value in results.items():
            way, name = key.split("|")
            label = "headless" if way == "headless" else f"tmux {WIDTH}×{HEIGHT}"
            samples.setdefault(label, {})[name] = value
        largest = list(all_cases)[-1]
        keystrokes = filter_keystrokes(all_cases[largest], args.keys, folder) if args.keys else []

    print(f"Machine: {harness.machine()}; {args.rounds} rounds.\n")
    print(launch_tables(samples))
    if keystrokes:
        print()
        print(keystroke_table(largest, keystrokes))


def keystroke_table(name: str, keystrokes: list[float]) -> str:
    """Every keystroke, and the first letters of words alone (they search every card)."""
    from first_paint import FILTER_WORDS

    firsts = [ms for ms, (_, index) in zip(
        keystrokes, [(w, i) for w in FILTER_WORDS for i in range(len(w))], strict=False)
        if index == 0]
    rows = []
    for label, values in (("every keystroke", keystrokes), ("first letter of a word", firsts)):
        if values:
            rows.append([f"{name}: {label}", f"{statistics.median(values):.0f} ms",
                         f"{min(values):.0f} ms", f"{max(values):.0f} ms", str(len(values))])
    return harness.table(["filter keystroke", "median", "min", "max", "keys"], rows)


if __name__ == "__main__":
    main()
