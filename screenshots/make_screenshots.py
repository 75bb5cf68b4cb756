"""Draw the README's pictures of the board from the demo team, at a fixed time.

    python screenshots/make_screenshots.py [--out screenshots]

Every picture is an SVG made by the same app factory the command line uses, on a
fresh demo database for Monday 23 November 2026, 10:00 UTC, acting as priya.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SIZE = (160, 45)

Steps = Callable[[object], Awaitable[None]]


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def focus(key: str, *keys: str) -> Steps:
    async def steps(pilot) -> None:
        for k in keys:
            await pilot.press(k)
        pilot.app.screen_stack[0].focus_card(key)
        await pilot.pause()

    return steps


def then(first: Steps, *keys: str) -> Steps:
    async def steps(pilot) -> None:
        await first(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return steps


async def typed_estimate(pilot) -> None:
    await focus("SEARCH-15")(pilot)
    await pilot.press("n", *"Tail query report")
    pilot.app.screen.query_one("#estimate").value = "6"
    await pilot.press("ctrl+s")
    await pilot.pause()


SHOTS: dict[str, tuple[str, tuple[int, int], Steps]] = {
    "board": ("The board: phases × people", SIZE, focus("SEARCH-14")),
    "lanes-by-project": ("Lanes by project (g)", SIZE, focus("CHURN-12", "g")),
    "status-columns": ("Status columns (t)", SIZE, focus("SEARCH-14", "t")),
    "task-detail": ("Task detail and history (v)", SIZE, then(focus("DEMAND-12"), "v")),
    "help": ("Help (?)", SIZE, then(focus("SEARCH-14"), "question_mark")),
    "wip-refusal": ("A WIP refusal offers the override", SIZE, then(focus("SEARCH-15"), "s")),
    "new-task-refused": ("New task: the size limit, checked as you type", SIZE, typed_estimate),
    "small-terminal": ("80×24: the header names the phases off-screen", (80, 24),
                       focus("SEARCH-14")),
    "small-help": ("Help at 80×24 (?)", (80, 24), then(focus("SEARCH-14"), "question_mark")),
    "wide-board": ("200×50", (200, 50), focus("SEARCH-14")),
    "closed-tasks": ("Done and dropped tasks, to reopen (c)", SIZE,
                     then(focus("SEARCH-14"), "c")),
    "add-project": ("Add a project from the board (N)", SIZE, then(focus("SEARCH-14"), "N")),
    "weekly-review": ("Weekly review of last week (r, then [)", SIZE,
                      then(then(focus("SEARCH-14"), "r"), "left_square_bracket")),
    "review-flow": ("Weekly review: the flow of work (2)", SIZE,
                    then(then(then(focus("SEARCH-14"), "r"), "left_square_bracket"), "2")),
    "review-small": ("Weekly review at 80×24", (80, 24), then(focus("SEARCH-14"), "r")),
    "review-wide": ("Weekly review at 200×50", (200, 50), then(focus("SEARCH-14"), "r")),
    "project-record": ("A project's record: plan, deliverables, pivots (o)", SIZE,
                       then(focus("CHURN-12"), "o")),
}


async def shoot(db: Path, name: str, title: str, size: tuple[int, int], steps: Steps,
                out: Path) -> None:
    from mlkanban.config import Settings
    from mlkanban.domain.clock import FixedClock
    from mlkanban.store.engine import make_engine
    from mlkanban.store.service import Service
    from mlkanban.tui.app import make_app

    engine = make_engine(str(db))
    service = Service(engine, actor="priya", clock=FixedClock(NOW))
    app = make_app(service, Settings(poll_seconds=60))
    async with app.run_test(size=size) as pilot:
        while app.screen_stack[0].grid is None:
            await pilot.pause(0.02)
        await pilot.pause()
        await steps(pilot)
        await pilot.pause(0.2)
        (out / f"{name}.svg").write_text(app.export_screenshot(title=f"mlkanban — {title}"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--only", nargs="*", default=None, help="names of the pictures")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"  # the same pictures on every machine
    time.tzset()
    from mlkanban.demo import create_demo_database

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        template = create_demo_database(Path(tmp) / "demo.db", now=NOW)
        for name, (title, size, steps) in SHOTS.items():
            if args.only is not None and name not in args.only:
                continue
            db = Path(tmp) / f"{name}.db"
            db.write_bytes(template.read_bytes())
            asyncio.run(shoot(db, name, title, size, steps, args.out))
            print(f"wrote {args.out / name}.svg")


if __name__ == "__main__":
    main()
