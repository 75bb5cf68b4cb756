"""The board's fast read and incremental filter say exactly what the plain ones say.

Cards are read from rows and work out their view, age and filter words on demand; a
filter that narrows an earlier one searches only what the earlier one left. Both are
checked here against the straightforward way, on the demo team's six weeks.
"""

from __future__ import annotations

from datetime import timedelta

from mlkanban.domain.statuses import Status
from mlkanban.store import queries
from mlkanban.store.board import (
    BOARD_STATUSES,
    RECENT_DONE,
    ColumnMode,
    LaneMode,
    arrange,
    filter_terms,
    make_card,
    read_board,
)
from mlkanban.store.service import Service
from mlkanban.tui.widgets.card_text import card_height, title_height, title_lines


def _snapshot(service: Service):
    with service.read() as conn:
        return read_board(conn, now=service.now(), calendar=service.calendar)


def test_cards_read_from_rows_equal_cards_made_from_views(demo_service: Service):
    snapshot = _snapshot(demo_service)
    since = demo_service.now() - RECENT_DONE
    with demo_service.read() as conn:
        views = queries.tasks(conn, statuses=BOARD_STATUSES, done_since=since)
        ab_tests = queries.ab_tests(conn)
    today = snapshot.today
    expected = {view.key: make_card(view, today, demo_service.calendar, ab_tests.get(view.key)
                                    if view.status.value == "waiting" else None)
                for view in views}
    assert sorted(card.key for card in snapshot.cards) == sorted(expected)
    for card in snapshot.cards:
        made = expected[card.key]
        assert card.task == made.task
        assert (card.title, card.owner, card.project, card.phase, card.status) == (
            made.task.title, made.task.owner, made.task.project, made.task.phase,
            made.task.status)
        assert (card.age, card.over_size, card.ab_test) == (made.age, made.over_size,
                                                             made.ab_test)
        assert card.haystack == made.haystack
        assert card == made


def test_cards_keep_moving_work_first_and_recent_done_newest_first(demo_service: Service):
    cards = _snapshot(demo_service).cards
    order = {"in_progress": 0, "waiting": 1, "todo": 2, "done": 3}
    ranks = [order[card.status.value] for card in cards]
    assert ranks == sorted(ranks)
    done = [card.task.done_at for card in cards if card.status.value == "done"]
    assert done == sorted(done, reverse=True)


def test_typing_a_filter_letter_by_letter_shows_what_a_fresh_filter_shows(
    demo_service: Service
):
    snapshot = _snapshot(demo_service)
    typed = ["m", "mo", "mod", "mode", "model", "model ", "model t", "model to", "model t",
             "model", "mo", "", "@priya", "@priya d", "@pri", "wait", "waiting", "#", "x"]
    for lanes in LaneMode:
        for columns in ColumnMode:
            for text in typed:
                grid = arrange(snapshot, lanes=lanes, columns=columns, filter_text=text,
                               me="priya")
                terms = filter_terms(text)
                shown = [(grid.lanes[lane].key, column, card.key)
                         for (lane, column), cell in sorted(grid.cells.items())
                         for card in cell.cards]
                whole = arrange(snapshot, lanes=lanes, columns=columns, me="priya")
                expected = [(whole.lanes[lane].key, column, card.key)
                            for (lane, column), cell in sorted(whole.cells.items())
                            for card in cell.cards
                            if all(term in card.haystack for term in terms)]
                assert shown == expected, (lanes, columns, text)
                assert grid.filtered == bool(terms)


def test_column_and_lane_counts_count_by_runs_as_by_hand(demo_service: Service):
    snapshot = _snapshot(demo_service)
    for text in ("", "a", "model", "@priya"):
        grid = arrange(snapshot, filter_text=text, me="priya")
        for cell in grid.cells.values():
            statuses = [card.status for card in cell.cards]
            assert cell.tally() == {s: statuses.count(s) for s in set(statuses)}
            assert cell.done == statuses.count(Status.DONE)
        open_by_column = [0] * len(grid.columns)
        for (_, column), cell in grid.cells.items():
            open_by_column[column] += sum(c.status.value != "done" for c in cell.cards)
        assert grid.column_counts == open_by_column


def test_a_card_is_as_tall_as_its_wrapped_title(demo_service: Service):
    titles = [card.title for card in _snapshot(demo_service).cards]
    titles += ["", " ", "x" * 40, "Crème brûlée", "日本語のタイトル", "a\tb", "one  two"]
    for title in titles:
        for width in range(0, 45):
            assert title_height(title, width) == len(title_lines(title, width)), (title, width)


def test_card_height_uses_the_title_without_building_the_view(demo_service: Service):
    card = _snapshot(demo_service).cards[0]
    assert card._task is None  # read from a row: nothing parsed yet
    assert card_height(card, 30) in (3, 4)
    assert card._task is None


def test_old_done_tasks_stay_folded(demo_service: Service):
    snapshot = _snapshot(demo_service)
    since = demo_service.now() - RECENT_DONE
    assert all(card.task.done_at >= since for card in snapshot.cards
               if card.status.value == "done")
    assert sum(count for *_, count in snapshot.folded) > 0
    later = demo_service.now() + timedelta(days=30)
    with demo_service.read() as conn:
        far = read_board(conn, now=later, calendar=demo_service.calendar)
    assert all(card.status.value != "done" for card in far.cards)
