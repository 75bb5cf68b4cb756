"""import-jira on files shaped like real exports (``tests/fixtures/jira``, see its README):
one test (or more) per finding of the exports the importer first met."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.helpers import dump_db, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "jira"
CLOUD = FIXTURES / "cloud_all_fields.csv"
SERVER = FIXTURES / "server_2016.csv"
SPANISH = FIXTURES / "spanish.csv"
RUSSIAN = FIXTURES / "russian.csv"
CURRENT = FIXTURES / "current_fields.csv"
SERVER_STATUSES = ("--map-status", "V2 - Enhancement=todo", "--map-status",
                   "Verified by solvit=done", "--map-status", "wishlist=todo")


@pytest.fixture
def cli(db_path, clock):
    def run(*args: str, actor: str = "alice"):
        return run_cli(db_path, clock, *args, actor=actor)

    return run


def _tasks(cli) -> dict[str, dict]:
    return {t["key"]: t for t in json.loads(cli("ls", "--all", "--json").stdout)}


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path


def _refused(cli, db_path, *args: str) -> str:
    """Run an import that must be refused: exit 2, a short message, nothing written."""
    if not db_path.exists():
        assert cli("person", "add", "alice").exit_code == 0  # a board to leave unchanged
    before = dump_db(db_path)
    result = cli("import-jira", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert dump_db(db_path) == before
    return result.stderr


# ------------------------------------------------------------ 1. Jira keys are kept


def test_tasks_keep_their_jira_key_and_commands_take_it(cli):
    assert cli("import-jira", str(CLOUD)).exit_code == 0
    tasks = _tasks(cli)
    # outside any epic: exactly Jira's key; in an epic's project: Jira's number
    assert {k: t["jira_key"] for k, t in tasks.items()} == {
        "CR-339": "CR-339", "CR-342": "CR-342", "CR-343": "CR-343",
        "CHURN-340": "CR-340", "CHURN-341": "CR-341", "PRICING-301": "CR-301",
    }
    shown = json.loads(cli("show", "CR-340", "--json").stdout)
    assert (shown["key"], shown["jira_key"], shown["subtasks"]) == (
        "CHURN-340", "CR-340", ["CHURN-341"]
    )
    moved = cli("move", "CR-340", "modeling", actor="ana.souza")
    assert moved.exit_code == 0, moved.output
    assert "CHURN-340" in moved.stdout
    projects = {p["key"]: p["jira_key"] for p in json.loads(cli("project", "ls", "--json").stdout)}
    assert projects == {"CHURN": "CR-338", "PRICING": "CR-300", "CR": "CR"}
    assert json.loads(cli("project", "show", "CR-338", "--json").stdout)["key"] == "CHURN"
    added = cli("add", "Board-side", "-p", "CR", "--phase", "eda", actor="ana.souza")
    assert added.stdout.strip() == "CR-344"  # after every Jira number of CR seen


# ------------------------------------------------------------ 2, 3, 7: one refusal each


def test_no_phase_source_is_one_refusal_naming_default_phase(cli, db_path):
    header, rows = _rows(CLOUD)
    no_labels = [[c if h != "Labels" else "" for h, c in zip(header, row, strict=True)]
                 for row in rows]
    path = _write(db_path.parent / "nolabels.csv", header, no_labels)
    message = _refused(cli, db_path, str(path))
    assert "6 issues with no phase (CR-340, CR-341, CR-342, ...)" in message
    assert "--default-phase PHASE" in message
    assert "line " not in message  # not one line per row
    assert len(message) < 500


def test_unknown_statuses_are_one_refusal_naming_map_status(cli, db_path):
    message = _refused(cli, db_path, str(SERVER))
    assert "3 unknown Jira statuses" in message
    assert "'V2 - Enhancement': 1 issue (SOLV-3)" in message
    assert "'Verified by solvit': 1 issue (SOLV-2)" in message
    assert '--map-status "V2 - Enhancement=in_progress"' in message
    assert "line " not in message
    ok = cli("import-jira", str(SERVER), *SERVER_STATUSES)
    assert ok.exit_code == 0, ok.output
    tasks = _tasks(cli)
    assert {t["jira_key"]: t["status"] for t in tasks.values()} == {
        "SOLV-2": "done", "SOLV-3": "todo", "SOLV-4": "todo",
        "SOLV-5": "todo",  # Backlog: one of Jira's own, mapped by default
    }


def test_a_bad_map_status_is_bad_input(cli, db_path):
    message = _refused(cli, db_path, str(SERVER), "--map-status", "Wishlist")
    assert "expected NAME=VALUE" in message
    message = _refused(cli, db_path, str(SERVER), "--map-status", "Wishlist=someday")
    assert "someday" in message


def test_the_status_category_wins_over_the_status_name(cli):
    cli("import-jira", str(CLOUD))
    tasks = {t["jira_key"]: t["status"] for t in _tasks(cli).values()}
    assert tasks["CR-341"] == "in_progress"  # "To Do", in the In Progress category
    assert tasks["CR-342"] == "in_progress"  # "Analyzing", the team's own


def test_a_missing_required_column_is_one_refusal(cli, db_path):
    message = _refused(cli, db_path, str(CURRENT))
    assert message.count("mlkanban:") == 1 and message.count("\n") == 1
    assert "no 'Created' column" in message
    assert "Export CSV (all fields)" in message


# ------------------------------------------------------------ 4. other languages


def test_a_spanish_export_imports_every_row(cli, db_path):
    message = _refused(cli, db_path, str(SPANISH))
    assert "--default-phase" in message and "'Analizando'" in message
    result = cli("import-jira", str(SPANISH), "--default-phase", "research",
                 "--map-status", "Analizando=in_progress", "--map-status", "Validado=done")
    assert result.exit_code == 0, result.output
    tasks = {t["jira_key"]: t for t in _tasks(cli).values()}
    assert sorted(tasks) == ["AC-11", "AC-12", "AC-13", "AC-14"]  # every issue but the epic
    assert tasks["AC-11"]["created_at"] == "2024-01-16T10:58:00+00:00"  # 16/ene/24 10:58 AM
    assert (tasks["AC-11"]["status"], tasks["AC-11"]["phase"]) == ("in_progress",
                                                                   "data-exploration")
    assert tasks["AC-14"]["done_at"] == "2024-03-08T12:00:00+00:00"
    assert tasks["AC-13"]["status"] == "todo"  # "Tareas por hacer"
    assert tasks["AC-11"]["project"] == tasks["AC-12"]["project"] == "SEGMENTACI"
    projects = {p["key"]: p["name"] for p in json.loads(cli("project", "ls", "--json").stdout)}
    assert projects["AC"] == "Analítica de Clientes"


def test_a_russian_export_reads_its_headers_and_months(cli):
    result = cli("import-jira", str(RUSSIAN))
    assert result.exit_code == 0, result.output
    tasks = {t["jira_key"]: t for t in _tasks(cli).values()}
    assert tasks["OTT-2"]["created_at"] == "2026-07-02T11:30:00+00:00"  # 02/июл/26 11:30
    assert tasks["OTT-3"]["done_at"] == "2025-09-12T18:20:00+00:00"  # 12/сен/25 18:20
    assert tasks["OTT-2"]["owner"] == "dmitrii.sokolov"
    assert tasks["OTT-2"]["project"] == "PROGNOZ"  # "Прогноз оттока", in Latin letters
    comment = [e for e in json.loads(cli("show", "OTT-2", "--json").stdout)["history"]
               if e["kind"] == "commented"]
    assert [(e["actor"], e["new"]) for e in comment] == [
        ("irina.petrova", "Нужны данные поддержки.")
    ]


def test_a_column_named_for_another_language(cli, db_path):
    header, rows = _rows(CLOUD)
    dutch = {"Issue key": "Sleutel", "Summary": "Samenvatting", "Created": "Gemaakt"}
    path = _write(db_path.parent / "nl.csv", [dutch.get(h, h) for h in header], rows)
    message = _refused(cli, db_path, str(path))
    assert "no 'Issue key' column" in message and "--column" in message
    named = [arg for field, title in dutch.items() for arg in ("--column", f"{field}={title}")]
    result = cli("import-jira", str(path), *named)
    assert result.exit_code == 0, result.output
    assert len(_tasks(cli)) == 6


# ------------------------------------------------------------ 5, 6: nothing dropped


def test_comments_labels_long_titles_and_what_is_left_out(cli):
    result = cli("import-jira", str(CLOUD))
    assert ("left out: 8 priority values, 2 sprint values, 1 work log, 1 time-spent value"
            in result.stdout)
    history = json.loads(cli("show", "CR-340", "--json").stdout)["history"]
    comments = [(e["at"], e["actor"], e["new"]) for e in history if e["kind"] == "commented"]
    assert comments == [
        ("2025-01-06T11:20:00+00:00", "ben.okafor",
         'Which "active" do we use?\nFinance says 30 days; product says 14.'),
        ("2025-01-07T09:05:00+00:00", "ana.souza", "Using 30 days; noted in the notebook."),
    ]
    text = cli("show", "CR-340").stdout
    assert "Comments (2)" in text and "    Finance says 30 days; product says 14." in text
    assert "labels    #eda #retention" in text
    labelled = json.loads(cli("ls", "--all", "--label", "#eda", "--json").stdout)
    assert [t["jira_key"] for t in labelled] == ["CR-340", "CR-341"]
    assert labelled[0]["labels"] == ["eda", "retention"]
    long = json.loads(cli("show", "CR-342", "--json").stdout)
    assert long["title"].endswith("…") and len(long["title"]) == 200
    assert long["description"].startswith("Investigate why")
    assert long["description"].split("\n\n")[0].endswith("the model should learn from")
    assert long["description"].endswith("Open question from the kickoff.")


def test_original_estimate_wins_over_story_points(cli):
    cli("import-jira", str(CLOUD))
    estimates = {t["jira_key"]: t["estimate"] for t in _tasks(cli).values()}
    assert estimates["CR-343"] == 1  # 28800 s = 1 day; its 8 story points would be too big
    assert estimates["CR-340"] == 2  # 57600 s; story points 3


# ------------------------------------------------------------ 8. sub-tasks


def test_a_sub_task_names_its_parent_by_key_when_the_parent_is_elsewhere(cli, db_path):
    header, rows = _rows(CLOUD)
    path = _write(db_path.parent / "sub.csv", header, [r for r in rows if r[1] == "CR-341"])
    result = cli("import-jira", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr.rstrip().endswith("CR-341 (parent CR-340)")  # not its id 10340
    assert _tasks(cli)["CR-341"]["parent"] is None  # not on the board yet
    cli("import-jira", str(CLOUD))
    assert _tasks(cli)["CHURN-341"]["parent"] == "CHURN-340"


# ------------------------------------------------------------ 9. people


def test_reporters_and_comment_authors_are_people_without_a_lane(cli):
    cli("import-jira", str(SERVER), *SERVER_STATUSES)
    people = {p["handle"]: p["active"] for p in json.loads(cli("person", "ls", "--json").stdout)}
    assert people == {"jdoe": False, "asmith": True}  # jdoe only reports and comments
    history = [e for key in _tasks(cli) for e in json.loads(cli("show", key, "--json")
                                                              .stdout)["history"]]
    assert {e["actor"] for e in history} <= set(people)
    assert ("jdoe", "commented") in {(e["actor"], e["kind"]) for e in history}


# ------------------------------------------------------------ 10. several files


@pytest.mark.parametrize("order", ["children first", "epics first"])
def test_two_halves_in_either_order_give_the_same_board(tmp_path, clock, order):
    header, rows = _rows(CLOUD)
    first = _write(tmp_path / "a.csv", header, rows[:5])  # stories and sub-tasks
    second = _write(tmp_path / "b.csv", header, rows[5:])  # their epics
    whole = tmp_path / "whole.db"
    assert run_cli(whole, clock, "import-jira", str(CLOUD)).exit_code == 0
    halves = tmp_path / "halves.db"
    files = [first, second] if order == "children first" else [second, first]
    outputs = [run_cli(halves, clock, "import-jira", str(f)) for f in files]
    assert all(o.exit_code == 0 for o in outputs), [o.output for o in outputs]

    def board(db: Path) -> list[dict]:
        return json.loads(run_cli(db, clock, "ls", "--all", "--json").stdout)

    assert board(halves) == board(whole)
    if order == "children first":
        assert "2 tasks of earlier files moved to their epic's project" in outputs[1].stdout
        history = json.loads(run_cli(halves, clock, "show", "CR-341", "--json").stdout)
        moved = [e for e in history["history"] if e["kind"] == "moved_project"]
        assert [(e["old"], e["new"]) for e in moved] == [("CR-341", "CHURN-341")]
        again = run_cli(halves, clock, "import-jira", str(second))
        assert "Nothing to import" in again.stdout


# ------------------------------------------------------------ 11. projects


def test_done_epics_are_closed_projects_and_the_bucket_has_the_projects_name(cli):
    cli("import-jira", str(CLOUD))
    cli("import-jira", str(SERVER), *SERVER_STATUSES)
    projects = {p["key"]: (p["name"], p["status"])
                for p in json.loads(cli("project", "ls", "--json").stdout)}
    assert projects["PRICING"] == ("Pricing experiments", "shipped")  # its status: Done
    assert projects["RECO"] == ("Reco widget", "shipped")  # Open, but Epic Status: Done
    assert projects["CHURN"] == ("Churn model v2", "active")
    assert projects["CR"] == ("Customer Retention", "active")  # Jira's Project name


# ------------------------------------------------------------ re-import


def test_a_reimport_records_phase_and_owner_changes(cli, db_path):
    cli("import-jira", str(CLOUD))
    header, rows = _rows(CLOUD)
    changed = []
    for row in rows:
        row = list(row)
        if row[1] == "CR-342":
            row[header.index("Updated")] = "25/Jan/25 8:00 AM"
            row[header.index("Assignee")] = "Ana Souza"
            row[header.index("Labels")] = "modeling"
        changed.append(row)
    result = cli("import-jira", str(_write(db_path.parent / "later.csv", header, changed)))
    assert result.exit_code == 0, result.output
    assert "1 task changed in Jira since the last import" in result.stdout
    history = json.loads(cli("show", "CR-342", "--json").stdout)["history"]
    kinds = [(e["kind"], e["old"], e["new"], e["at"]) for e in history[2:]]
    assert kinds == [
        ("moved_phase", "research", "modeling", "2025-01-25T08:00:00+00:00"),
        ("assigned", "chen.wei", "ana.souza", "2025-01-25T08:00:00+00:00"),
    ]
    before = dump_db(db_path)
    cli("import-jira", str(db_path.parent / "later.csv"))
    assert dump_db(db_path) == before


def test_the_export_carries_the_jira_columns(cli, db_path, tmp_path, clock):
    cli("import-jira", str(CLOUD))
    exported = tmp_path / "board.jsonl"
    assert cli("export", "-o", str(exported)).exit_code == 0
    copy = tmp_path / "copy.db"
    result = run_cli(copy, clock, "import", str(exported))
    assert result.exit_code == 0, result.output
    assert json.loads(run_cli(copy, clock, "ls", "--all", "--json").stdout) == list(
        _tasks(cli).values()
    )


def test_month_names_load_only_for_a_non_english_date():
    """Babel's locale data costs time: an English export never loads it."""
    import subprocess
    import sys

    code = ("import sys; from mlkanban.io.jira import parse_jira_date as read; "
            "read('12/Mar/24 9:41 AM'); english = 'babel' in sys.modules; "
            "print(english, read('16/ene/24 10:58 AM').month, 'babel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"TZ": "UTC", "PATH": ""}).stdout
    assert out.split() == ["False", "1", "True"]


def test_comments_of_the_week_are_in_the_report_project_section(cli):
    cli("import-jira", str(CLOUD))
    project = json.loads(cli("show", "CR-340", "--json").stdout)["project"]
    report = json.loads(cli("report", "--week", "2025-W02", "-f", "json").stdout)
    section = next(p for p in report["projects"] if p["key"] == project)
    assert [(c["task"], c["author"]) for c in section["comments"]] == [
        (json.loads(cli("show", "CR-340", "--json").stdout)["key"], "ben.okafor"),
        (json.loads(cli("show", "CR-340", "--json").stdout)["key"], "ana.souza"),
    ]
    earlier = json.loads(cli("report", "--week", "2025-W01", "-f", "json").stdout)
    assert all(not p["comments"] for p in earlier["projects"])
