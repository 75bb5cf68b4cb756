"""A task imported from Jira on the board: its detail shows the Jira key and the
comments, and the filter finds it by ``#label``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from mlkanban.store.board import filter_terms, make_card
from mlkanban.store.engine import make_engine
from mlkanban.store.reader import Reader
from mlkanban.tui.screens.detail import TaskDetailScreen
from tests.helpers import run_cli

CLOUD = Path(__file__).parent.parent / "fixtures" / "jira" / "cloud_all_fields.csv"


def _text(renderable) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_detail_shows_the_jira_key_labels_and_comments(tmp_path, clock):
    db = tmp_path / "board.db"
    assert run_cli(db, clock, "import-jira", str(CLOUD)).exit_code == 0
    reader = Reader(make_engine(str(db)), clock=clock)
    task = reader.task("CR-341")  # the Jira key
    card = make_card(task, reader.today(), reader.calendar)
    parent = reader.task("CR-340")
    screen = TaskDetailScreen(make_card(parent, reader.today(), reader.calendar),
                              reader.history(parent.key))
    fields = _text(screen.fields())
    assert "Jira" in fields and "CR-340" in fields and "#eda #retention" in fields
    comments = _text(screen.comments())
    assert "ben.okafor" in comments and "Finance says 30 days; product says 14." in comments
    assert "Finance says" not in _text(screen.timeline())  # comments have their own section
    assert "Parent" in _text(TaskDetailScreen(card, reader.history(task.key)).fields())

    assert card.matches(filter_terms("#eda"))
    assert not card.matches(filter_terms("#retention"))  # CR-341 is labelled eda only
    assert card.matches(filter_terms("cr-341"))
