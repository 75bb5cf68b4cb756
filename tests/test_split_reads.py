"""``ls --all --json`` of a big SQLite board, and a report's charts, are shared with a
forked child (``store.split_reads``): the output must be the one this process alone
writes, whether the child sends everything, stops halfway, or sees another board than
ours (a change landing between its read and ours).

Each listing runs in a fresh interpreter (forking this test process, with its threads,
is what ``split_reads`` refuses to do), with the ranges made small enough that this
small board is cut into many.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.store.service import Service
from tests.helpers import acting_as

#: Runs a command with ``split_reads`` tuned by MODE, and says on stderr what the child
#: sent: its board first, then its ranges or its result.
PROBE = """
import json, os, sys
from datetime import datetime
from mlkanban.cli import cli
from mlkanban.commands.common import AppContext
from mlkanban.domain.clock import FixedClock
from mlkanban.store import split_reads

mode = {mode!r}
split_reads.MIN_TASKS = 10**9 if mode == "alone" else 1
split_reads.RANGE_TASKS = 2
parent = os.getpid()
received = []
real_received = split_reads.Apart._received
def counted(self):
    value = real_received(self)
    received.append(value is not None)
    return value
split_reads.Apart._received = counted
if mode == "alone":
    split_reads.can_fork = lambda database: False

real_send = split_reads.send
sends = []
def send(pipe, value):
    sends.append(1)
    if mode == "child fails" and len(sends) == {fail_at}:
        raise RuntimeError("the child fails halfway")
    real_send(pipe, value)
split_reads.send = send

real_fork = split_reads._fork
def fork(database, child):
    forked = real_fork(database, child)
    if mode == "change between" and forked is not None:
        import select
        select.select([forked[1]], [], [], 30)  # the child has its board: now change it
        from mlkanban.commands.common import AppContext as Context
        app = Context(actor="alice", clock=FixedClock(now))
        app.statuses.done("CHURN-1")
    return forked
split_reads._fork = fork

now = datetime.fromisoformat({now!r})
try:
    cli.main({args!r}, obj=AppContext(clock=FixedClock(now)))
except SystemExit as exc:
    assert not exc.code, exc.code
sys.stdout.flush()
sys.stderr.write("\\n" + json.dumps(received) + "\\n")
"""

HOSTILE = ['quote " and \\ backslash', "line\nfeed\ttab", "emoji 🧪 Définir",
           '"}], "key": "X-1"']


@pytest.fixture
def board(team: Service, clock, db_path, engine):
    """Five projects (one without tasks) of tasks in every status, with hostile titles,
    one A/B test, and rows as a hand-edited database could hold them (control
    characters, labels, a timestamp in another form: built in Python)."""
    bob = acting_as(team, "bob")
    for key in ("ADS", "EMPTY", "FRAUD", "SEARCH"):
        team.add_project(key, f"Project {key}")
    for i, key in enumerate(["CHURN", "ADS", "FRAUD", "SEARCH"] * 3):
        clock.advance(hours=7, microseconds=0 if i % 3 else 1000 + i)
        team.add_task(key, HOSTILE[i % len(HOSTILE)], Phase.MODELING,
                      owner="bob" if i % 2 else "alice", estimate=1 + i % 5)
    team.start("CHURN-1")
    bob.start("ADS-1")
    clock.advance(days=3)
    bob.done("ADS-1")
    bob.start("ADS-2")
    bob.wait("ADS-2", "Waiting for the A/B test")
    bob.move("ADS-2", Phase.AB_TESTING)
    bob.set_ab_test("ADS-2", started_at=clock(), duration_days=14, traffic_share=20)
    team.drop("SEARCH-1", "Superseded")
    clock.advance(days=2)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE task SET title = 'del \x7f csi \x9b31m',"
                             " labels = ' a  Éval ' WHERE key = 'FRAUD-1'")
        conn.exec_driver_sql("UPDATE task SET created_at = '2026-11-20T09:30:00'"
                             " WHERE key = 'SEARCH-2'")
    team.engine.dispose()
    return db_path


def _listing(db, clock, mode: str,
             args: tuple[str, ...] = ("ls", "--all", "--json")) -> tuple[list, list[bool], str]:
    env = dict(os.environ)  # already isolated by the autouse fixture in conftest
    env["MLKANBAN_DB"] = str(db)
    env["MLKANBAN_CONFIG"] = os.devnull
    # a listing's child fails after its first range, a report's before its result
    fail_at = 3 if args[0] == "ls" else 2
    code = PROBE.format(mode=mode, now=clock().isoformat(), args=list(args), fail_at=fail_at)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), json.loads(result.stderr.strip().splitlines()[-1]), \
        result.stdout


#: Where a child can share the listing.
SHARED = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="a listing is shared with a child only on Linux with two processors")


@SHARED
def test_the_child_shares_the_listing_and_the_text_is_the_same(board, clock):
    items, received, text = _listing(board, clock, "alone")
    assert received == []  # no child: one process listed it all
    assert len(items) == 12 and len({item["key"] for item in items}) == 12
    assert any("ab_test" in item for item in items)
    # Five ranges (ADS, CHURN, EMPTY, FRAUD, SEARCH): the child says which board it has,
    # then sends the second and the fourth.
    _, received, shared_text = _listing(board, clock, "shared")
    assert received == [True, True, True]
    assert shared_text == text
    # The child fails after its first range: the rest is made here.
    _, received, failed_text = _listing(board, clock, "child fails")
    assert received == [True, True, False]
    assert failed_text == text


@SHARED
def test_a_change_between_the_child_and_us_is_listed_as_we_see_it(board, clock):
    items, received, _ = _listing(board, clock, "change between")
    assert received == [True, False, False]  # the child's board was not ours: not taken
    assert next(item for item in items if item["key"] == "CHURN-1")["status"] == "done"
    alone, _, _ = _listing(board, clock, "alone")  # the board as it is now
    assert items == alone


@SHARED
@pytest.mark.parametrize("mode, sent", [("shared", [True, True]),
                                        ("child fails", [True, False]),
                                        ("change between", [True])])
def test_a_report_counted_apart_is_the_report_counted_here(board, clock, mode, sent):
    """The child counts the charts (``start_apart``); the report is the same whether it
    did, failed, or saw another board."""
    if mode == "change between":
        alone_before, _, _ = _listing(board, clock, "alone", ("report", "-f", "json"))
    report, received, _ = _listing(board, clock, mode, ("report", "-f", "json"))
    assert received == sent
    alone, _, _ = _listing(board, clock, "alone", ("report", "-f", "json"))
    assert report == alone
    assert report["throughput"] and report["flow"]
    if mode == "change between":  # our read came after the change, and the report says so
        assert report != alone_before


@SHARED
def test_charts_the_child_cannot_count_are_replayed_here(board, clock):
    """A task with no creation event (an import may leave them out): the database cannot
    count the charts, so the child sends nothing to take and all is read the other way."""
    with sqlite3.connect(board) as conn:
        conn.execute("DELETE FROM event WHERE task_id = (SELECT id FROM task"
                     " WHERE key = 'ADS-1')")
    report, received, _ = _listing(board, clock, "shared", ("report", "-f", "json"))
    assert received == [True, True]  # its board, then its "cannot count"
    alone, _, _ = _listing(board, clock, "alone", ("report", "-f", "json"))
    assert report == alone and report["throughput"]
