"""Undo: the acting person's last change reverted as a whole, recorded as a change of its
own, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mlkanban.domain.errors import RuleRefused
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.service import Service


@pytest.fixture
def engine(backend_engine):
    """Every undo test runs on SQLite and on PostgreSQL."""
    return backend_engine


def row(service: Service, key: str) -> dict:
    """Everything the task's row holds that an undo must put back."""
    with service.engine.connect() as conn:
        found = conn.execute(text(
            "SELECT status, phase, owner_id, estimate, reason, wip_override, title, "
            "description, started_at, done_at, work_log FROM task WHERE key = :key"),
            {"key": key}).mappings().one()
    return dict(found)


def as_(service: Service, handle: str) -> Service:
    return Service(service.engine, actor=handle, clock=service.clock, migrate=False)


@pytest.fixture
def started(team: Service, clock) -> str:
    """CHURN-1, alice's, started an hour ago."""
    key = team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=3).key
    clock.advance(hours=1)
    team.start(key)
    clock.advance(hours=1)
    return key


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s, k: s.done(k), id="done"),
        pytest.param(lambda s, k: s.wait(k, "GPU quota"), id="wait"),
        pytest.param(lambda s, k: s.drop(k, "pivot"), id="drop"),
        pytest.param(lambda s, k: s.move(k, Phase.DATA_EXPLORATION), id="move"),
        pytest.param(lambda s, k: s.assign(k, "bob"), id="assign"),
        pytest.param(lambda s, k: s.estimate(k, 5), id="estimate"),
        pytest.param(lambda s, k: s.edit(k, title="Renamed", description="More"), id="edit"),
    ],
)
def test_each_task_change_is_put_back_exactly(team: Service, started: str, change):
    before = row(team, started)
    change(team, started)
    assert row(team, started) != before
    result = team.undo()
    assert result.message.startswith(f"Undid {started}")
    assert row(team, started) == before
    kinds = [e.kind for e in team.history(started)]
    assert kinds[-1] == "undone"


def test_a_wait_undone_later_keeps_its_reason_and_the_work_log_tells_the_pause(
        team: Service, started: str, clock):
    team.wait(started, "GPU quota")
    clock.advance(hours=2)
    team.start(started)
    waiting_again = row(team, started)
    clock.advance(hours=1)
    team.wait(started, "labels")
    clock.advance(minutes=5)
    team.undo()
    restored = row(team, started)
    assert restored["status"] == Status.IN_PROGRESS.value
    assert restored["reason"] is None
    # The five minutes it was waiting are history: the work log shows the pause.
    assert restored["work_log"] != waiting_again["work_log"]
    team.undo()  # one further back: the start after the first wait
    assert row(team, started)["status"] == Status.WAITING.value
    assert row(team, started)["reason"] == "GPU quota"


def test_a_start_with_an_override_is_undone_with_its_override(team: Service, started: str):
    other = team.add_task("CHURN", "Second", Phase.MODELING, owner="alice", estimate=2).key
    before = row(team, other)
    team.undo()  # the add of the second task: it is dropped, reason "undone"
    assert row(team, other)["status"] == Status.DROPPED.value
    assert row(team, other)["reason"] == "undone"
    third = team.add_task("CHURN", "Third", Phase.MODELING, owner="alice", estimate=2).key
    before = row(team, third)
    team.start(third, override="Demo on Friday")
    assert row(team, third)["wip_override"] == "Demo on Friday"
    message = team.undo().message
    assert "WIP override" in message
    assert row(team, third) == before
    kinds = [e.kind for e in team.history(third)]
    assert kinds.count("wip_override") == 1


def test_a_split_is_undone_by_dropping_the_new_part(team: Service, started: str):
    source = row(team, started)
    new = team.split(started, "Second half", estimate=2).task.key
    message = team.undo().message
    assert message.startswith(f"Undid splitting {new} out of {started}")
    assert row(team, new)["status"] == Status.DROPPED.value
    assert row(team, started) == source


def test_project_and_person_changes_are_undone(team: Service):
    team.set_plan("CHURN", {Phase.MODELING: 3, Phase.RESEARCH: 1})
    team.set_plan("CHURN", {Phase.MODELING: 4, Phase.RESEARCH: 0})
    team.undo()
    assert team.require_project("CHURN").plan == {Phase.MODELING: 3, Phase.RESEARCH: 1}
    team.edit_project("CHURN", status="paused", hypothesis="Price predicts churn")
    team.undo()
    project = team.require_project("CHURN")
    assert (project.status, project.hypothesis) == ("active", "Usage drops predict churn")
    team.close_project("CHURN", "negative", "Churn follows prices")
    team.undo()
    project = team.require_project("CHURN")
    assert (project.status, project.outcome, project.outcome_why) == ("active", None, None)
    team.edit_person("alice", wip_limit=2)
    team.undo()
    assert team.require_person("alice").wip_limit == 1


def test_nothing_to_undo_is_refused_with_one_line(team: Service):
    team.add_person("carol")  # only a person on the board writes, undo included
    with pytest.raises(RuleRefused, match="carol has nothing to undo"):
        as_(team, "carol").undo()


def test_adding_a_project_is_kept_and_the_refusal_says_the_way_out(team: Service):
    with pytest.raises(RuleRefused, match="project edit KEY --status stopped"):
        team.undo()


def test_a_change_by_someone_else_since_is_not_overwritten(team: Service, started: str,
                                                           clock):
    team.done(started)
    clock.advance(minutes=10)
    bob = as_(team, "bob")
    bob.reopen(started)
    after_bob = row(team, started)
    with pytest.raises(RuleRefused, match=rf"bob changed {started} since \(done → to do"):
        team.undo()
    assert row(team, started) == after_bob
    bob.undo()  # once bob's change is undone, alice's done can be undone in turn
    team.undo()
    assert row(team, started)["status"] == Status.IN_PROGRESS.value


def test_undo_is_a_change_of_its_own_and_is_not_undone_again(team: Service, started: str):
    team.move(started, Phase.RESEARCH)
    team.undo()
    team.undo()  # goes one change further back: the start
    assert row(team, started)["status"] == Status.TODO.value
    assert row(team, started)["phase"] == Phase.MODELING.value
    events = team.history(started)
    assert [e.kind for e in events].count("undone") == 2
    assert all(e.kind != "undone" or e.actor == "alice" for e in events)


def test_every_event_of_a_change_shares_its_change_id_and_one_carries_the_task_before(
        team: Service, started: str):
    other = team.add_task("CHURN", "Second", Phase.MODELING, owner="alice", estimate=2).key
    team.start(other, override="Deadline")
    with team.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT e.kind, e.change, e.before FROM event e JOIN task t ON t.id = e.task_id "
            "WHERE t.key = :key ORDER BY e.id"), {"key": other}).all()
    start_events = rows[1:]
    assert [r.kind for r in start_events] == ["wip_override", "started"]
    assert len({r.change for r in start_events}) == 1
    assert rows[0].change != start_events[0].change
    assert sum(1 for r in start_events if r.before) == 1
