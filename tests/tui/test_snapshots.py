"""What the board looks like, on the demo team at a fixed time and terminal size.

Each test says what its picture must show; the SVGs were looked at before they were
accepted (``pytest --snapshot-update``, then open ``tests/tui/__snapshots__``).
"""

from __future__ import annotations

from mlkanban.config import Settings
from mlkanban.tui.app import make_app
from tests.tui.conftest import SIZE, still, wait_for_board


def focus(key: str, *keys: str):
    """Wait for the board, put the cursor on ``key``, then press ``keys``."""

    async def run_before(pilot) -> None:
        await wait_for_board(pilot)
        pilot.app.screen_stack[0].focus_card(key)
        await pilot.press(*keys)
        await still(pilot)

    return run_before


def test_board(snap_compare, demo_app):
    """Six phase columns with open-card counts; priya's lane first, then one lane per
    person and "Unassigned" last. Marco's lane header shows 2/2 in progress; cards show
    key, title (wrapped, then cut with …), status marker, age/estimate and flags
    (⚠ over size on DEMAND-12, waiting reasons); old done cards fold into
    "✓ N done earlier". The cursor is on SEARCH-14."""
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=focus("SEARCH-14"))


def test_lanes_by_project(snap_compare, demo_app):
    """After g: one lane per project (key and name, owner), counts of in progress,
    waiting and to do on the right; the third card line names each card's owner."""

    async def run_before(pilot) -> None:
        await wait_for_board(pilot)
        await pilot.press("g")
        await focus("CHURN-12")(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_status_columns(snap_compare, demo_app):
    """After t: the classic To do / In progress / Waiting / Done columns, still one lane
    per person; done cards of the last week under Done, older ones folded there."""
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=focus("SEARCH-14", "t"))


def test_task_detail(snap_compare, demo_app):
    """After v on DEMAND-12: its fields (status, phase and deliverable, owner, estimate,
    age, the over-size flag) and its history timeline, oldest first."""

    async def run_before(pilot) -> None:
        await focus("DEMAND-12")(pilot)
        await pilot.press("v")
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, demo_app):
    """After ?: every key of the board with what it does and why, generated from the
    bindings, and the legend of the marks on a card."""
    assert snap_compare(demo_app, terminal_size=SIZE,
                        run_before=focus("SEARCH-14", "question_mark"))


def test_wip_refusal(snap_compare, demo_app):
    """s on SEARCH-15 while priya already has SEARCH-14 in progress: an error toast
    naming SEARCH-14, and the override dialog asking for a reason (nothing started)."""

    async def run_before(pilot) -> None:
        await focus("SEARCH-15")(pilot)
        await pilot.press("s")
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_small_terminal(snap_compare, demo_app):
    """At 80×24 the board scrolls both ways: three columns of full-width cards are
    visible, with scroll bars, and nothing overlaps."""
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=focus("SEARCH-14"))


def test_filter(snap_compare, demo_app):
    """/ then "churn": the filter box at the top, and only CHURN cards, in the lanes
    that hold them; no folded counts while filtering."""

    async def run_before(pilot) -> None:
        await wait_for_board(pilot)
        await pilot.press("slash", *"churn")
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_new_task_estimate_refused(snap_compare, demo_app):
    """n, a title and an estimate of 6: the dialog stays open, the estimate field is
    red and says it is over the 5-day limit and to split the task."""

    async def run_before(pilot) -> None:
        await focus("SEARCH-15")(pilot)
        await pilot.press("n", *"Tail query report")
        pilot.app.screen.query_one("#estimate").value = "6"
        await pilot.press("ctrl+s")
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_split_dialog(snap_compare, demo_app):
    """S on DEMAND-12 (over size): the split dialog names the task and where the new
    part goes (its project, phase and owner); a title typed, and an estimate of 7 in
    red with the size limit and to split again for the rest."""

    async def run_before(pilot) -> None:
        await focus("DEMAND-12", "S")(pilot)
        await pilot.press(*"Backfill the holiday features")
        pilot.app.screen.query_one("#estimate").value = "7"
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_light_theme(snap_compare, demo_service):
    """The same board in the light theme: every colour comes from the theme, so text,
    markers, the over-limit lane and flags stay readable."""
    app = make_app(demo_service, Settings(poll_seconds=3600))

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await focus("SEARCH-14")(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
