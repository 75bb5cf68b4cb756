"""Importing a Jira "Export CSV (all fields)" file, as real exports look."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime

import pytest

from mlkanban.domain.errors import BadInput
from mlkanban.domain.statuses import Status
from mlkanban.io.jira import map_status, parse_jira_date, read_jira_csv
from mlkanban.io.jira_import import fold_handle, project_key_from
from tests import jira_export
from tests.conftest import NOW
from tests.helpers import dump_db, run_cli


@pytest.fixture
def cli(db_path, clock):
    def run(*args: str):
        return run_cli(db_path, clock, *args)

    return run


@pytest.fixture
def export(tmp_path):
    return jira_export.write(tmp_path / "jira.csv")


def _tasks(cli) -> dict[str, dict]:
    return {t["key"]: t for t in json.loads(cli("ls", "--all", "--json").stdout)}


def _show(cli, key: str) -> dict:
    return json.loads(cli("show", key, "--json").stdout)


def test_the_fixture_is_as_jira_writes_it(export):
    data = export.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert data.count(b"Labels,Labels,Sprint,Sprint") == 1


def test_import_maps_epics_people_statuses_and_phases(cli, export):
    result = cli("import-jira", str(export))
    assert result.exit_code == 0, result.output
    assert "Imported 3 projects, 4 people, 6 tasks" in result.stdout
    assert "note: 1 issue estimated over 5 days, the size limit, left unestimated" in (
        result.stderr
    )
    assert result.stderr.rstrip().endswith(": ML-7")  # too big to carry an estimate

    projects = {p["key"]: p for p in json.loads(cli("project", "ls", "--json").stdout)}
    assert {k: (p["name"], p["status"], p["owner"]) for k, p in projects.items()} == {
        "CHURN": ("Churn prediction", "active", "jose.alvarez"),
        "FRAUD": ("Fraud detection v2", "shipped", "zoe.muller"),
        "ML": ("ML (issues without an epic)", "active", None),
    }
    people = {p["handle"]: (p["name"], p["active"])
              for p in json.loads(cli("person", "ls", "--json").stdout)}
    assert people == {
        "jose.alvarez": ("José Álvarez", True),
        "jose.alvarez2": ("Jose Alvarez", True),  # another name, folding to the same handle
        "zoe.muller": ("Zoë Müller", True),
        "priya.raman": ("Priya Raman", False),  # a reporter: no lane, but a person
    }

    tasks = _tasks(cli)
    summary = {
        key: (t["title"], t["status"], t["phase"], t["owner"], t["estimate"])
        for key, t in tasks.items()
    }
    assert summary == {  # Jira's numbers, in the epic's project
        "CHURN-3": ("Define churn label", "done", "research", "jose.alvarez", 2),
        "CHURN-4": ("Explore usage logs", "in_progress", "data-exploration", "zoe.muller", 3),
        "CHURN-5": ("Get access to the billing tables", "waiting", "data-exploration",
                    "zoe.muller", None),
        "FRAUD-7": ("Train gradient-boosted fraud model", "dropped", "modeling",
                    "jose.alvarez", None),
        "FRAUD-6": ("Tune alert thresholds", "todo", "modeling", None, None),  # sub-task of ML-7
        "ML-8": ("Fix feature leak in the scoring job", "todo", "productization",
                 "jose.alvarez2", None),
    }
    assert {k: (t["jira_key"], t["parent"]) for k, t in tasks.items()} == {
        "CHURN-3": ("ML-3", None), "CHURN-4": ("ML-4", None), "CHURN-5": ("ML-5", None),
        "FRAUD-7": ("ML-7", None), "FRAUD-6": ("ML-6", "FRAUD-7"), "ML-8": ("ML-8", None),
    }
    assert tasks["CHURN-5"]["reason"] == "Blocked in Jira"
    assert tasks["FRAUD-7"]["reason"] == "Won't Do in Jira"


def test_descriptions_dates_and_events_survive(cli, export):
    cli("import-jira", str(export))
    explore = _show(cli, "ML-4")  # the Jira key finds it
    assert explore["description"] == 'Look at:\n- "sessions", per day\n- events\n\nThen plot.'
    assert [(e["kind"], e["at"], e["actor"], e["reason"]) for e in explore["history"]] == [
        ("created", "2024-03-06T10:00:00+00:00", "jose.alvarez", "imported from Jira ML-4"),
        ("started", "2024-03-07T14:00:00+00:00", "zoe.muller", None),
    ]
    label = _show(cli, "CHURN-3")
    assert label["done_at"] == "2024-03-05T16:30:00+00:00"  # 05/Mar/24 4:30 PM, TZ=UTC
    assert label["history"][-1]["new"] == "done"
    leak = _show(cli, "ML-8")
    assert leak["created_at"] == "2024-03-14T10:00:00+00:00"  # ISO dates too
    assert leak["history"][0]["actor"] == "priya.raman"  # the reporter


def test_importing_the_same_file_again_adds_nothing(cli, export, db_path):
    assert cli("import-jira", str(export)).exit_code == 0
    before = dump_db(db_path)
    again = cli("import-jira", str(export))
    assert again.exit_code == 0
    assert "Nothing to import" in again.stdout
    assert dump_db(db_path) == before


def test_dry_run_writes_nothing_and_says_what_would_happen(cli, export, db_path):
    cli("person", "add", "alice")
    before = dump_db(db_path)
    dry = cli("import-jira", str(export), "--dry-run")
    assert dry.exit_code == 0
    assert "nothing was written" in dry.stdout
    assert "Would import 3 projects, 4 people, 6 tasks, 17 events" in dry.stdout
    assert "2 to do, 1 in progress, 1 waiting, 1 done, 1 dropped" in dry.stdout
    assert dump_db(db_path) == before
    real = cli("import-jira", str(export))
    assert "Imported 3 projects, 4 people, 6 tasks, 17 events" in real.stdout
    counts = {t: len(rows) for t, rows in dump_db(db_path).items()}
    assert counts["task"] == 6 and counts["project"] == 3 and counts["person"] == 5


def test_invalid_rows_are_listed_and_nothing_is_written(cli, tmp_path, db_path):
    issues = copy.deepcopy(jira_export.ISSUES)
    issues[3]["Created"] = "31/Foo/24 9:41 AM"  # ML-4, on lines 5-9
    issues[4]["Custom field (Phase)"] = "Deployment"  # ML-5, line 10
    issues[7]["Resolved"] = "2024-03-01T10:00:00"  # ML-8 resolved before it was created
    path = jira_export.write(tmp_path / "bad.csv", issues)
    cli("person", "add", "alice")
    before = dump_db(db_path)
    for extra in ((), ("--dry-run",)):
        result = cli("import-jira", str(path), *extra)
        assert result.exit_code == 2
        message = result.stderr
        assert message.startswith(f"mlkanban: {path}: 3 problems; nothing was imported:")
        assert "line 5 (ML-4): Created: cannot read the date '31/Foo/24 9:41 AM'" in message
        assert "line 10 (ML-5): unknown phase 'Deployment'" in message
        assert message.rstrip().endswith("line 13 (ML-8): Resolved is before Created")
        assert "Traceback" not in result.output
        assert dump_db(db_path) == before


def test_a_changed_export_updates_and_adds_and_keeps_numbers_free(cli, tmp_path, export,
                                                                  db_path, clock):
    cli("import-jira", str(export))
    issues = copy.deepcopy(jira_export.ISSUES)
    issues[3].update(Status="Done", Updated="20/Mar/24 3:00 PM", Resolved="20/Mar/24 3:00 PM")
    issues.append({
        "Summary": "Calibrate churn scores", "Issue key": "ML-9", "Issue id": "10009",
        "Issue Type": "Story", "Status": "To Do", "Created": "21/Mar/24 9:00 AM",
        "Custom field (Epic Link)": "ML-1", "Custom field (Phase)": "modeling",
    })
    later = jira_export.write(tmp_path / "later.csv", issues)
    result = cli("import-jira", str(later))
    assert result.exit_code == 0, result.output
    assert "Imported 1 task, 2 events" in result.stdout
    assert "1 task changed in Jira since the last import" in result.stdout
    tasks = _tasks(cli)
    assert tasks["CHURN-4"]["status"] == "done"
    assert tasks["CHURN-9"]["title"] == "Calibrate churn scores"
    history = _show(cli, "CHURN-4")["history"]
    assert [(e["old"], e["new"]) for e in history[1:]] == [("todo", "in_progress"),
                                                         ("in_progress", "done")]
    added = run_cli(db_path, clock, "add", "Board-side task", "-p", "CHURN", "--phase",
                    "modeling", actor="jose.alvarez")
    assert added.stdout.strip() == "CHURN-10"


def test_a_task_changed_on_the_board_is_not_overwritten(cli, tmp_path, export, db_path, clock):
    cli("import-jira", str(export))
    moved = run_cli(db_path, clock, "move", "ML-4", "modeling", actor="zoe.muller")
    assert moved.exit_code == 0, moved.output  # board time: 2026
    issues = copy.deepcopy(jira_export.ISSUES)
    issues[3].update(Status="Done", Updated="20/Mar/24 3:00 PM")
    cli("import-jira", str(jira_export.write(tmp_path / "later.csv", issues)))
    task = _tasks(cli)["CHURN-4"]
    assert (task["phase"], task["status"]) == ("modeling", "in_progress")


def test_phase_from_a_named_field_or_a_default(cli, tmp_path):
    header = [h if h != "Custom field (Phase)" else "Custom field (ML Stage)"
              for h in jira_export.HEADER]
    issues = [
        {"Summary": "Staged", "Issue key": "DS-1", "Status": "Open",
         "Created": "01/Apr/24 8:00 AM", "Custom field (ML Stage)": "A/B Testing"},
        {"Summary": "Nothing says", "Issue key": "DS-2", "Status": "Open",
         "Created": "01/Apr/24 8:00 AM"},
    ]
    path = jira_export.write(tmp_path / "stage.csv", issues, header)
    missing = cli("import-jira", str(path), "--phase-field", "Phase")
    assert missing.exit_code == 2
    assert missing.stderr.count("\n") == 1
    assert "no column 'Custom field (Phase)'" in missing.stderr
    no_phase = cli("import-jira", str(path), "--phase-field", "ML Stage")
    assert no_phase.exit_code == 2
    assert "1 issue with no phase (DS-2)" in no_phase.stderr
    assert "--default-phase" in no_phase.stderr
    ok = cli("import-jira", str(path), "--phase-field", "ML Stage", "--default-phase", "eda")
    assert ok.exit_code == 0, ok.output
    assert {k: t["phase"] for k, t in _tasks(cli).items()} == {
        "DS-1": "ab-testing", "DS-2": "data-exploration",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\xff\xfeS\x00u\x00", "not a UTF-8 text file"),
        (b"name,value\r\na,1\r\n", "no 'Issue key' column"),
        (b"Issue key,Summary\r\nML-1,\"never closed\r\n", "no 'Created' column"),
    ],
)
def test_files_that_are_not_jira_exports(cli, tmp_path, db_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    result = cli("import-jira", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("mlkanban: ")


def test_a_missing_file_is_one_line(cli, tmp_path):
    result = cli("import-jira", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    missing = tmp_path / "nope.csv"
    assert result.stderr == f"mlkanban: cannot read {missing}: No such file or directory\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/Mar/24 9:41 AM", datetime(2024, 3, 12, 9, 41, tzinfo=UTC)),
        ("12/Mar/24 9:41 pm", datetime(2024, 3, 12, 21, 41, tzinfo=UTC)),
        ("12/Mar/2024 09:41", datetime(2024, 3, 12, 9, 41, tzinfo=UTC)),
        ("2024-03-12T09:41:00+01:00", datetime(2024, 3, 12, 8, 41, tzinfo=UTC)),
        ("2024-03-12", datetime(2024, 3, 12, tzinfo=UTC)),
    ],
)
def test_jira_dates(text, expected):
    assert parse_jira_date(text) == expected


@pytest.mark.parametrize("text", ["12/Foo/24 9:41 AM", "31/Feb/24 9:41 AM", "12/Mar/89", "soon"])
def test_bad_jira_dates(text):
    with pytest.raises(ValueError):
        parse_jira_date(text)


@pytest.mark.parametrize(
    ("status", "category", "resolution", "expected"),
    [
        ("To Do", "", "", Status.TODO),
        ("Backlog", "", "", Status.TODO),
        ("Selected for Development", "", "", Status.TODO),
        ("In Review", "", "", Status.IN_PROGRESS),
        ("Closed", "", "Fixed", Status.DONE),
        ("Done", "", "Won’t Do", Status.DROPPED),  # Jira Cloud's curly apostrophe
        ("On Hold", "", "", Status.WAITING),
        ("Waiting for customer", "", "", Status.WAITING),
        ("Impeded", "", "", Status.WAITING),
        ("Cancelled", "", "", Status.DROPPED),
        ("Ready for QA", "In Progress", "", Status.IN_PROGRESS),  # a team's own status
    ],
)
def test_status_mapping(status, category, resolution, expected):
    mapped, reason = map_status(status, category, resolution)
    assert mapped is expected
    assert (reason is not None) == (expected in (Status.WAITING, Status.DROPPED))


def test_unknown_status_without_a_category_is_a_problem():
    with pytest.raises(ValueError, match="unknown Jira status 'Verified by solvit'"):
        map_status("Verified by solvit")


@pytest.mark.parametrize(
    ("name", "handle"),
    [
        ("José Álvarez", "jose.alvarez"),
        ("Zoë Müller", "zoe.muller"),
        ("Jürgen Strauß", "jurgen.strauss"),
        ("Łukasz Øster-Berg", "lukasz.oster.berg"),
        ("dana@example.com", "dana"),
    ],
)
def test_handles_are_folded_to_ascii(name, handle):
    assert fold_handle(name) == handle


def test_a_name_without_latin_letters_still_gets_a_valid_handle():
    handle = fold_handle("王伟")
    assert handle.startswith("user.") and handle == fold_handle("王伟")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Churn prediction", "CHURN"),
        ("Éléments de pricing", "ELEMENTS"),
        ("A/B test platform", "ABTESTPLAT"),
        ("2024 roadmap", "ROADMAP"),
        ("Q3: 2 models", "Q3"),
        ("数据", None),
    ],
)
def test_project_keys_from_epic_names(name, key):
    assert project_key_from(name) == key


def test_parser_keeps_repeated_columns_as_lists(export):
    jira = read_jira_csv(export.read_bytes(), now=NOW)
    assert jira.problems == []
    explore = next(i for i in jira.issues if i.key == "ML-4")
    assert explore.labels == ["analytics", "eda"]
    assert explore.sprints == ["ML Sprint 1", "ML Sprint 2"]
    assert explore.line == 5
    assert [i.line for i in jira.issues][-1] == 13


def test_two_phases_in_labels_is_a_problem():
    data = jira_export.render([{"Summary": "x", "Issue key": "ML-1", "Created": "2024-01-01",
                                "Labels": ["eda", "modeling"]}])
    jira = read_jira_csv(data, now=NOW)
    assert [str(p) for p in jira.problems] == [
        "line 2 (ML-1): the labels name more than one phase (data-exploration, modeling)"
    ]


def test_future_dates_are_refused():
    data = jira_export.render([{"Summary": "x", "Issue key": "ML-1", "Labels": ["eda"],
                                "Created": "2031-01-01T00:00:00"}])
    jira = read_jira_csv(data, now=NOW)
    assert "in the future" in str(jira.problems[0])


def test_a_progress_bar_only_on_a_terminal(monkeypatch):
    from mlkanban.commands import jira as command

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    with command._progress(command.PROGRESS_MIN_BYTES) as progress:
        assert progress is not None
        progress(command.PROGRESS_MIN_BYTES)
    assert "Reading issues" in screen.getvalue()
    with command._progress(command.PROGRESS_MIN_BYTES - 1) as progress:
        assert progress is None
    monkeypatch.setattr("sys.stdout", io.StringIO())
    with command._progress(10**9) as progress:
        assert progress is None


def test_an_unreadable_row_is_bad_input():
    with pytest.raises(BadInput, match="not a text file"):
        read_jira_csv(b"Issue key,Summary\r\nML-1,a\x00b\r\n", now=NOW)


def _issue(key: str, summary: str, **fields: str | list[str]) -> dict:
    return {"Issue key": key, "Summary": summary, "Created": "04/Mar/24 9:00 AM",
            "Issue id": str(10_000 + int(key.rsplit("-", 1)[1])), **fields}


def test_keys_and_people_already_on_the_board_are_respected(cli, team, tmp_path):
    """CHURN exists (made by hand) and Alice Martin is alice: the import fits around them."""
    issues = [
        _issue("ML-1", "Churn prediction", **{"Issue Type": "Epic"}),
        _issue("ML-2", "Churn: the sequel", **{"Issue Type": "Epic"}),
        _issue("ML-3", "Label", **{"Custom field (Epic Link)": "ML-1", "Labels": ["eda"],
                                   "Assignee": "Alice Martin", "Status": "In Progress"}),
        _issue("ML-4", "Label again", **{"Custom field (Epic Link)": "ML-2", "Labels": ["eda"],
                                         "Assignee": "Alice Martin", "Status": "In Progress"}),
    ]
    result = cli("import-jira", str(jira_export.write(tmp_path / "j.csv", issues)))
    assert result.exit_code == 0, result.output
    assert "project CHURN2: Churn prediction" in result.stdout
    assert "project CHURN3: Churn: the sequel" in result.stdout
    assert "person" not in result.stdout  # Alice Martin is alice already
    owners = {k: t["owner"] for k, t in _tasks(cli).items()}
    assert owners == {"CHURN2-3": "alice", "CHURN3-4": "alice"}
    assert "over the WIP limit" not in result.stderr  # only said of people it adds


def test_a_new_person_past_the_wip_limit_is_pointed_out(cli, tmp_path):
    issues = [_issue(f"ML-{n}", f"Task {n}", Labels=["eda"], Status="In Progress",
                     Assignee="Zoë Müller") for n in (1, 2)]
    result = cli("import-jira", str(jira_export.write(tmp_path / "j.csv", issues)))
    assert result.exit_code == 0
    assert "past the WIP limit of 1 from the start, 1 person: zoe.muller (2 in progress)" in (
        result.stderr
    )


def test_parents_in_a_cycle_are_a_problem(cli, tmp_path, db_path):
    issues = [
        _issue("ML-1", "One", Labels=["eda"], **{"Parent id": "10002"}),
        _issue("ML-2", "Two", Labels=["eda"], **{"Parent id": "10001"}),
    ]
    result = cli("import-jira", str(jira_export.write(tmp_path / "j.csv", issues)))
    assert result.exit_code == 2
    assert "line 2 (ML-1): its parents form a cycle" in result.stderr


def test_a_parent_outside_the_file_goes_to_the_projects_bucket(cli, tmp_path):
    issues = [_issue("DS-7", "Orphan", Labels=["eda"], **{"Custom field (Epic Link)": "DS-1"})]
    result = cli("import-jira", str(jira_export.write(tmp_path / "j.csv", issues)))
    assert result.exit_code == 0
    assert "1 issue with a parent not in the file went to project DS" in result.stderr
    assert result.stderr.rstrip().endswith(": DS-7 (parent DS-1)")
    assert list(_tasks(cli)) == ["DS-7"]  # Jira's own key, in the Jira project's project


def test_a_dry_run_creates_no_database(tmp_path, clock, export):
    db = tmp_path / "new" / "board.db"
    result = run_cli(db, clock, "import-jira", str(export), "--dry-run")
    assert result.exit_code == 0
    assert "Would import 3 projects, 4 people, 6 tasks, 17 events" in result.stdout
    assert not db.exists() and not db.parent.exists()


def test_import_on_postgresql(pg_url, clock, export, tmp_path):
    """The same file, the same board on a team's PostgreSQL; all or nothing there too."""
    issues = copy.deepcopy(jira_export.ISSUES)
    issues[5]["Created"] = "not a date"
    broken = run_cli(pg_url, clock, "import-jira",
                     str(jira_export.write(tmp_path / "bad.csv", issues)))
    assert broken.exit_code == 2
    assert "line 11 (ML-6): Created: cannot read the date 'not a date'" in broken.stderr
    assert json.loads(run_cli(pg_url, clock, "ls", "--all", "--json").stdout) == []

    first = run_cli(pg_url, clock, "import-jira", str(export))
    assert first.exit_code == 0, first.output
    assert "Imported 3 projects, 4 people, 6 tasks, 17 events" in first.stdout
    again = run_cli(pg_url, clock, "import-jira", str(export))
    assert "Nothing to import" in again.stdout
    shown = json.loads(run_cli(pg_url, clock, "show", "ML-4", "--json").stdout)
    assert shown["description"].splitlines()[1] == '- "sessions", per day'
    assert run_cli(pg_url, clock, "add", "Next", "-p", "CHURN", "--phase", "eda",
                   actor="jose.alvarez").stdout == "CHURN-6\n"


