"""Ownership and project rules (DESIGN §6 "Ownership"), on SQLite and PostgreSQL.

Only a task's owner starts, parks or finishes it; a closed project takes no new tasks and
keeps no open ones; only a person on the board changes it. The command line gives the
exit code of each and changes nothing when it refuses.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from mlkanban.domain.errors import BadInput, RuleRefused
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store import tables
from mlkanban.store.service import Service
from tests import jira_export
from tests.helpers import acting_as, dump_db, run_cli


@pytest.fixture
def engine(backend_engine):
    return backend_engine


def event_count(service: Service) -> int:
    with service.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(tables.event)).scalar_one()


# ---------------------------------------------------------------- a task's owner


@pytest.mark.parametrize("action", ["start", "wait", "done"])
def test_only_the_owner_starts_parks_or_finishes_a_task(team: Service, action):
    key = team.add_task("CHURN", "Bob's baseline", Phase.MODELING, owner="bob").key
    bob = acting_as(team, "bob")
    if action != "start":
        bob.start(key)
    before = (team.task(key), event_count(team))
    args = ("waiting for data",) if action == "wait" else ()
    with pytest.raises(RuleRefused) as refused:
        getattr(team, action)(key, *args)
    assert str(refused.value).startswith(f"{key} is bob's task; only bob ")
    assert f"(mlkanban assign {key} alice)" in str(refused.value)  # the ways out
    assert "(--as bob)" in str(refused.value)
    assert (team.task(key), event_count(team)) == before  # nothing changed
    assert getattr(bob, action)(key, *args).task.status is {
        "start": Status.IN_PROGRESS, "wait": Status.WAITING, "done": Status.DONE}[action]


def test_taking_a_task_over_is_the_way_out(team: Service):
    key = team.add_task("CHURN", "Bob's baseline", Phase.MODELING, owner="bob").key
    team.assign(key, "alice")
    change = team.start(key)
    assert (change.task.owner, change.task.status) == ("alice", Status.IN_PROGRESS)


def test_an_unassigned_task_goes_to_whoever_starts_it(team: Service):
    key = team.add_task("CHURN", "Anyone's", Phase.RESEARCH).key
    assert acting_as(team, "bob").start(key).task.owner == "bob"


def test_anyone_may_drop_reopen_move_or_estimate_someone_elses_task(team: Service):
    """A lead drops work after a pivot; the owner rule is about doing the work."""
    key = team.add_task("CHURN", "Bob's", Phase.MODELING, owner="bob").key
    team.move(key, Phase.DATA_EXPLORATION)
    team.estimate(key, 2)
    assert team.drop(key, "pivot").task.status is Status.DROPPED
    assert team.reopen(key).task.status is Status.TODO


# ---------------------------------------------------------------- closed projects


@pytest.mark.parametrize("status", ["shipped", "stopped"])
def test_a_closed_project_takes_no_new_tasks(team: Service, status):
    key = team.add_task("CHURN", "Done work", Phase.MODELING, owner="alice").key
    team.start(key)
    team.done(key)
    team.close_project("CHURN", "positive", "it worked", status=status)
    before = event_count(team)
    with pytest.raises(RuleRefused, match=f"CHURN is {status}: a closed project takes no new"):
        team.add_task("CHURN", "One more idea", Phase.RESEARCH)
    with pytest.raises(RuleRefused, match="closed project"):
        team.split(key, "The rest", estimate=1)
    assert event_count(team) == before
    assert [t.key for t in team.tasks(project="CHURN")] == [key]
    team.edit_project("CHURN", status="active")  # reopened, it takes tasks again
    assert team.add_task("CHURN", "One more idea", Phase.RESEARCH).key == "CHURN-2"


def test_a_project_with_open_tasks_is_closed_only_when_told_to_drop_them(team: Service):
    bob = acting_as(team, "bob")
    finished = team.add_task("CHURN", "Finished", Phase.MODELING, owner="alice").key
    team.start(finished)
    team.done(finished)
    busy = team.add_task("CHURN", "Busy", Phase.MODELING, owner="bob").key
    bob.start(busy)
    parked = team.add_task("CHURN", "Parked", Phase.AB_TESTING, owner="bob").key
    bob.start(parked)
    bob.wait(parked, "traffic")
    todo = team.add_task("CHURN", "Later", Phase.RESEARCH).key
    before = event_count(team)

    with pytest.raises(RuleRefused) as refused:
        team.close_project("CHURN", "negative", "no lift")
    assert str(refused.value).startswith(
        f"CHURN still has 3 open tasks ({busy}, {parked}, {todo}); finish or drop them first")
    assert "--drop-open" in str(refused.value)
    with pytest.raises(RuleRefused, match="3 open tasks"):
        team.edit_project("CHURN", status="stopped")
    assert event_count(team) == before
    assert team.require_project("CHURN").status == "active"

    project = team.close_project("CHURN", "negative", "no lift", drop_open=True)
    assert project.status == "stopped"
    for key in (busy, parked, todo):
        task = team.task(key)
        assert (task.status, task.reason) == (Status.DROPPED, "project closed")
        last = team.history(key)[-1]
        assert (last.kind, last.new, last.reason, last.actor) == (
            "status_changed", "dropped", "project closed", "alice")
    assert team.task(finished).status is Status.DONE  # finished work stays finished
    assert {p.key: p.outcome for p in team.projects()}["CHURN"] == "negative"


def test_an_empty_project_closes_without_asking(team: Service):
    assert team.close_project("CHURN", "inconclusive", "never started").status == "stopped"


# ---------------------------------------------------------------- who may write


def test_only_a_person_on_the_board_changes_it(engine, clock, team: Service):
    ghost = Service(engine, actor="ghost", clock=clock, migrate=False)
    key = team.add_task("CHURN", "t", Phase.RESEARCH).key
    before = event_count(team)
    for write in (
        lambda: ghost.add_task("CHURN", "t", Phase.RESEARCH),
        lambda: ghost.start(key),
        lambda: ghost.move(key, Phase.MODELING),
        lambda: ghost.add_person("casper"),
        lambda: ghost.add_project("GHOST", "Haunting"),
        lambda: ghost.pivot("CHURN", "boo"),
    ):
        with pytest.raises(BadInput, match=r"^'ghost' is not a person on this board; .*"
                                           r"mlkanban person add ghost"):
            write()
    assert event_count(team) == before


def test_anyone_adds_the_first_person_to_an_empty_board(engine, clock):
    founder = Service(engine, actor="root", clock=clock)
    founder.add_person("alice")
    with founder.engine.connect() as conn:
        actors = conn.execute(select(tables.event.c.actor)).scalars().all()
    assert actors == ["root"]  # history says who did it
    with pytest.raises(BadInput, match="'root' is not a person"):
        founder.add_person("bob")  # the board has somebody now: they add the rest
    acting_as(founder, "alice").add_person("bob")


# ---------------------------------------------------------------- estimates


@pytest.mark.parametrize("days", [10**29, 261, 2**63])
def test_an_absurd_estimate_is_bad_input_not_a_size_refusal(team: Service, days):
    with pytest.raises(BadInput, match="an estimate must be 1-5 working days"):
        team.add_task("CHURN", "t", Phase.RESEARCH, estimate=days)
    key = team.add_task("CHURN", "t", Phase.RESEARCH).key
    with pytest.raises(BadInput):
        team.estimate(key, days)
    with pytest.raises(RuleRefused, match="split"):
        team.estimate(key, 260)  # a year's work: split it


# ---------------------------------------------------------------- the command line


@pytest.fixture
def board(db_path, clock):
    def run(*args: str, actor: str = "alice"):
        return run_cli(db_path, clock, *args, actor=actor)

    assert run("person", "add", "alice").exit_code == 0
    assert run("person", "add", "bob").exit_code == 0
    assert run("project", "add", "CHURN", "Churn prediction").exit_code == 0
    assert run("add", "Bob's baseline", "-p", "CHURN", "--phase", "modeling", "-o", "bob",
               "-e", "3").exit_code == 0
    return run


def _one_line(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("mlkanban: ") and result.stderr.count("\n") == 1
    return result.stderr


def test_cli_refusals_exit_with_their_codes_and_change_nothing(board, db_path):
    before = dump_db(db_path)
    message = _one_line(board("start", "CHURN-1"), 1)
    assert "mlkanban assign CHURN-1 alice" in message and "--as bob" in message
    _one_line(board("done", "CHURN-1"), 1)
    _one_line(board("wait", "CHURN-1", "--reason", "data"), 1)
    assert "person add ghost" in _one_line(board("add", "x", "-p", "CHURN", "--phase", "eda",
                                                 actor="ghost"), 2)
    _one_line(board("person", "add", "casper", actor="ghost"), 2)
    _one_line(board("add", "x", "-p", "CHURN", "--phase", "eda", "-e", str(10**29)), 2)
    _one_line(board("estimate", "CHURN-1", str(10**29)), 2)
    _one_line(board("project", "close", "CHURN", "--outcome", "negative", "--why", "no"), 1)
    assert dump_db(db_path) == before
    assert board("start", "CHURN-1", actor="bob").exit_code == 0


def test_cli_closes_with_drop_open_then_refuses_new_tasks(board, db_path):
    result = board("project", "close", "CHURN", "--outcome", "negative", "--why", "no lift",
                   "--drop-open")
    assert result.exit_code == 0, result.output
    shown = json.loads(board("show", "CHURN-1", "--json").output)
    assert (shown["status"], shown["reason"]) == ("dropped", "project closed")
    before = dump_db(db_path)
    _one_line(board("add", "x", "-p", "CHURN", "--phase", "eda"), 1)
    assert dump_db(db_path) == before


def test_anyone_may_import_and_the_import_says_who(board, db_path, tmp_path, clock):
    exported = board("export").output
    target = tmp_path / "copy.db"
    source = tmp_path / "board.jsonl"
    source.write_text(exported, encoding="utf-8")
    restored = run_cli(target, clock, "import", str(source), actor="ghost")
    assert restored.exit_code == 0, restored.output
    assert dump_db(target)["task"] == dump_db(db_path)["task"]

    jira = tmp_path / "jira.csv"
    jira_export.write(jira)
    other = tmp_path / "jira.db"
    result = run_cli(other, clock, "import-jira", str(jira), actor="ghost")
    assert result.exit_code == 0, result.output
    actors = {row[3] for row in dump_db(other)["event"]}
    assert "ghost" in actors  # the person who ran it, where the file names nobody
