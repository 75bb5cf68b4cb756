"""How long the command line takes, against a stdlib-sqlite3 script doing the same work.

Each command runs as a whole process, as a user runs it, on synthetic boards of each
size: ``ls``, ``ls --all --json``, ``show KEY``, two writes (``wait KEY`` then ``start
KEY``, on a copy of the board) and this week's ``report``. Beside each, the same
command of ``plain_sqlite.py`` (the query it needs and the same table, through Python's
sqlite3 module and nothing else) and ``python -c "import sqlmodel"``. Every case runs
once per round, in turn; the table gives medians, the median of each round's ratio with
its range, and peak resident memory.

And where Taskwarrior 2.6 is installed (``apt-get install taskwarrior``; it is no
dependency of mlkanban, and without ``task`` on the PATH its case is skipped with a
note), ``task list`` on a Taskwarrior store of the same tasks, for the issue's goal:
``mlkanban ls`` at most as slow as ``task list`` (the "× task list" column). The store
is built once per board, beside it in the cache, by ``task import``: each task with its
title as description, its project, its phase as a tag, pending when open and completed
when done or dropped (its ``end``), started when in progress. ``task`` runs with
``TASKRC`` and ``TASKDATA`` inside the store only (no user config or data is read or
touched), and settings chosen to be fair and stable: no colour, no hooks, no recurrence,
no confirmation, no "news" nag, only column labels printed, and an unlimited width
(``defaultwidth=0``), so it prints one line per task as ``mlkanban ls`` does (output
goes to /dev/null, so no pager either). Garbage collection stays on, its default: the
import leaves nothing to collect, so a run reads only the pending tasks and writes
nothing (with ``gc=off`` Taskwarrior reads every task and is slower).

    python benchmarks/bench_cli.py [--sizes 1k 10k 100k] [--rounds 7] [--quick]
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import HERE, PYTHON  # noqa: E402

FLOOR = '`python -c "import sqlmodel"`'
WAIT, START = "wait KEY (a write)", "start KEY (a write)"
TASK_LIST = "Taskwarrior task list"


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
    board = harness.board(size, cache, log=harness.say)
    db = harness.working_copy(board, folder)
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
    if taskwarrior_installed():
        tw_env = taskwarrior_environment(taskwarrior_store(board, log=harness.say))
        measures[TASK_LIST] = lambda: harness.run(TASK_LIST_COMMAND, tw_env)
    samples = harness.round_robin(measures, rounds, log=harness.say)
    floor = samples[FLOOR]
    tasks, events, _ = harness.SIZES[size]
    rows = [[f"{tasks:,} / {events:,}", FLOOR, harness.ms(floor.seconds), "", "",
             harness.mib(floor.peak_kib), "", ""]]
    tw = samples.get(TASK_LIST)
    for name in named:
        ours, theirs = samples[f"mlkanban {name}"], samples[f"sqlite3 {name}"]
        rows.append(["", f"`{name}`", harness.ms(ours.seconds),
                     f"{harness.ms(theirs.seconds)}, {harness.mib(theirs.peak_kib)}",
                     harness.ratio_cell(ours, theirs), harness.mib(ours.peak_kib),
                     harness.ratio_cell(ours, floor),
                     harness.ratio_cell(ours, tw) if tw and name == "ls" else ""])
    if tw is not None:
        rows.append(["", f"`task list` ({taskwarrior_version()})", harness.ms(tw.seconds), "",
                     "", harness.mib(tw.peak_kib), harness.ratio_cell(tw, floor), ""])
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


# ---------------------------------------------------------------------------- Taskwarrior

TASK_LIST_COMMAND = ["task", "list"]
TASKWARRIOR_MISSING = ("Taskwarrior is not installed (no `task` on the PATH): its case is "
                       "skipped. To compare with it: apt-get install taskwarrior.")
#: The store's own configuration: nothing of a user's is read (see the docstring).
TASKRC = """\
confirmation=off
color=off
hooks=off
recurrence=off
news.version=2.6.0
verbose=label
defaultwidth=0
detection=off
"""


def taskwarrior_installed() -> bool:
    return shutil.which("task") is not None


def taskwarrior_version() -> str:
    out = subprocess.run(["task", "--version"], capture_output=True, text=True, check=True,
                         env={**os.environ, "TASKRC": os.devnull})
    return f"Taskwarrior {out.stdout.strip()}"


def taskwarrior_environment(store: Path) -> dict[str, str]:
    """``task`` reading the store's own rc file and data, never a user's."""
    return {**os.environ, "TASKRC": str(store / "taskrc"), "TASKDATA": str(store / "data")}


def taskwarrior_store(board: Path, *, log: Callable[[str], None] = print) -> Path:
    """A Taskwarrior store holding the board's tasks (see the docstring), built once
    beside the cached board and kept as long as it is."""
    store = board.with_name(f"{board.stem}-taskwarrior")
    if not store.exists():
        started = time.perf_counter()
        partial = board.with_name(f"{store.name}.{os.getpid()}.tmp")
        shutil.rmtree(partial, ignore_errors=True)
        (partial / "data").mkdir(parents=True)
        _write_taskrc(partial)
        (partial / "tasks.json").write_text(json.dumps(_taskwarrior_tasks(board)))
        subprocess.run(["task", "import", str(partial / "tasks.json")], check=True,
                       env=taskwarrior_environment(partial), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        (partial / "tasks.json").unlink()
        partial.rename(store)
        log(f"built a Taskwarrior store of the board in {time.perf_counter() - started:.0f} s")
    _write_taskrc(store)  # the settings of this script, even in a store built before
    return store


def _write_taskrc(store: Path) -> None:
    (store / "taskrc").write_text(TASKRC + f"data.location={store / 'data'}\n")


def _taskwarrior_tasks(board: Path) -> list[dict]:
    """The board's tasks in Taskwarrior's import format."""
    with sqlite3.connect(board) as conn:
        rows = conn.execute(
            "SELECT t.key, t.title, p.key, t.phase, t.status, t.created_at, t.updated_at,"
            " t.started_at, t.status_at, t.done_at FROM task t JOIN project p"
            " ON p.id = t.project_id ORDER BY t.id").fetchall()

    def stamp(text: str) -> str:  # stored as naive UTC text
        return text[:19].replace("-", "").replace(":", "").replace(" ", "T") + "Z"

    tasks = []
    for key, title, project, phase, status, created, updated, started, status_at, done in rows:
        task = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlkanban:{key}")),
                "description": title, "project": project, "tags": [phase],
                "entry": stamp(created), "modified": stamp(updated)}
        if status in ("todo", "in_progress", "waiting"):
            task["status"] = "pending"
            if status == "in_progress" and started:
                task["start"] = stamp(started)
        else:
            task["status"] = "completed"
            task["end"] = stamp(done or status_at)
        tasks.append(task)
    return tasks


def main() -> None:
    args = harness.settle(harness.parser(__doc__).parse_args())
    harness.compile_package()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rows += measure_size(size, args.rounds, args.cache, Path(tmp))
    print(f"Machine: {harness.machine()}; {args.rounds} rounds.\n")
    print(harness.table(["tasks / events", "command", "median", "sqlite3 script, RSS",
                         "× sqlite3 (min–max)", "peak RSS", "× import sqlmodel (min–max)",
                         "× task list (min–max)"], rows))
    if not taskwarrior_installed():
        print(f"\n{TASKWARRIOR_MISSING}")


if __name__ == "__main__":
    main()
