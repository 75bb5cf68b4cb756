"""Run a Textual program headless and stop it at its first paint that shows a marker.

    python benchmarks/first_paint.py MARKER OUT [--size 200x50] -- -m mlkanban
    python benchmarks/first_paint.py MARKER OUT -- benchmarks/floor_app.py --sqlmodel
    python benchmarks/first_paint.py MARKER OUT --keys 9 -- -m mlkanban

The program runs as it would from the command line (``-m MODULE`` or a script, with its
arguments), except that ``App.run`` is headless and every frame the screen composes is
searched for MARKER. OUT receives, as ``name value`` lines: ``painted`` (the
``time.perf_counter()`` of that frame: a system-wide monotonic clock, so the parent can
subtract its spawn time), ``checks`` (seconds spent searching frames before it, to be
subtracted), ``rss_paint`` and ``rss_peak`` (KiB: peak resident memory at the first
paint, and after the work started by it has finished).

``--keys N`` then opens the filter (``/``) and types N letters, word after word
(``FILTER_WORDS``, the filter cleared between words), and adds ``filter_ms``: for each
keystroke, milliseconds from the key event to the end of the first frame in which the
widget ``#board`` has been drawn again.
"""

from __future__ import annotations

import contextlib
import runpy
import sys
import time


def _peak_kib() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


#: Filters typed one letter at a time: each keystroke is timed. The first letter of a
#: word searches every card; the next ones narrow it down.
FILTER_WORDS = ("model", "data", "@alice", "risk", "train", "label")


async def _filter_keys(pilot, keys: int, frames: list[float]) -> list[float]:
    """Type ``keys`` letters into the filter, word after word (``FILTER_WORDS``), and
    clear the filter between words; milliseconds per letter."""
    import asyncio

    from textual import events

    app = pilot.app
    await pilot.pause(0.5)
    board = app.screen.query_one("#board")
    drawn: list[float] = []
    render_lines = type(board).render_lines

    def counted(self, crop):
        if self is board:
            drawn.append(time.perf_counter())
        return render_lines(self, crop)

    type(board).render_lines = counted
    await pilot.press("slash")
    await pilot.pause(0.3)
    letters = [(word, i) for word in FILTER_WORDS for i in range(len(word))][:keys]
    timings = []
    for word, index in letters:
        if index == 0:
            await pilot.press("ctrl+u")  # clear the filter: a new word
            await pilot.pause(0.3)
        await pilot.pause(0.1)  # a typist's pace, the board quiet
        letter = word[index]
        frames.clear()
        drawn.clear()
        name = letter if letter.isalnum() else {"@": "at"}.get(letter, letter)
        event = events.Key(name, letter)  # straight to the driver, as a terminal's key
        event.set_sender(app)
        started = time.perf_counter()
        app._driver.send_message(event)
        while not (drawn and any(f >= drawn[0] for f in frames)):
            await asyncio.sleep(0.0005)
            if time.perf_counter() - started > 60:
                raise SystemExit("the board was never drawn again after a filter keystroke")
        done = next(f for f in frames if f >= drawn[0])
        timings.append((done - started) * 1000)
    type(board).render_lines = render_lines
    return timings


async def _settled(app) -> None:
    """Until the work started after the first paint is done: the app's workers, and
    the board's service built in a thread (``workspace.ready``)."""
    import asyncio

    quiet = 0
    while quiet < 3:
        await asyncio.sleep(0.1)
        await app.workers.wait_for_complete()
        workspace = getattr(app, "workspace", None)
        busy = any(not worker.is_finished for worker in app.workers) or (
            workspace is not None and not workspace.ready)
        quiet = 0 if busy else quiet + 1


def when_imported(name: str, then) -> None:
    """Call ``then(module)`` once the program has imported module ``name``."""
    import importlib.abc
    import importlib.util

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            load = spec.loader.exec_module

            def exec_module(module) -> None:
                load(module)
                then(module)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Finder())


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return
    marker, out, *rest = sys.argv[1:]
    size, keys = (200, 50), 0
    while rest[:1] in (["--size"], ["--keys"]):
        if rest[0] == "--size":
            width, height = rest[1].split("x")
            size = (int(width), int(height))
        else:
            keys = int(rest[1])
        rest = rest[2:]
    if rest[:1] == ["--"]:
        rest = rest[1:]

    found = {"painted": 0.0, "checks": 0.0}
    frames: list[float] = []  # when each frame was done, while keys are timed

    def instrument(app_module) -> None:
        """Make ``App.run`` headless, stopping at the first paint that shows the marker."""
        import asyncio

        from textual.screen import Screen

        App = app_module.App
        painted = asyncio.Event()
        refresh = Screen._compositor_refresh

        def compositor_refresh(self: Screen) -> None:
            refresh(self)
            frames.append(time.perf_counter())
            if painted.is_set() or self is not self.app.screen:
                return
            began = time.perf_counter()
            text = "\n".join(strip.text for strip in self._compositor.render_strips())
            if marker in text:
                found["painted"] = began
                painted.set()
            else:
                found["checks"] += time.perf_counter() - began

        Screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
        run = App.run

        async def auto_pilot(pilot) -> None:
            await painted.wait()
            rss_paint = _peak_kib()
            # what the first paint started (loads, warm-up imports, the board's writing
            # service) counts for memory
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_settled(pilot.app), 20)
            lines = [f"painted {found['painted']!r}", f"checks {found['checks']!r}",
                     f"rss_paint {rss_paint}", f"rss_peak {_peak_kib()}"]
            if keys:
                timings = await _filter_keys(pilot, keys, frames)
                lines.append("filter_ms " + " ".join(f"{ms:.2f}" for ms in timings))
            with open(out, "w") as report:
                report.write("\n".join(lines) + "\n")
            pilot.app.exit()

        def headless_run(self, *args, **kwargs):
            kwargs.update(headless=True, size=size, auto_pilot=auto_pilot)
            return run(self, *args, **kwargs)

        App.run = headless_run  # type: ignore[method-assign]

    # Textual is instrumented when the program imports it, not before: the board starts
    # reading its database before it imports Textual, and the two overlap.
    when_imported("textual.app", instrument)
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main()
