"""Where cards go: lanes, columns, order, folding and filtering (no terminal needed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.board import ColumnMode, LaneMode, arrange, read_board
from mlkanban.store.service import Service
from mlkanban.tui.widgets.card_text import age_text, card_lines, fit, title_lines
from tests.tui.conftest import acting_as, seed_board


@pytest.fixture
def snapshot(service: Service, clock):
    seed_board(service, clock())
    with service.read() as conn:
        return read_board(conn, now=clock(), calendar=service.calendar)


def cell_keys(grid, lane_key: str, column_title: str) -> list[str]:
    lane = next(i for i, lane in enumerate(grid.lanes) if lane.key == lane_key)
    column = next(i for i, c in enumerate(grid.columns) if c.title == column_title)
    return [card.key for card in grid.cell(lane, column).cards]


def test_person_lanes_put_the_acting_person_first_and_unassigned_last(snapshot):
    grid = arrange(snapshot, me="carol")
    assert [lane.key for lane in grid.lanes] == ["@carol", "@alice", "@bob", "@"]
    assert [c.title for c in grid.columns][:2] == ["Research", "Data Exploration"]


def test_lane_counts_and_the_wip_limit(snapshot):
    lanes = {lane.key: lane for lane in arrange(snapshot).lanes}
    assert (lanes["@alice"].in_progress, lanes["@alice"].waiting, lanes["@alice"].todo) == (1, 1, 1)
    assert not lanes["@alice"].over_limit
    assert (lanes["@bob"].in_progress, lanes["@bob"].wip_limit) == (3, 2)
    assert lanes["@bob"].over_limit  # started past the limit with an override


def test_cards_in_a_cell_show_moving_work_first(snapshot):
    grid = arrange(snapshot)
    assert cell_keys(grid, "@alice", "Data Exploration") == ["CHURN-6", "CHURN-4"]  # waiting, done
    assert cell_keys(grid, "@alice", "Modeling") == ["CHURN-5", "CHURN-7"]  # in progress, to do


def test_done_cards_older_than_a_week_fold_into_a_count(snapshot):
    grid = arrange(snapshot)
    alice = next(i for i, lane in enumerate(grid.lanes) if lane.key == "@alice")
    research = grid.cell(alice, 0)
    assert research.cards == ()
    assert research.folded == 3
    assert "CHURN-4" in [c.key for c in grid.cell(alice, 1).cards]  # done 3 days ago: shown


def test_dropped_tasks_leave_the_board(service, clock, snapshot):
    service.drop("CHURN-7", "pivot")
    with service.read() as conn:
        fresh = read_board(conn, now=clock(), calendar=service.calendar)
    assert arrange(fresh).find("CHURN-7") is None
    assert fresh.event_id > snapshot.event_id


def test_project_lanes_and_status_columns(snapshot):
    grid = arrange(snapshot, lanes=LaneMode.PROJECT, columns=ColumnMode.STATUS)
    assert [lane.key for lane in grid.lanes] == ["CHURN", "RECS"]
    assert [c.title for c in grid.columns] == ["To do", "In progress", "Waiting", "Done"]
    assert cell_keys(grid, "RECS", "In progress") == ["RECS-1", "RECS-3", "RECS-4"]
    churn, done = 0, 3
    assert grid.cell(churn, done).folded == 3


def test_filter_keeps_matching_cards_and_their_lanes_only(snapshot):
    grid = arrange(snapshot, filter_text="waiting")
    shown = sorted(c.key for cell in grid.cells.values() for c in cell.cards)
    assert shown == ["CHURN-6", "RECS-2"]
    assert [lane.key for lane in grid.lanes] == ["@alice", "@bob"]
    assert all(cell.folded == 0 for cell in grid.cells.values())
    assert arrange(snapshot, filter_text="@unassigned lit").card_count == 0
    assert arrange(snapshot, filter_text="@unassigned survey").card_count == 1


def test_ages_are_working_days_and_over_size_is_flagged(snapshot):
    cards = {card.key: card for card in snapshot.cards}
    busy = cards["CHURN-5"]  # started Friday 13 Nov, estimate 3
    assert busy.age == 7
    assert busy.over_size
    assert age_text(busy) == "7/3d"
    assert age_text(cards["CHURN-9"]) == "·/?d"  # not started, not estimated


def test_fit_and_title_wrapping():
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    assert title_lines("Train a baseline", 20) == ("Train a baseline    ",)
    first, second = title_lines("Train LightGBM baseline on 90-day usage features", 21)
    assert first.rstrip() == "Train LightGBM"
    assert second.endswith("…") and len(second) == 21


def test_a_card_line_is_exactly_as_wide_as_asked(snapshot):
    from rich.cells import cell_len

    for card in snapshot.cards:
        for width in (12, 24, 40):
            for runs in card_lines(card, width):
                assert sum(cell_len(text) for text, _ in runs) == width, (card.key, width)


def test_card_lines_say_status_in_words_not_only_colour(snapshot):
    cards = {card.key: card for card in snapshot.cards}

    def text(key: str) -> list[str]:
        return ["".join(t for t, _ in runs) for runs in card_lines(cards[key], 30)]

    assert text("CHURN-6")[0].startswith(f"▌ {Status.WAITING.marker} CHURN-6")
    assert "waiting: waiting for" in text("CHURN-6")[-1]
    assert "⚠ over size" in text("CHURN-5")[-1]
    assert "⚑ WIP override" in text("RECS-4")[-1]
    assert "done Fri 20 Nov" in text("CHURN-4")[-1]


def test_recent_done_window_is_seven_days(service, clock):
    service = acting_as(service, "dana")  # only the owner starts and finishes a task
    service.add_person("dana")
    service.add_project("EDGE", "Edge cases")
    old = service.add_task("EDGE", "old", Phase.RESEARCH, owner="dana",
                           at=clock() - timedelta(days=9)).key
    service.start(old, at=clock() - timedelta(days=9))
    service.done(old, at=clock() - timedelta(days=7, minutes=1))
    recent = service.add_task("EDGE", "recent", Phase.RESEARCH, owner="dana",
                              at=clock() - timedelta(days=8)).key
    service.start(recent, at=clock() - timedelta(days=8))
    service.done(recent, at=clock() - timedelta(days=6, hours=23))
    with service.read() as conn:
        grid = arrange(read_board(conn, now=clock(), calendar=service.calendar))
    assert grid.find(recent) is not None
    assert grid.find(old) is None
    assert grid.cell(0, 0).folded == 1


def test_a_task_waiting_on_its_ab_test_shows_the_day_of_the_test(service: Service, clock):
    service = acting_as(service, "dana")  # only the owner starts and parks a task
    service.add_person("dana")
    service.add_project("RANK", "Ranking")
    task = service.add_task("RANK", "Run the ranking A/B test", Phase.AB_TESTING, owner="dana")
    service.set_ab_test(task.key, started_at=clock() - timedelta(days=2), duration_days=14,
                        traffic_share=50)
    service.start(task.key)
    service.wait(task.key, "A/B test collecting traffic")
    with service.read() as conn:
        card = next(c for c in read_board(conn, now=clock(), calendar=service.calendar).cards
                    if c.key == task.key)
    assert card.ab_test == "day 3 of 14"
    assert "A/B day 3 of 14" in " ".join(
        text for text, _ in card_lines(card, 24, show_owner=False)[-1]
    )
