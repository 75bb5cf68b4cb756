"""On the board, as on the command line, only a card's owner starts, parks or finishes it:
someone else's card is refused with a notification that says the way out, and nothing
changes (DESIGN §6 "Ownership")."""

from __future__ import annotations

import pytest

from mlkanban.domain.statuses import Status
from tests.tui.conftest import SIZE, wait_for_board
from tests.tui.test_board_keys import board, event_count, focus, settle


@pytest.mark.parametrize(("key", "owner", "press", "status", "verb"), [
    ("RECS-5", "carol", "s", Status.TODO, "starts it"),
    ("RECS-1", "bob", "d", Status.IN_PROGRESS, "finishes it"),
])
async def test_someone_elses_card_is_refused_with_the_way_out(
    app, board_service, key, owner, press, status, verb
):
    async with app.run_test(size=SIZE) as pilot:  # the board acts as alice
        await wait_for_board(pilot)
        before = event_count(board_service)
        await focus(pilot, key)
        await pilot.press(press)
        await settle(pilot)
        assert board_service.task(key).status is status
        assert event_count(board_service) == before
        notes = [str(n.message) for n in pilot.app._notifications]
        refusal = next(note for note in notes if note.startswith(f"{key} is {owner}'s task"))
        assert f"only {owner} {verb}" in refusal
        assert f"mlkanban assign {key} alice" in refusal and f"--as {owner}" in refusal
        assert board(pilot).board.current_card.task.status is status


async def test_the_owner_starts_it(carol_app, board_service):
    async with carol_app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        await focus(pilot, "RECS-5")
        await pilot.press("s")
        await settle(pilot)
        assert board_service.task("RECS-5").status is Status.IN_PROGRESS
