"""Messages a person understands: the real problem first, a guess at what was meant,
the accepted values with their short names, and numbers that agree with their nouns.
Bad text never gets in: the command line and ``import`` refuse it alike, by line."""

from __future__ import annotations

import json

import pytest

from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import Phase
from mlkanban.store import validate
from tests.helpers import dump_db, run_cli


@pytest.fixture
def board(team, db_path, clock):
    """alice and bob; CHURN-1 alice's (to do), CHURN-2 done by alice."""
    team.add_task("CHURN", "Baseline", Phase.MODELING, owner="alice", estimate=2)
    team.add_task("CHURN", "Audit", Phase.DATA_EXPLORATION, owner="alice", estimate=1)
    clock.advance(hours=1)
    team.start("CHURN-2")
    clock.advance(hours=1)
    team.done("CHURN-2")
    clock.advance(hours=1)
    return db_path


def refused(db, clock, *args, actor="alice", code=2) -> str:
    """The one line a refused command prints; the database is left as it was."""
    before = dump_db(db)
    result = run_cli(db, clock, *args, actor=actor)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("mlkanban: ") and result.stderr.count("\n") == 1
    assert dump_db(db) == before
    return result.stderr.removeprefix("mlkanban: ").rstrip("\n")


def test_an_unknown_person_acting_is_named_first(board, clock):
    message = refused(board, clock, "start", "CHURN-1", actor="zed")
    assert "zed" in message.split(";")[0]
    assert "no owner" not in message


def test_adding_over_the_size_limit_does_not_suggest_splitting_a_missing_task(board, clock):
    message = refused(board, clock, "add", "Big", "-p", "CHURN", "--phase", "eda", "-e", "6",
                      code=1)
    assert "split KEY" not in message
    assert "add it as two or more tasks of at most 5 working days each" in message


def test_finishing_a_done_task_says_it_is_done_before_history_order(board, clock):
    message = refused(board, clock, "done", "CHURN-2", "--at", "3h ago", code=1)
    assert message == "CHURN-2 is already done"


@pytest.mark.parametrize("args, guess", [
    (["ls", "--phase", "modelling"], "did you mean modeling?"),
    (["move", "CHURN-1", "reserch"], "did you mean research?"),
    (["ls", "--status", "inprogres"], "did you mean in_progress?"),
    (["assign", "CHURN-1", "alcie"], "did you mean alice?"),
    (["add", "T", "-p", "CHRUN", "--phase", "eda"], "did you mean CHURN?"),
    (["start", "CHRUN-1"], "there is no project CHRUN (did you mean CHURN?)"),
    (["strat", "CHURN-1"], "'start'?)"),  # click's own guess for commands
])
def test_a_typo_gets_a_guess(board, clock, args, guess):
    assert guess in refused(board, clock, *args)


def test_the_phase_list_names_the_short_names(board, clock):
    message = refused(board, clock, "ls", "--phase", "xyz")
    assert "did you mean" not in message  # nothing close: no guess
    assert "data-exploration (eda, data)" in message
    assert "ab-testing (ab)" in message


def test_numbers_agree_with_their_nouns(board, clock, tmp_path):
    assert run_cli(board, clock, "estimate", "CHURN-1", "1").stdout == (
        "Estimated CHURN-1 at 1 working day\n")
    shown = run_cli(board, clock, "show", "CHURN-1").stdout
    assert "estimate  1 working day\n" in shown
    assert "History (2 events)" in shown
    reopened = run_cli(board, clock, "reopen", "CHURN-2").stdout
    assert reopened.startswith("Back to to do: CHURN-2")
    export = tmp_path / "one.jsonl"
    lines = [line for line in run_cli(board, clock, "export").stdout.splitlines()
             if json.loads(line)["type"] in ("header", "person")][:2]
    export.write_text("\n".join(lines) + "\n")
    fresh = tmp_path / "fresh.db"
    assert run_cli(fresh, clock, "import", str(export)).stdout == "Imported 1 person\n"


# ------------------------------------------------------------------ text that cannot be kept


@pytest.mark.parametrize("value, problem", [
    ("bad \udcff title", "not valid UTF-8 text: 'bad \\xff title'"),
    ("a\x00b", "contains a NUL character"),
    ("x\x1b]0;pwned\x07", "contains a control character (U+001B)"),
    ("x\x9b31m", "contains a control character (U+009B)"),
    ("t" * 201, "201 characters long; keep it under 200"),
])
def test_the_command_line_refuses_text_it_could_not_keep(board, clock, value, problem):
    assert problem in refused(board, clock, "add", value, "-p", "CHURN", "--phase", "eda")


def test_text_keeps_tabs_newlines_and_right_to_left_letters():
    assert validate.text("line\n\tmore", "description") == "line\n\tmore"
    assert validate.title("שלום עולם مرحبا") == "שלום עולם مرحبا"
    for bad in ("bell\x07", "\u202eright to left override", "isolate \u2066x\u2069"):
        with pytest.raises(BadInput, match="control character"):
            validate.title(bad)


@pytest.mark.parametrize("actor, problem", [
    ("zed\udcff", "an argument is not valid UTF-8 text: 'zed\\xff'"),
    ("a\x1b]0;x\x07", "invalid handle 'a\\x1b]0;x\\x07' (--as)"),
    ("Not A Handle", "invalid handle 'Not A Handle' (--as)"),
])
def test_as_takes_handles_only(board, clock, actor, problem):
    assert problem in refused(board, clock, "start", "CHURN-1", actor=actor)


def _export(board, clock, tmp_path, change, name="changed.jsonl"):
    """The board's export with ``change`` applied to each record (a dict)."""
    out = tmp_path / name
    records = [json.loads(line) for line in run_cli(board, clock, "export").stdout.splitlines()]
    out.write_text("".join(json.dumps(change(r)) + "\n" for r in records))
    return out


def _set(kind, **values):
    return lambda record: {**record, **values} if record["type"] == kind else record


@pytest.mark.parametrize("change, problem", [
    (_set("task", title="x" * 1_000_000),
     "line 5: task CHURN-1: the title is 1000000 characters long; keep it under 200"),
    (_set("task", title="a\x00b"), "line 5: task CHURN-1: the title contains a NUL character"),
    (_set("event", reason="\x1b]0;pwned\x07"), "the reason contains a control character"),
    (_set("person", name="\x9b31m"), "line 2: person alice: the name contains a control"),
    (_set("header", schema_revision="9999"),
     "was exported by a newer mlkanban (schema revision 9999"),
])
def test_import_refuses_what_the_command_line_refuses(board, clock, tmp_path, change, problem):
    path = _export(board, clock, tmp_path, change)
    fresh = tmp_path / "fresh.db"
    run_cli(fresh, clock, "person", "add", "alice")
    message = refused(fresh, clock, "import", str(path))
    assert problem in message
    assert "\x00" not in message and "\x1b" not in message and "\x9b" not in message


def test_an_unchanged_export_still_imports(board, clock, tmp_path):
    path = _export(board, clock, tmp_path, lambda record: record)
    result = run_cli(tmp_path / "fresh.db", clock, "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Imported 2 people, 1 project, 2 tasks")
