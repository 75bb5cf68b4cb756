"""How long ``import-jira`` takes on an export as big as a real team's.

Jira caps one export at 1,000 issues by default; the biggest real file we met had
2,443 rows. This builds an all-fields export of ``--issues`` rows in the shape of
``tests/fixtures/jira/cloud_all_fields.csv`` (epics, stories, sub-tasks, comments,
repeated labels and sprints, English dates) and imports it into a fresh database
``--runs`` times, printing the median wall-clock and CPU seconds. ``--source DIR`` runs
another checkout of mlkanban (to compare with an earlier version).

    python benchmarks/bench_jira.py [--issues 2500] [--runs 5] [--source DIR] [--file CSV]
    python benchmarks/bench_jira.py --quick     (500 issues, 3 runs)
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HEADER = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key",
          "Project name", "Priority", "Resolution", "Assignee", "Reporter", "Created",
          "Updated", "Resolved", "Labels", "Labels", "Description", "Sprint", "Sprint",
          "Comment", "Comment", "Parent", "Parent key", "Status Category",
          "Custom field (Story point estimate)"]
PEOPLE = [f"Person {n}" for n in range(25)]
STATES = [("To Do", "To Do"), ("In Progress", "In Progress"), ("In Review", "In Progress"),
          ("Done", "Done"), ("Done", "Done"), ("Blocked", "In Progress")]
PHASES = ["research", "eda", "modeling", "prod", "ab", "results"]


def _date(moment: datetime) -> str:
    return moment.strftime("%d/%b/%y %I:%M %p")


def build_export(issues: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, 9, 0)
    rows = []
    epics: list[tuple[str, str]] = []
    stories: list[tuple[str, str]] = []
    for n in range(1, issues + 1):
        key, iid = f"ML-{n}", str(10_000 + n)
        created = start + timedelta(hours=7 * n)
        updated = created + timedelta(days=rng.randint(0, 20))
        kind, parent = "Story", ("", "")
        if n % 40 == 1:
            kind = "Epic"
        elif n % 5 == 0 and stories:
            kind, parent = "Sub-task", rng.choice(stories)
        elif epics:
            parent = rng.choice(epics[-5:])
        status, category = rng.choice(STATES)
        resolved = _date(updated) if category == "Done" else ""
        who, reporter = rng.choice(PEOPLE), rng.choice(PEOPLE)
        when = _date(created + timedelta(hours=3))
        comment = f"{when};{reporter};Looked at it; \"fine\".\nNext step?"
        rows.append([
            f"Work item {n} of the churn study", key, iid, kind, status, "ML", "Machine Learning",
            "Medium", "Done" if resolved else "", who, reporter, _date(created), _date(updated),
            resolved, rng.choice(PHASES), "q1", "Plan:\n- read\n- try", "ML Sprint 1",
            "ML Sprint 2", comment if n % 3 == 0 else "", "", parent[1], parent[0], category,
            str(rng.randint(1, 5)),
        ])
        if kind == "Epic":
            epics.append((key, iid))
        elif kind == "Story":
            stories.append((key, iid))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--file", type=Path, help="Import this file instead of a built one.")
    parser.add_argument("--quick", action="store_true", help="500 issues, 3 runs")
    args = parser.parse_args()
    if args.quick:
        args.issues, args.runs = min(args.issues, 500), min(args.runs, 3)
    with tempfile.TemporaryDirectory() as tmp:
        export = args.file or Path(tmp) / "export.csv"
        if args.file is None:
            export.write_bytes(build_export(args.issues))
        env = {**os.environ, "PYTHONPATH": str(args.source.resolve()), "TZ": "UTC",
               "MLKANBAN_USER": "bench"}
        walls, cpus = [], []
        for run in range(args.runs):
            db = Path(tmp) / f"board{run}.db"
            command = [sys.executable, "-m", "mlkanban", "--db", str(db), "import-jira",
                       str(export), "--default-phase", "research"]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
            walls.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        print(f"| import-jira ({export.name}) | runs | wall (median) | CPU (median) |\n"
              f"|---|---|---|---|\n| {args.source.name} | {args.runs} | "
              f"{statistics.median(walls):.2f} s | {statistics.median(cpus):.2f} s |")


if __name__ == "__main__":
    main()