def test_a_later_file_finds_epics_and_parents_imported_before(cli, tmp_path, export):
    """A sprint's export holds stories whose epic (or parent story) came in an earlier file."""
    cli("import-jira", str(export))
    issues = [
        _issue("ML-20", "Next story", Labels=["eda"], **{"Custom field (Epic Link)": "ML-2"}),
        _issue("ML-21", "A sub-task", Labels=["eda"], **{"Issue Type": "Sub-task",
                                                         "Parent": "ML-4"}),
    ]
    header = [*jira_export.HEADER, "Parent"]  # newer exports name the parent by its key
    result = cli("import-jira", str(jira_export.write(tmp_path / "sprint.csv", issues, header)))
    assert result.exit_code == 0, result.output
    assert "note" not in result.stderr
    tasks = _tasks(cli)
    assert {k: tasks[k]["title"] for k in ("FRAUD-20", "CHURN-21")} == {
        "FRAUD-20": "Next story", "CHURN-21": "A sub-task",
    }
    assert tasks["CHURN-21"]["parent"] == "CHURN-4"  # ML-4, from the earlier file


def test_control_characters_pasted_into_jira_are_taken_out(cli, tmp_path):
    """Jira keeps whatever was pasted into it; the board stores no terminal escape, bidi
    override or other control character, so the import takes them out and says so."""
    issues = [
        _issue("ML-1", "Evil \x1b[31mred\x1b[0m \u202etitle", **{
            "Labels": ["modeling"], "Description": "line one\r\nbell \x07 here\r\ntwo"}),
        _issue("ML-2", "Plain title", **{"Labels": ["modeling"],
                                         "Description": "kept\r\nas it is\ttabbed"}),
    ]
    result = cli("import-jira", str(jira_export.write(tmp_path / "j.csv", issues)))
    assert result.exit_code == 0, result.output
    assert "2 values held control characters" in result.stderr
    evil, plain = _show(cli, "ML-1"), _show(cli, "ML-2")
    assert evil["title"] == "Evil [31mred[0m title"
    assert evil["description"] == "line one\nbell  here\ntwo"
    assert plain["description"] == "kept\nas it is\ttabbed"
    again = cli("import-jira", str(jira_export.write(tmp_path / "j.csv", issues)))
    assert again.exit_code == 0 and "Imported" not in again.stdout  # nothing new
