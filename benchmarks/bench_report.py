"""How long one week's report takes on a year of history, against the floor of this stack.

The floor is ``python -c "import sqlmodel"``: every command pays for it. The target
(README) is ``mlkanban report`` for one week of a database of 5,000 tasks and 100,000
events over a year within 1.3x the floor. It also times building the report in process,
split into loading and computing, to show where the time goes.

    python benchmarks/bench_report.py [--tasks 5000] [--events 100000] [--runs 21]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cli import FLOOR, compare, large_board  # noqa: E402


def in_process(db: Path, runs: int) -> dict[str, list[float]]:
    """Load and compute separately, with the interpreter and imports already warm."""
    from mlkanban.domain.workdays import WorkCalendar
    from mlkanban.history.weekly import Period, build_report, load_history
    from mlkanban.io.markdown_report import render_markdown
    from mlkanban.store.engine import make_engine

    engine = make_engine(str(db))
    period = Period.week_of(datetime.now(UTC).date())
    gc.disable()  # as the command does
    samples: dict[str, list[float]] = {"load": [], "compute": [], "render": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        with engine.connect() as conn:
            data = load_history(conn, until=period.as_of(datetime.now(UTC)),
                                    since=period.start_moment())
        t1 = time.perf_counter()
        report = build_report(data, period, now=datetime.now(UTC), calendar=WorkCalendar())
        t2 = time.perf_counter()
        render_markdown(report)
        t3 = time.perf_counter()
        samples["load"].append(t1 - t0)
        samples["compute"].append(t2 - t1)
        samples["render"].append(t3 - t2)
    gc.enable()
    engine.dispose()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    with large_board(tasks=args.tasks, events=args.events, days=365) as (db, env):
        python = sys.executable
        cases = {
            FLOOR: [python, "-c", "import sqlmodel"],
            "mlkanban ls": [python, "-m", "mlkanban", "ls"],
            "mlkanban report (this week, md)": [python, "-m", "mlkanban", "report"],
            "mlkanban report -f json": [python, "-m", "mlkanban", "report", "-f", "json"],
        }
        compare(cases, args.runs, env, warm=cases["mlkanban report (this week, md)"])
        print("\nin process (imports warm)")
        for name, samples in in_process(db, max(args.runs // 3, 3)).items():
            print(f"  {name:<38} {statistics.median(samples) * 1000:>6.0f}ms")


if __name__ == "__main__":
    main()
