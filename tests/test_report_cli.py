"""``mlkanban report``: weeks and ranges, Markdown and JSON, files, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlkanban.demo import create_demo_database
from tests.conftest import NOW
from tests.helpers import run_cli
from tests.markdown_checks import check_report


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "demo.db"
    create_demo_database(path, now=NOW)
    return path


def test_default_is_the_current_iso_week(demo_db, clock):
    result = run_cli(demo_db, clock, "report")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Week 2026-W48: Mon 23 Nov – Sun 29 Nov 2026\n")
    check_report(result.stdout)


def test_a_past_week_in_markdown(demo_db, clock):
    result = run_cli(demo_db, clock, "report", "--week", "2026-W47")
    assert result.exit_code == 0
    found = check_report(result.stdout)
    assert found["headings"][0] == ("h1", "Week 2026-W47: Mon 16 Nov – Sun 22 Nov 2026")
    assert "As of 2026-11-22 23:59." in result.stdout


def test_json_has_the_same_content_as_markdown(demo_db, clock):
    md = run_cli(demo_db, clock, "report", "--week", "2026-W47").stdout
    data = json.loads(run_cli(demo_db, clock, "report", "-w", "2026-W47", "-f", "json").stdout)
    assert data["label"] == "2026-W47"
    assert f"**{data['summary']['done']} done**" in md
    for person in data["people"]:
        assert f"| {person['handle']} (" in md
        for task in person["done"]:
            assert task["key"] in md
    for project in data["projects"]:
        assert f"### {project['key']}: " in md
    for item in data["attention"]["overrides"]:
        assert f"**WIP override** {item['key']}" in md
    assert [w["done"] for w in data["throughput"]] == [
        int(v) for v in md.split("    bar [")[1].split("]")[0].split(", ")]


def test_a_range_of_days(demo_db, clock):
    result = run_cli(demo_db, clock, "report", "--from", "2026-11-10", "--to", "2026-11-19")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Report: Tue 10 Nov – Thu 19 Nov 2026\n")
    flow = [line for line in result.stdout.splitlines()
            if line.startswith("| ") and " Nov |" in line]
    assert flow[0].startswith("| Tue 10 Nov |") and flow[-1].startswith("| Thu 19 Nov |")


def test_output_to_a_file(demo_db, clock, tmp_path):
    target = tmp_path / "week.md"
    result = run_cli(demo_db, clock, "report", "--week", "2026-W46", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Wrote the report of 2026-W46" in result.stderr
    check_report(target.read_text())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W99"], "2026 has no week 99"),
        (["--week", "next week"], "cannot read week"),
        (["--from", "2026-11-20", "--to", "2026-11-10"], "is after --to"),
        (["--from", "2026-13-01"], "cannot read --from"),
        (["--from", "2026-11-01", "--to", "tuesday"], "cannot read --to"),
        (["--week", "2026-W47", "--from", "2026-11-01"], "either --week or --from/--to"),
        (["--to", "2026-11-10"], "--to needs --from"),
        (["--week", "2026-W50"], "has not started yet"),
        (["--format", "html"], "Invalid value for '--format'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(demo_db, clock, args, message):
    result = run_cli(demo_db, clock, "report", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.startswith("mlkanban: ")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_the_report_does_not_import_textual(demo_db):
    # ``cli.main`` rather than the program's entry point, which ends the process as soon
    # as the command is done (``cli.quick_exit``), before the modules could be looked at.
    code = (
        "import sys\nfrom mlkanban.cli import cli\n"
        f"sys.argv = ['mlkanban', '--db', {str(demo_db)!r}, 'report', '-f', 'json']\n"
        "try:\n    cli.main()\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write(str(any(m.startswith('textual') for m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stderr.strip().endswith("False")
    assert json.loads(result.stdout)["projects"]
