"""A change made from another terminal appears on an open board without a restart,
and the cursor stays where it was (issue 3, done-means 3)."""

from __future__ import annotations

import asyncio
import os
import sys
import time

from tests.tui.conftest import SIZE, wait_for_board


async def run_cli(db_path, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mlkanban", "--db", str(db_path), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "MLKANBAN_USER": "bob"},
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def test_a_task_added_through_the_cli_appears_on_the_open_board(polling_app, db_path):
    app = polling_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        screen = pilot.app.screen
        screen.focus_card("RECS-3")
        await pilot.pause()
        shown = screen.grid.card_count

        await run_cli(db_path, "add", "Hotfix ranking timeout", "--project", "RECS",
                      "--phase", "productization", "--owner", "carol", "--estimate", "1")
        changed_at = time.monotonic()
        while screen.grid.card_count == shown:
            assert time.monotonic() - changed_at < 2.5, "the change did not appear"
            await pilot.pause(0.05)

        found = screen.grid.find("RECS-7")
        assert found is not None
        lane, column, _ = found
        assert screen.grid.lanes[lane].owner == "carol"
        assert screen.grid.columns[column].title == "Productization"
        assert screen.board.current_card.key == "RECS-3"  # focus stayed put


async def test_polling_does_not_reload_an_unchanged_board(polling_app):
    app = polling_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_board(pilot)
        screen = pilot.app.screen
        snapshot = screen.snapshot
        await pilot.pause(0.6)  # three polls at 0.2 s
        assert screen.snapshot is snapshot
