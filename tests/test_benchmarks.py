"""The benchmarks' helpers on a tiny board: a board is built once and kept by size, the
stdlib-sqlite3 reference prints the same table as ``mlkanban ls``, and the figures are
medians of per-round ratios in a Markdown table.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
TINY = (40, 400, 15)


def load(name: str):
    """Benchmark scripts are not part of the package: load them from their files."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def harness():
    sys.path.insert(0, str(BENCHMARKS))
    yield load("harness")
    sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def bench_cli(harness):
    return load("bench_cli")


@pytest.fixture(scope="module")
def tiny_board(harness, tmp_path_factory):
    cache = tmp_path_factory.mktemp("bench-cache")
    return cache, harness.board(TINY, cache, log=lambda _: None)


def test_a_board_is_built_once_and_kept(harness, tiny_board):
    cache, path = tiny_board
    assert path.parent == cache and path.stat().st_size > 0
    assert harness.board(TINY, cache, log=pytest.fail) == path  # no second build


def test_the_sqlite3_reference_prints_the_table_mlkanban_prints(harness, tiny_board, tmp_path):
    _, path = tiny_board
    db = harness.working_copy(path, tmp_path)
    env = harness.environment(db, TZ="UTC")
    ours = harness.run([sys.executable, "-m", "mlkanban", "ls"], env, capture=True)
    plain = harness.run([sys.executable, str(BENCHMARKS / "plain_sqlite.py"), str(db), "ls"],
                        env, capture=True)

    def keys(output: str) -> list[str]:
        return [line.split()[0] for line in output.splitlines()[1:] if line.strip()]

    assert 0 < len(keys(ours.output)) <= TINY[2]
    assert plain.output == ours.output  # the same table, line for line
    assert ours.seconds > 0 and ours.peak_kib > 1024 and plain.peak_kib > 1024  # KiB
    if os.access(harness.TIME, os.X_OK):  # each process's own peak, not its parent's
        assert ours.peak_kib > plain.peak_kib


def test_figures_are_medians_of_per_round_ratios(harness):
    times = iter([1.0, 2.0, 3.0, 3.0, 1.0, 4.0])  # floor, case; round after round
    runs = harness.round_robin(
        {"floor": lambda: harness.Run(next(times), 1024),
         "case": lambda: harness.Run(next(times), 4096)},
        rounds=3, warm=False, log=lambda _: None)
    assert harness.ratios(runs["case"], runs["floor"]) == [2.0, 1.0, 4.0]
    assert harness.ratio_cell(runs["case"], runs["floor"]) == "2.00× (1.00–4.00)"
    assert harness.table(["case", "× floor"], [["case", "2.00×"]]).splitlines() == [
        "| case | × floor |", "|---|---|", "| case | 2.00× |"]
    assert harness.mib(runs["case"].peak_kib) == "4 MB"


def test_without_taskwarrior_its_case_is_skipped_with_a_note(bench_cli, monkeypatch):
    monkeypatch.setattr(bench_cli.shutil, "which", lambda name: None)
    assert not bench_cli.taskwarrior_installed()
    assert "apt-get install taskwarrior" in bench_cli.TASKWARRIOR_MISSING


@pytest.mark.skipif(shutil.which("task") is None, reason="Taskwarrior (`task`) is not installed")
def test_the_taskwarrior_store_holds_the_boards_tasks(bench_cli, tiny_board, tmp_path):
    """Same tasks, same open/done split, projects and a tag per phase; built once, beside
    its board, read and written by ``task`` with no user config, and ``task list``
    writes nothing (so every timed run reads the same store)."""
    board = Path(shutil.copy(tiny_board[1], tmp_path / tiny_board[1].name))
    store = bench_cli.taskwarrior_store(board, log=lambda _: None)
    assert store.parent == board.parent
    env = bench_cli.taskwarrior_environment(store)

    def task(*args: str) -> str:
        return subprocess.run(["task", *args], env=env, capture_output=True, text=True,
                              check=True).stdout

    with sqlite3.connect(board) as conn:
        rows = conn.execute("SELECT t.title, p.key, t.phase, t.status IN ('todo',"
                            " 'in_progress', 'waiting') FROM task t JOIN project p"
                            " ON p.id = t.project_id").fetchall()
    expected = sorted((title, project, [phase], "pending" if is_open else "completed")
                      for title, project, phase, is_open in rows)
    exported = json.loads(task("export"))
    assert sorted((t["description"], t["project"], t["tags"], t["status"])
                  for t in exported) == expected
    data = {f.name: f.stat().st_mtime_ns for f in (store / "data").iterdir()}
    listed = task(*bench_cli.TASK_LIST_COMMAND[1:]).splitlines()
    assert len([line for line in listed[2:] if line.strip()]) == TINY[2]  # after the labels
    assert {f.name: f.stat().st_mtime_ns for f in (store / "data").iterdir()} == data
    assert bench_cli.taskwarrior_store(board, log=pytest.fail) == store  # no second build
    assert not (Path.home() / ".taskrc").exists() and not (Path.home() / ".task").exists()
