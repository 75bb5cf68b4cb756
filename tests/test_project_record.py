"""A project's record: plan, deliverables, pivots, outcome, estimates and A/B test designs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mlkanban.domain.errors import BadInput, RuleRefused
from mlkanban.domain.estimation import estimate
from mlkanban.domain.phases import Phase
from tests.helpers import acting_as, dump_db, run_cli


@pytest.fixture
def cli(db_path, clock, team):
    def run(*args: str):
        return run_cli(db_path, clock, *args)

    return run


def test_estimate_doubles_per_factor_and_warns(cli):
    result = cli("project", "estimate", "CHURN", "--days", "10", "--factor", "dirty-data",
                 "--factor", "review")
    assert result.exit_code == 0
    assert "estimate: 40 working days (8 weeks)" in result.stdout
    assert result.stdout.count("× 2") == 2
    assert "warning: over 20 working days" in result.stderr


def test_estimate_can_be_stored_as_the_plan(cli, team):
    result = cli("project", "estimate", "CHURN", "--days", "5", "--factor", "big-data",
                 "--plan", "modeling")
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert team.require_project("CHURN").plan == {Phase.MODELING: 2.0}


def test_estimate_without_factors():
    assert estimate(3, []).days == 3
    with pytest.raises(BadInput, match="twice"):
        estimate(3, ["review", "review"])


def test_plan_deliver_pivot_close(cli, team, clock):
    assert cli("project", "plan", "CHURN", "research=1", "modeling=3", "ab=2").exit_code == 0
    clock.advance(hours=1)
    assert cli("project", "plan", "CHURN", "ab=0", "modeling=4").exit_code == 0
    assert team.require_project("CHURN").plan == {Phase.RESEARCH: 1.0, Phase.MODELING: 4.0}

    assert cli("project", "deliver", "CHURN", "research", "Execution plan",
               "--link", "docs/plan.md").exit_code == 0
    assert cli("project", "pivot", "CHURN", "Rules baseline beat the model; try survival analysis"
               ).exit_code == 0
    clock.advance(hours=1)
    assert cli("project", "close", "CHURN", "--outcome", "negative",
               "--why", "Churn is driven by pricing, not usage").exit_code == 0

    record = json.loads(cli("project", "show", "CHURN", "--json").stdout)
    assert record["status"] == "stopped"
    assert (record["outcome"], record["outcome_why"]) == (
        "negative", "Churn is driven by pricing, not usage")
    assert record["deliverables"][0]["title"] == "Execution plan"
    assert record["pivots"][0]["text"].startswith("Rules baseline")
    kinds = [e.kind for e in team.project_events("CHURN")]
    assert kinds.count("plan_set") == 5
    assert {"delivered", "pivot", "closed", "project_edited"} <= set(kinds)

    text = cli("project", "show", "CHURN").stdout
    assert "✓ Research" in text and "Pivots" in text and "negative" in text


def test_edit_project(cli, team):
    result = cli("project", "edit", "CHURN", "--metric", "AUC on 2026 cohort", "--status", "paused",
                 "--owner", "bob")
    assert result.exit_code == 0
    project = team.require_project("CHURN")
    assert (project.metric, project.status, project.owner) == (
        "AUC on 2026 cohort", "paused", "bob"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("project", "plan", "CHURN", "deploy=2"), "unknown phase"),
        (("project", "plan", "CHURN", "modeling=-1"), "between 0 and 104"),
        (("project", "plan", "CHURN", "modeling=three"), "must be a number"),
        (("project", "plan", "CHURN", "modeling"), "PHASE=WEEKS"),
        (("project", "close", "CHURN", "--outcome", "great", "--why", "x"), "unknown outcome"),
        (("project", "close", "CHURN", "--outcome", "positive", "--why", " "), "required"),
        (("project", "estimate", "CHURN", "--days", "10", "--factor", "gpu"), "unknown factor"),
        (("project", "estimate", "CHURN", "--days", "-3"), "positive number"),
        (("project", "estimate", "CHURN", "--days", "ten"), "not a valid float"),
        (("project", "deliver", "CHURN", "deploy", "x"), "unknown phase"),
        (("project", "deliver", "NOPE", "eda", "x"), "no project 'NOPE'"),
        (("project", "pivot", "CHURN", ""), "required"),
        (("project", "edit", "CHURN", "--status", "done"), "unknown project status"),
        (("project", "show", "NOPE"), "no project 'NOPE'"),
        (("ab-test", "CHURN-1", "--days", "14", "--traffic", "50"), "only a task in A/B Testing"),
        (("ab-test", "CHURN-2", "--days", "0", "--traffic", "50"), "1-365 days"),
        (("ab-test", "CHURN-2", "--days", "14", "--traffic", "150"), "percentage"),
    ],
)
def test_bad_input_changes_nothing(cli, team, db_path, args, message):
    team.add_task("CHURN", "Not a test", Phase.MODELING, owner="alice")
    team.add_task("CHURN", "The test", Phase.AB_TESTING, owner="alice")
    before = dump_db(db_path)
    result = cli(*args)
    assert result.exit_code in (1, 2), result.output
    assert result.exit_code == (1 if "only a task" in message else 2)
    assert message in result.stderr
    assert dump_db(db_path) == before


def test_ab_test_progress_while_waiting(cli, team, clock):
    task = team.add_task("CHURN", "Run the churn A/B test", Phase.AB_TESTING, owner="bob")
    assert cli("ab-test", task.key, "--days", "14", "--traffic", "20", "--control", "no outreach",
               "--metric", "30-day retention").exit_code == 0
    bob = acting_as(team, "bob")  # only a task's owner starts or parks it
    bob.start(task.key)
    bob.wait(task.key, "A/B test collecting traffic")
    clock.advance(days=4)
    listing = json.loads(cli("ls", "--json").stdout)
    assert listing[0]["ab_test"] == "day 5 of 14"
    assert "A/B day 5 of 14" in cli("ls").stdout
    clock.advance(days=10)
    assert team.ab_tests()[task.key].progress(team.today()) == "finished (14 days)"


def test_ab_test_needs_the_ab_phase(team):
    task = team.add_task("CHURN", "Model", Phase.MODELING)
    with pytest.raises(RuleRefused, match="A/B Testing"):
        team.set_ab_test(task.key, started_at=team.now(), duration_days=7, traffic_share=10)


def test_record_survives_export_and_import(cli, team, db_path, tmp_path, clock):
    task = team.add_task("CHURN", "Run test", Phase.AB_TESTING, owner="bob")
    team.set_ab_test(task.key, started_at=clock.now - timedelta(days=1), duration_days=14,
                     traffic_share=50, control="old", metric="retention")
    team.deliver("CHURN", Phase.RESEARCH, "Plan", link="docs/plan.md")
    export = tmp_path / "out.jsonl"
    cli("export", "-o", str(export))
    copy = tmp_path / "copy.db"
    assert run_cli(copy, clock, "import", str(export)).exit_code == 0
    before = dump_db(copy)
    assert "Nothing to import" in run_cli(copy, clock, "import", str(export)).stdout
    assert dump_db(copy) == before
    assert before["deliverable"] and before["ab_test"]
