"""The service layer with an injected clock: each change and its event, and the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mlkanban.domain.errors import BadInput, NotFound, RuleRefused
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.service import Service
from tests.helpers import acting_as


@pytest.fixture
def engine(backend_engine):
    """Every service test runs on SQLite and on PostgreSQL."""
    return backend_engine


def kinds(service: Service, key: str) -> list[str]:
    return [e.kind for e in service.history(key)]


def test_keys_count_up_per_project(team: Service):
    team.add_project("FRAUD", "Fraud")
    assert team.add_task("CHURN", "a", Phase.RESEARCH).key == "CHURN-1"
    assert team.add_task("churn", "b", Phase.RESEARCH).key == "CHURN-2"
    assert team.add_task("FRAUD", "c", Phase.RESEARCH).key == "FRAUD-1"


def test_every_change_writes_its_event_at_the_clock_time(team: Service, clock):
    task = team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=3)
    clock.advance(hours=1)
    team.start(task.key)
    clock.advance(hours=1)
    team.move(task.key, Phase.DATA_EXPLORATION)
    clock.advance(hours=1)
    team.done(task.key)
    history = team.history(task.key)
    assert [e.kind for e in history] == ["created", "started", "moved_phase", "status_changed"]
    assert [e.at for e in history] == [clock.now - timedelta(hours=h) for h in (3, 2, 1, 0)]
    assert (history[2].old, history[2].new) == ("modeling", "data-exploration")
    assert all(e.actor == "alice" for e in history)
    done = team.task(task.key)
    assert done.status is Status.DONE and done.done_at == clock.now


def test_second_start_is_refused_and_changes_nothing(team: Service):
    first = team.add_task("CHURN", "First", Phase.MODELING, owner="alice")
    second = team.add_task("CHURN", "Second", Phase.RESEARCH, owner="alice")
    team.start(first.key)
    before = team.latest_event_id()
    with pytest.raises(RuleRefused, match="CHURN-1 “First”"):
        team.start(second.key)
    assert team.task(second.key).status is Status.TODO
    assert team.latest_event_id() == before


def test_override_is_recorded_with_its_reason(team: Service):
    first = team.add_task("CHURN", "First", Phase.MODELING, owner="alice")
    second = team.add_task("CHURN", "Second", Phase.RESEARCH, owner="alice")
    team.start(first.key)
    change = team.start(second.key, override="production incident")
    assert "overridden" in change.notice
    assert change.task.wip_override == "production incident"
    override = [e for e in team.history(second.key) if e.kind == "wip_override"]
    assert len(override) == 1 and override[0].reason == "production incident"


def test_blank_override_reason_is_bad_input(team: Service):
    task = team.add_task("CHURN", "First", Phase.MODELING, owner="alice")
    with pytest.raises(BadInput):
        team.start(task.key, override="  ")


def test_waiting_does_not_count_toward_wip(team: Service):
    ab = team.add_task("CHURN", "Run A/B test", Phase.AB_TESTING, owner="alice")
    other = team.add_task("CHURN", "Write report", Phase.RESULTS_ANALYSIS, owner="alice")
    team.start(ab.key)
    team.wait(ab.key, "A/B test collecting traffic")
    team.start(other.key)
    with pytest.raises(RuleRefused):
        team.start(ab.key)  # resuming counts again
    assert team.task(ab.key).reason == "A/B test collecting traffic"


def test_wip_limit_of_two(team: Service):
    keys = [team.add_task("CHURN", f"t{i}", Phase.MODELING, owner="bob").key for i in range(3)]
    bob = acting_as(team, "bob")
    bob.start(keys[0])
    bob.start(keys[1])
    with pytest.raises(RuleRefused, match="2/2"):
        bob.start(keys[2])


def test_estimate_rules(team: Service):
    task = team.add_task("CHURN", "Big", Phase.MODELING)
    with pytest.raises(RuleRefused, match="split"):
        team.estimate(task.key, 6)
    with pytest.raises(BadInput):
        team.estimate(task.key, 0)
    with pytest.raises(RuleRefused):
        team.add_task("CHURN", "Bigger", Phase.MODELING, estimate=10)
    team.estimate(task.key, 5)
    assert team.task(task.key).estimate == 5


def test_reasons_are_required(team: Service):
    task = team.add_task("CHURN", "t", Phase.MODELING, owner="alice")
    with pytest.raises(BadInput, match="reason"):
        team.wait(task.key, "")
    with pytest.raises(BadInput, match="reason"):
        team.drop(task.key, " ")


def test_unknown_things_are_not_found(team: Service):
    with pytest.raises(NotFound, match="no project 'NOPE'"):
        team.add_task("NOPE", "t", Phase.MODELING)
    with pytest.raises(NotFound, match="no person 'carol'"):
        team.add_task("CHURN", "t", Phase.MODELING, owner="carol")
    with pytest.raises(NotFound, match="no task 'CHURN-9'"):
        team.start("CHURN-9")
    with pytest.raises(BadInput, match="invalid task key"):
        team.start("churn9")


def test_backdating(team: Service, clock):
    clock.advance(days=2)
    task = team.add_task(
        "CHURN", "t", Phase.MODELING, owner="alice", at=clock.now - timedelta(days=2)
    )
    team.start(task.key, at=clock.now - timedelta(days=1))
    team.done(task.key, at=clock.now - timedelta(hours=3))
    history = team.history(task.key)
    assert [e.at for e in history] == [
        clock.now - timedelta(days=2), clock.now - timedelta(days=1), clock.now - timedelta(hours=3)
    ]


def test_future_and_out_of_order_times_are_refused(team: Service, clock):
    task = team.add_task("CHURN", "t", Phase.MODELING, owner="alice")
    with pytest.raises(BadInput, match="in the future"):
        team.start(task.key, at=clock.now + timedelta(hours=2))
    with pytest.raises(BadInput, match="before the last change recorded for CHURN-1"):
        team.start(task.key, at=clock.now - timedelta(days=1))
    assert team.task(task.key).status is Status.TODO


def test_start_unassigned_takes_it_for_the_actor(team: Service):
    task = team.add_task("CHURN", "t", Phase.MODELING)
    change = team.start(task.key)
    assert change.task.owner == "alice"
    assert kinds(team, task.key) == ["created", "assigned", "started"]


def test_start_unassigned_by_a_stranger_is_refused(engine, clock, team: Service):
    task = team.add_task("CHURN", "t", Phase.MODELING)
    stranger = Service(engine, actor="zed", clock=clock)
    with pytest.raises(BadInput, match="'zed' is not a person on this board"):
        stranger.start(task.key)


def test_handing_an_in_progress_task_respects_the_new_owners_wip(team: Service):
    mine = team.add_task("CHURN", "mine", Phase.MODELING, owner="alice")
    theirs = team.add_task("CHURN", "theirs", Phase.MODELING, owner="bob")
    team.start(mine.key)
    acting_as(team, "bob").start(theirs.key)
    team.add_person("carol")
    team.assign(theirs.key, "carol")
    team.assign(theirs.key, "bob")
    with pytest.raises(RuleRefused):
        team.assign(theirs.key, "alice")
    assert team.task(theirs.key).owner == "bob"
    change = team.assign(theirs.key, "alice", override="pairing this week")
    assert change.task.owner == "alice"


def test_split_creates_a_sibling(team: Service):
    task = team.add_task("CHURN", "Everything", Phase.MODELING, owner="alice", estimate=5)
    change = team.split(task.key, "The second half", estimate=2)
    new = change.task
    assert (new.key, new.phase, new.owner, new.estimate, new.status) == (
        "CHURN-2", Phase.MODELING, "alice", 2, Status.TODO
    )
    assert kinds(team, task.key)[-1] == "split"
    assert team.history(new.key)[0].reason == "split from CHURN-1"


def test_transitions_are_enforced(team: Service):
    task = team.add_task("CHURN", "t", Phase.MODELING, owner="alice")
    team.drop(task.key, "pivot to a new approach")
    with pytest.raises(RuleRefused, match="dropped"):
        team.done(task.key)
    team.reopen(task.key)
    assert team.task(task.key).status is Status.TODO
    assert team.task(task.key).reason is None


def test_duplicates_are_refused(team: Service):
    with pytest.raises(BadInput, match="already exists"):
        team.add_person("alice")
    with pytest.raises(BadInput, match="already exists"):
        team.add_project("churn", "Again")


def test_age_and_over_size_in_working_days(team: Service, clock):
    # Started Monday 16 November; "now" is Monday 23 November: day 6 -> over size.
    clock.advance(days=-7)
    task = team.add_task("CHURN", "t", Phase.MODELING, owner="alice", estimate=5)
    team.start(task.key)
    clock.advance(days=7)
    view = team.task(task.key)
    assert view.age(team.today(), team.calendar) == 6
    assert view.over_size(team.today(), team.calendar)


def test_tasks_filters(team: Service):
    team.add_task("CHURN", "a", Phase.MODELING, owner="alice")
    team.add_task("CHURN", "b", Phase.RESEARCH, owner="bob")
    team.add_task("CHURN", "c", Phase.RESEARCH)
    assert [t.title for t in team.tasks(owner="bob")] == ["b"]
    assert [t.title for t in team.tasks(phase=Phase.RESEARCH)] == ["b", "c"]
    assert [t.title for t in team.tasks(unassigned=True)] == ["c"]
