"""How fast the board opens and reacts on a big database, against the floor of its stack.

Launch: whole-process time from starting Python to the first painted board (headless,
with an auto-pilot that quits as soon as the board has loaded), for boards of 0, 1,000
and 10,000 tasks; wall clock, and CPU time, which a busy machine disturbs less. The
floor is a bare Textual app that imports sqlmodel and paints one label: every board pays
for that. Target: within 1.5x the floor at 10,000 tasks.

Reaction: key press to repainted board, in process, at 10,000 tasks (target: a median
within 50 ms). Memory: the peak resident size of the 10,000-task launch.

    python benchmarks/bench_board.py [--runs 7] [--presses 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FLOOR_APP = """
import sqlmodel
from textual.app import App
from textual.widgets import Label

class Floor(App):
    def compose(self):
        yield Label("mlkanban")

async def auto_pilot(pilot):
    await pilot.pause()
    pilot.app.exit()

Floor().run(headless=True, size=(160, 45), auto_pilot=auto_pilot)
print(open("/proc/self/status").read())
"""

BOARD_APP = """
import sys
from mlkanban.config import Settings
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from mlkanban.tui.app import make_app

async def auto_pilot(pilot):
    screen = pilot.app.screen
    while screen.grid is None:
        await pilot.pause(0.001)
    await pilot.pause()  # the board's first paint
    pilot.app.exit()

service = Service(make_engine(sys.argv[1]), actor="alice")
make_app(service, Settings()).run(headless=True, size=(160, 45), auto_pilot=auto_pilot)
print(open("/proc/self/status").read())
"""


def launch(code: str, *args: str, env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds from spawn to exit, CPU seconds, and peak resident memory in KiB.

    The peak is the child's own ``VmHWM`` (``ru_maxrss`` would include this process's
    memory, which a child inherits across ``fork``)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], env=env,
                               stdout=subprocess.PIPE, text=True)
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"benchmark child failed with exit code {process.returncode}")
    peak = next((int(line.split()[1]) for line in out.splitlines()
                 if line.startswith("VmHWM:")), 0)
    return elapsed, usage.ru_utime + usage.ru_stime, peak


def launches(
    code: str, *args: str, runs: int, env: dict[str, str]
) -> tuple[list[float], list[float], int]:
    """Wall and CPU seconds of ``runs`` launches, and the highest peak memory."""
    launch(code, *args, env=env)  # warm the page cache and the bytecode cache
    wall, cpu, peak = [], [], 0
    for _ in range(runs):
        seconds, cpu_seconds, rss = launch(code, *args, env=env)
        wall.append(seconds)
        cpu.append(cpu_seconds)
        peak = max(peak, rss)
    return wall, cpu, peak


async def key_latencies(db: Path, presses: int) -> dict[str, list[float]]:
    """Milliseconds from a key event reaching the app to the board's next repaint.

    Pilot's own waiting is kept out of the figure: the key goes straight to the driver,
    as a terminal's would, and the clock stops when the screen's compositor has
    finished painting the update.
    """
    from textual import events
    from textual.screen import Screen

    from mlkanban.config import Settings
    from mlkanban.store.engine import make_engine
    from mlkanban.store.service import Service
    from mlkanban.tui.app import make_app

    painted: list[float] = []
    original = Screen._compositor_refresh

    def compositor_refresh(self) -> None:
        original(self)
        painted.append(time.perf_counter())

    Screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
    service = Service(make_engine(str(db)), actor="alice")
    app = make_app(service, Settings(poll_seconds=3600))
    results: dict[str, list[float]] = {"cursor (j/l/k/h)": [], "regroup (g)": [],
                                       "filter keystroke": []}
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            screen = app.screen
            while screen.grid is None:
                await pilot.pause(0.01)
            await pilot.pause(0.2)

            async def timed(key: str, bucket: str) -> None:
                await pilot.pause(0.05)  # start from a quiet app
                painted.clear()
                started = time.perf_counter()
                event = events.Key(key, key if len(key) == 1 else None)
                event.set_sender(app)
                app._driver.send_message(event)
                while not painted:
                    await asyncio.sleep(0.0005)
                    if time.perf_counter() - started > 30:
                        raise SystemExit(f"pressing {key!r} never repainted the board")
                results[bucket].append((painted[0] - started) * 1000)

            from mlkanban.tui.widgets.board_view import Position

            screen.board.move_cursor(Position(0, 0, 0))  # room to move right and down
            cycle = "jjjlllkkkhhh"
            for i in range(presses):
                await timed(cycle[i % len(cycle)], "cursor (j/l/k/h)")
            for _ in range(max(presses // 6, 4)):
                await timed("g", "regroup (g)")
            await pilot.press("slash")
            for letter in "modelling"[: max(presses // 6, 4)]:
                await timed(letter, "filter keystroke")
    finally:
        Screen._compositor_refresh = original  # type: ignore[method-assign]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()

    from synthetic import build_large_database

    from mlkanban.store.engine import make_engine
    from mlkanban.store.schema import ensure_schema

    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MLKANBAN_CONFIG": os.devnull}
        boards: dict[str, Path] = {}
        empty = Path(tmp) / "empty.db"
        engine = make_engine(str(empty))
        ensure_schema(engine)
        engine.dispose()
        boards["0 tasks"] = empty
        for tasks, events, open_tasks in ((1_000, 10_000, 300), (10_000, 100_000, 1_000)):
            path = Path(tmp) / f"board-{tasks}.db"
            counts = build_large_database(path, tasks=tasks, events=events,
                                          open_tasks=open_tasks, now=now)
            print(f"built {path.name}: {counts}")
            boards[f"{tasks:,} tasks"] = path

        floor, floor_cpu, floor_peak = launches(FLOOR_APP, runs=args.runs, env=env)
        wall_floor, cpu_floor = statistics.median(floor), statistics.median(floor_cpu)
        print(f"\n{'launch to first paint':<34} {'wall':>7} {'x floor':>8} {'CPU':>7} "
              f"{'x floor':>8} {'peak RSS':>9}")

        def row(name: str, wall: list[float], cpu: list[float], peak: int) -> None:
            w, c = statistics.median(wall), statistics.median(cpu)
            print(f"{name:<34} {w * 1000:>5.0f}ms {w / wall_floor:>7.2f}x {c * 1000:>5.0f}ms "
                  f"{c / cpu_floor:>7.2f}x {peak / 1024:>7.0f}MB")

        row("bare Textual + sqlmodel (floor)", floor, floor_cpu, floor_peak)
        for name, path in boards.items():
            row(f"board, {name}", *launches(BOARD_APP, str(path), runs=args.runs, env=env))

        latencies = asyncio.run(key_latencies(boards["10,000 tasks"], args.presses))
        print(f"\n{'key press to repaint, 10,000 tasks':<36} {'median':>8} {'p90':>8} "
              f"{'presses':>8}")
        for bucket, samples in latencies.items():
            ordered = sorted(samples)
            p90 = ordered[int(len(ordered) * 0.9) - 1]
            print(f"{bucket:<36} {statistics.median(samples):>6.1f}ms {p90:>6.1f}ms "
                  f"{len(samples):>8}")


if __name__ == "__main__":
    main()
