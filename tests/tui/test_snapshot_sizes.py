"""The board, its help, the weekly review and a dialog at 80×24, 120×35 and 200×50.

Each picture was looked at before it was accepted. At every size: the footer shows
`? Help` and `q Quit`; nothing is cut mid-word without an ellipsis; a dialog fits or
scrolls, its fields and buttons reachable.
"""

from __future__ import annotations

import pytest

from mlkanban.config import Settings
from mlkanban.tui.app import make_app
from mlkanban.tui.review import ReviewScreen
from tests.tui.conftest import still, wait_for_board
from tests.tui.test_snapshots import focus

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 35), id="120x35"),
         pytest.param((200, 50), id="200x50")]


@pytest.mark.parametrize("size", SIZES)
def test_board_at(snap_compare, demo_app, size):
    """The cursor on SEARCH-14 (Results Analysis). At 80×24 and 120×35 the header names
    the phases scrolled off to the left ("◂ Research, … (h)"); at 200×50 all six
    columns show and the header names the arrangement instead."""
    assert snap_compare(demo_app, terminal_size=size, run_before=focus("SEARCH-14"))


@pytest.mark.parametrize("size", SIZES)
def test_help_at(snap_compare, demo_app, size):
    """? on the board: keys, names, explanations and ids in the same columns in every
    section; below 110 columns the explanation wraps and the id sits under it."""
    assert snap_compare(demo_app, terminal_size=size,
                        run_before=focus("SEARCH-14", "question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_review_at(snap_compare, demo_service, size):
    """The weekly review of 2026-W47 (r, then [): at 80×24 and 120×35 the People table
    is stacked (one entry per person, "header: value" lines) and the title leaves out
    the as-of time; at 200×50 a table whose long columns share the width."""
    app = make_app(demo_service, Settings(poll_seconds=3600))

    async def run_before(pilot) -> None:
        await focus("SEARCH-14", "r")(pilot)
        await pilot.press("left_square_bracket")
        for _ in range(200):
            await still(pilot)
            screen = pilot.app.screen
            if (isinstance(screen, ReviewScreen) and screen.report is not None
                    and screen.period.start.isoformat() == "2026-11-16"):
                break
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_add_project_dialog_at(snap_compare, demo_app, size):
    """N on the board, a key and a name typed: the Add project dialog with key, name,
    owner (priya, the acting person), hypothesis, metric and six plan fields; at 80×24
    it scrolls, and the focused field is in view."""

    async def run_before(pilot) -> None:
        await wait_for_board(pilot)
        await pilot.press("N", *"TAIL", "tab", *"Tail queries")
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=run_before)
