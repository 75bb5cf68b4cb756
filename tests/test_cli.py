"""The command line as a user scripts it: a week of work, and every kind of bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.helpers import dump_db, run_cli


@pytest.fixture
def cli(db_path, clock):
    def run(*args: str, actor: str = "alice"):
        return run_cli(db_path, clock, *args, actor=actor)

    return run


@pytest.fixture
def week(cli, clock):
    """Monday a week ago: people, a project, tasks in several phases."""
    clock.advance(days=-7)
    assert cli("person", "add", "alice", "--name", "Alice Martin").exit_code == 0
    assert cli("person", "add", "bob", "--wip", "2").exit_code == 0
    assert cli("project", "add", "CHURN", "Churn prediction", "--plan", "research=1",
               "--plan", "modeling=3").exit_code == 0
    for title, phase, owner in [
        ("Define churn label", "research", "alice"),
        ("Explore usage logs", "eda", "alice"),
        ("Train LightGBM baseline", "modeling", "alice"),
        ("Run A/B test", "ab", "bob"),
    ]:
        result = cli("add", title, "--project", "CHURN", "--phase", phase, "--owner", owner,
                     "--estimate", "3")
        assert result.exit_code == 0, result.output
    return cli


def test_add_prints_the_new_key(week, cli):
    result = cli("add", "One more", "-p", "churn", "--phase", "results")
    assert result.exit_code == 0
    assert result.stdout.strip() == "CHURN-5"


def test_a_scripted_week(week, cli, clock):
    assert cli("start", "CHURN-1").exit_code == 0

    refused = cli("start", "CHURN-2")
    assert refused.exit_code == 1
    assert "CHURN-1 “Define churn label”" in refused.stderr
    assert refused.stderr.count("\n") == 1

    clock.advance(hours=2)
    forced = cli("start", "CHURN-2", "--override", "urgent data fix")
    assert forced.exit_code == 0
    assert "overridden" in forced.stderr

    assert cli("start", "CHURN-4", actor="bob").exit_code == 0
    assert cli("wait", "CHURN-4", "--reason", "A/B test collecting traffic",
               actor="bob").exit_code == 0

    clock.advance(days=1)
    assert cli("done", "CHURN-1", "--at", "2h ago").exit_code == 0
    assert cli("done", "CHURN-2").exit_code == 0
    assert cli("start", "CHURN-3").exit_code == 0
    assert cli("move", "CHURN-3", "eda").exit_code == 0  # back from modeling

    clock.advance(days=1)
    # bob's waiting task does not count toward his WIP
    assert cli("add", "Second", "-p", "CHURN", "--phase", "ab", "-o", "bob").exit_code == 0
    assert cli("start", "CHURN-5", actor="bob").exit_code == 0

    show = cli("show", "CHURN-3")
    assert show.exit_code == 0
    history = show.stdout.split("\nHistory (", 1)[1].split("\n", 1)[1]  # after its count
    lines = [line for line in history.splitlines() if line.strip()]
    assert ["created" in lines[0], "to do → in progress" in lines[1],
            "moved back Modeling → Data Exploration" in lines[2]] == [True, True, True]

    listing = json.loads(cli("ls", "--json").stdout)
    by_key = {item["key"]: item for item in listing}
    assert set(by_key) == {"CHURN-3", "CHURN-4", "CHURN-5"}
    for field in ("key", "title", "project", "phase", "owner", "status", "estimate"):
        assert field in by_key["CHURN-3"]
    assert by_key["CHURN-3"]["phase"] == "data-exploration"
    assert by_key["CHURN-4"]["status"] == "waiting"

    everything = json.loads(cli("ls", "--all", "--json").stdout)
    assert {i["key"]: i["status"] for i in everything}["CHURN-1"] == "done"


def test_backdated_done_is_recorded_at_that_time(week, cli, clock):
    cli("start", "CHURN-1")
    clock.advance(days=1)
    assert cli("done", "CHURN-1", "--at", "yesterday 17:00").exit_code == 0
    shown = json.loads(cli("show", "CHURN-1", "--json").stdout)
    done_at = (clock.now - timedelta(days=1)).replace(hour=17, minute=0, second=0)
    assert shown["done_at"] == done_at.isoformat()
    assert shown["history"][-1]["at"] == done_at.isoformat()


def test_estimate_above_five_is_a_rule_refusal(week, cli, db_path):
    before = dump_db(db_path)
    result = cli("estimate", "CHURN-1", "7")
    assert result.exit_code == 1
    assert "split" in result.stderr
    assert dump_db(db_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("move", "CHURN-1", "deployment"), "unknown phase 'deployment'"),
        (("assign", "CHURN-1", "carol"), "no person 'carol'"),
        (("add", "x", "-p", "NOPE", "--phase", "eda"), "no project 'NOPE'"),
        (("start", "CHURN-42"), "no task 'CHURN-42'"),
        (("start", "not a key"), "invalid task key"),
        (("done", "CHURN-1", "--at", "the day after never"), "cannot read --at"),
        (("done", "CHURN-1", "--at", "2031-01-01 10:00"), "in the future"),
        (("done", "CHURN-1", "--at", "tomorrow"), "in the future"),
        (("estimate", "CHURN-1", "-1"), "must be 1-5"),
        (("estimate", "CHURN-1", "lots"), "not a valid integer"),
        (("ls", "--status", "finished"), "unknown status"),
        (("ls", "--owner", "carol"), "no person 'carol'"),
        (("project", "add", "churn_2", "x"), "invalid project key"),
        (("project", "add", "NEW", "x", "--plan", "modeling=lots"), "must be a number"),
        (("person", "add", "Bad Handle!"), "invalid handle"),
        (("wait", "CHURN-1", "--reason", ""), "reason"),
        (("import", "missing.jsonl"), "cannot read missing.jsonl"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(week, cli, db_path, args, message):
    before = dump_db(db_path)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert dump_db(db_path) == before


def test_usage_errors_are_one_line_too(week, cli):
    result = cli("add", "no project given")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--project" in result.stderr


def test_ls_filters_and_table(week, cli):
    result = cli("ls", "--owner", "alice", "--phase", "modeling")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["KEY", "STATUS", "PHASE", "OWNER", "EST", "AGE", "TITLE"]
    assert len(lines) == 2 and lines[1].startswith("CHURN-3")


def test_acting_person_from_environment(week, db_path, clock, monkeypatch):
    from click.testing import CliRunner

    from mlkanban.cli import cli as command
    from mlkanban.commands.common import AppContext

    monkeypatch.setenv("MLKANBAN_DB", str(db_path))
    monkeypatch.setenv("MLKANBAN_USER", "bob")
    result = CliRunner().invoke(command, ["start", "CHURN-4"], obj=AppContext(clock=clock))
    assert result.exit_code == 0
    shown = CliRunner().invoke(command, ["show", "CHURN-4", "--json"], obj=AppContext(clock=clock))
    events = json.loads(shown.stdout)["history"]
    assert events[-1]["actor"] == "bob"


def test_a_database_that_is_not_one(tmp_path, clock):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    result = run_cli(junk, clock, "ls")
    assert result.exit_code == 2
    assert result.stderr.startswith("mlkanban: ")
    assert result.stderr.count("\n") == 1


def test_info_says_where_things_live_and_hides_passwords(week, cli, db_path):
    result = cli("info")
    assert result.exit_code == 0
    assert f"database  {db_path}" in result.stdout
    assert "2 people" in result.stdout and "4 tasks" in result.stdout

    from mlkanban.commands.data import shown_database

    shown = shown_database("postgresql+psycopg://team:s3cret@db.example.com/board")
    assert "s3cret" not in shown and "db.example.com/board" in shown


def test_json_is_one_line_for_a_pipe_and_indented_at_a_terminal(week, cli, monkeypatch, capsys):
    piped = cli("ls", "--json").stdout
    assert piped.count("\n") == 1 and len(json.loads(piped)) == 4

    from mlkanban.commands.common import echo_json

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    echo_json([{"key": "CHURN-1", "title": "Définir | le label"}])
    shown = capsys.readouterr().out
    assert shown.splitlines()[:3] == ["[", "  {", '    "key": "CHURN-1",']
    assert json.loads(shown) == [{"key": "CHURN-1", "title": "Définir | le label"}]


def test_the_size_limit_names_the_split_command(week, cli):
    refused = cli("estimate", "CHURN-1", "8")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "mlkanban: an estimate of 8 working days is over the size limit of 5; split the "
        "task so progress shows every week (mlkanban split KEY TITLE --estimate N)\n"
    )
    assert cli("split", "CHURN-1", "Label audit", "--estimate", "3").exit_code == 0


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+psycopg://team:s3cret@db.example.com:5432/board",
     "postgresql+psycopg://team:***@db.example.com:5432/board"),
    ("postgresql://team:p@ss/w:rd@db.example.com/board", "postgresql://team:***@db.example.com/board"),
    ("postgresql://:s3cret@db.example.com/board", "postgresql://:***@db.example.com/board"),
    ("postgresql://team@db.example.com/board", "postgresql://team@db.example.com/board"),
    ("postgresql://db.example.com/board?x=a:b@c", "postgresql://db.example.com/board?x=a:b@c"),
    ("board.db", "board.db"),
])
def test_a_database_url_is_shown_without_its_password(url, shown):
    """Masked up to the last ``@``: a password holding one leaks nothing."""
    from mlkanban.commands.data import shown_database

    assert shown_database(url) == shown


def test_lazy_commands_are_all_named():
    """A command module imported only when used names all its commands in LAZY_COMMANDS,
    so that ``--help`` lists them all, in the order the modules give them."""
    import importlib

    from mlkanban.cli import LAZY_COMMANDS, cli

    for module_name in set(LAZY_COMMANDS.values()):
        module = importlib.import_module(f"mlkanban.commands.{module_name}")
        assert {c.name: module_name for c in module.COMMANDS}.items() <= LAZY_COMMANDS.items()
    names = cli.list_commands(None)
    assert names[-len(LAZY_COMMANDS):] == list(LAZY_COMMANDS)
    assert sorted(names) == sorted(cli.commands) and len(names) == len(set(names))
