"""How long one week's report takes on a year of history, against the floor of this stack.

Whole processes, round robin over the cases, on synthetic boards of each size:
``mlkanban report`` (Markdown and JSON), ``plain_sqlite.py report`` (this week's tables
through the sqlite3 module alone: a lower bound) and ``python -c "import sqlmodel"``.
The report keeps the work of the tasks closed long ago in a file of the user's cache
directory (``history.closed_work``): here a directory of its own, filled by one report
before the rounds ("warm", as every report after a board's first is), and emptied
before each run of the "no kept file" case (a board's first report, or one after a
change to an old task). With ``--in-process`` it also times building the report inside
this process, split into loading, computing and rendering, to show where the time goes.

    python benchmarks/bench_report.py [--sizes 1k 10k 100k] [--rounds 7] [--quick]
"""

from __future__ import annotations

import gc
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_cli import FLOOR, mlkanban  # noqa: E402
from harness import HERE, PYTHON  # noqa: E402


def in_process(db: Path, runs: int, kept: Path) -> dict[str, list[float]]:
    """Load and compute separately, with the interpreter and imports already warm."""
    from mlkanban.domain.workdays import WorkCalendar
    from mlkanban.history.weekly import Period, build_report, load_history
    from mlkanban.io.markdown_report import render_markdown
    from mlkanban.store.sql import open_database

    database = open_database(str(db), create=False)
    period = Period.week_of(datetime.now(UTC).date())
    gc.disable()  # as the command does
    samples: dict[str, list[float]] = {"load": [], "compute": [], "render": []}
    for _ in range(runs):
        calendar = WorkCalendar()
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        with database.read() as sql:  # as ``weekly_report`` does it
            data = load_history(sql, until=period.as_of(now), since=period.start_moment(),
                                calendar=calendar, kept=kept)
        t1 = time.perf_counter()
        report = build_report(data, period, now=now, calendar=calendar)
        t2 = time.perf_counter()
        render_markdown(report)
        t3 = time.perf_counter()
        samples["load"].append(t1 - t0)
        samples["compute"].append(t2 - t1)
        samples["render"].append(t3 - t2)
    gc.enable()
    return samples


def main() -> None:
    parser = harness.parser(__doc__)
    parser.add_argument("--in-process", action="store_true",
                        help="also time loading, computing and rendering in this process")
    args = harness.settle(parser.parse_args())
    harness.compile_package()
    rows = []
    kept = Path(tempfile.mkdtemp(prefix="mlkanban-bench-kept-"))
    for size in args.sizes:
        db = harness.board(size, args.cache, log=harness.say)
        warm, cold = kept / f"{size}-warm", kept / f"{size}-cold"
        env = harness.environment(db, MLKANBAN_CACHE_DIR=str(warm))
        cold_env = harness.environment(db, MLKANBAN_CACHE_DIR=str(cold))
        harness.run([*mlkanban(), "report"], env)  # keeps the closed tasks' work

        def first_report(e=cold_env, folder=cold):
            shutil.rmtree(folder, ignore_errors=True)
            return harness.run([*mlkanban(), "report"], e)

        cases = {
            FLOOR: [PYTHON, "-c", "import sqlmodel"],
            "sqlite3 script (tables only)": [PYTHON, str(HERE / "plain_sqlite.py"), str(db),
                                             "report"],
            "`mlkanban report`": [*mlkanban(), "report"],
            "`mlkanban report -f json`": [*mlkanban(), "report", "-f", "json"],
        }
        runs = {name: (lambda c=command, e=env: harness.run(c, e))
                for name, command in cases.items()}
        runs["`mlkanban report`, no kept file"] = first_report
        samples = harness.round_robin(runs, args.rounds, log=harness.say)
        tasks, events, _ = harness.SIZES[size]
        for name, case in samples.items():
            rows.append([f"{tasks:,} / {events:,}", name, harness.ms(case.seconds),
                         harness.ratio_cell(case, samples[FLOOR]),
                         harness.ratio_cell(case, samples["sqlite3 script (tables only)"]),
                         harness.mib(case.peak_kib)])
    print(f"Machine: {harness.machine()}; {args.rounds} rounds.\n")
    print(harness.table(["tasks / events", "command", "median", "× import sqlmodel (min–max)",
                         "× sqlite3 (min–max)", "peak RSS"], rows))
    if args.in_process:
        print("\nin process, imports warm, largest size")
        warm = kept / f"{args.sizes[-1]}-warm"
        for name, samples in in_process(db, max(args.rounds, 3),
                                        mlkanban_kept_file(db, warm)).items():
            print(f"- {name}: {statistics.median(samples) * 1000:.0f} ms")
    shutil.rmtree(kept, ignore_errors=True)


def mlkanban_kept_file(db: Path, folder: Path) -> Path:
    """The file the command keeps for ``db`` in ``folder``."""
    from mlkanban.history.closed_work import cache_file

    return folder / cache_file(str(db)).name


if __name__ == "__main__":
    main()
