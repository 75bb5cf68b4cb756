"""Render every Mermaid chart of the weekly reports with the real renderer, and check them.

Builds the demo board (and, with ``--synthetic``, a large synthetic one) at a fixed
moment, writes the reports of a few weeks, extracts every Mermaid block and renders it
to PNG and SVG with mermaid-cli (``mmdc``). Look at the PNGs; the script also measures
in the SVGs what it can: that no two tick labels of an axis overlap, and each chart's
height.

    python scripts/render_report.py OUT_DIR [--synthetic] [--now 2026-11-25T10:00Z]

mermaid-cli is not a dependency of mlkanban (it is an npm package that drives a
browser). Install it anywhere outside the repository, with the browser the system has:

    PUPPETEER_SKIP_DOWNLOAD=1 npm install @mermaid-js/mermaid-cli
    MMDC=node_modules/.bin/mmdc CHROMIUM=/usr/bin/chromium python scripts/render_report.py out

Without ``mmdc`` (on PATH or in ``MMDC``) it writes the reports, says it skipped the
rendering, and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlkanban.domain.workdays import WorkCalendar  # noqa: E402
from mlkanban.history.weekly import Period, weekly_report  # noqa: E402
from mlkanban.io.markdown_report import render_markdown  # noqa: E402
from mlkanban.store.engine import make_engine  # noqa: E402

#: Axis labels are drawn at 11 px in a sans-serif font: about 6.5 px a character.
CHAR_PX = 6.5
_BLOCK = re.compile(r"^```mermaid\n(.*?)^```$", re.M | re.S)
_TICK = re.compile(r'<g class="tick"[^>]*transform="translate\(([-\d.]+),\s*[-\d.]+\)"[^>]*>'
                   r".*?<text[^>]*>([^<]*)</text>", re.S)
_VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')


def find_mmdc() -> list[str] | None:
    """The mmdc command, with a browser configuration when ``CHROMIUM`` names one."""
    mmdc = os.environ.get("MMDC") or shutil.which("mmdc")
    if not mmdc or not Path(mmdc).exists():
        return None
    command = [mmdc, "--quiet"]
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if browser:
        config = Path(tempfile.gettempdir()) / "mlkanban-puppeteer.json"
        config.write_text(json.dumps({"executablePath": browser, "args": ["--no-sandbox"]}))
        command += ["--puppeteerConfigFile", str(config)]
    return command


def works(mmdc: list[str], scratch: Path) -> bool:
    """Whether mmdc renders at all here (it needs a browser it can start)."""
    chart = scratch / "probe.mmd"
    chart.write_text("gantt\n    dateFormat YYYY-MM-DD\n    a :2026-01-05, 2026-01-07\n")
    try:
        subprocess.run([*mmdc, "-i", str(chart), "-o", str(scratch / "probe.svg")],
                       check=True, timeout=120, capture_output=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return (scratch / "probe.svg").exists()


def build_demo(path: Path, now: datetime) -> None:
    from mlkanban.demo import create_demo_database

    create_demo_database(path, now=now)


def build_synthetic(path: Path, now: datetime) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from synthetic import build_large_database

    build_large_database(path, tasks=3_000, events=30_000, people=12, projects=6, days=400,
                         now=now)


def reports(db: Path, now: datetime, weeks: int) -> dict[str, str]:
    """The Markdown of the week of ``now`` and of the ``weeks - 1`` before it."""
    engine = make_engine(str(db))
    out = {}
    period = Period.week_of(now.astimezone().date())
    with engine.connect() as conn:
        for _ in range(weeks):
            report = weekly_report(conn, period, now=now, calendar=WorkCalendar())
            out[period.label] = render_markdown(report)
            period = period.previous()
    engine.dispose()
    return out


def tick_overlaps(svg: str) -> tuple[int, float]:
    """The number of tick labels and the smallest free space between two neighbours
    (negative: they overlap), with labels centred on their ticks."""
    ticks = sorted((float(x), label) for x, label in _TICK.findall(svg) if label.strip())
    gaps = [
        (b[0] - a[0]) - (len(a[1]) + len(b[1])) * CHAR_PX / 2
        for a, b in zip(ticks, ticks[1:], strict=False)
    ]
    return len(ticks), min(gaps, default=float("inf"))


def render(mmdc: list[str], blocks: dict[str, str], out: Path) -> list[dict]:
    """Render every block to PNG and SVG (one browser session per format, through a
    Markdown file of all the blocks), name the images after the blocks, measure them."""
    names = list(blocks)
    for name, block in blocks.items():
        (out / f"{name}.mmd").write_text(block)
    charts = out / "charts.md"
    charts.write_text("".join(f"```mermaid\n{blocks[n]}```\n\n" for n in names))
    for fmt in ("png", "svg"):
        subprocess.run([*mmdc, "-i", str(charts), "-o", str(out / "rendered.md"), "-e", fmt,
                        "-a", str(out), "-b", "white"], check=True, timeout=1800)
        for i, name in enumerate(names, start=1):
            (out / f"rendered-{i}.{fmt}").replace(out / f"{name}.{fmt}")
    rows = []
    for name in names:
        svg = (out / f"{name}.svg").read_text()
        count, gap = tick_overlaps(svg)
        box = _VIEWBOX.search(svg)
        rows.append({"chart": name, "ticks": count, "min_gap_px": round(gap, 1),
                     "height": float(box.group(2)) if box else None})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--synthetic", action="store_true",
                        help="also a synthetic board: 3,000 tasks over 400 days")
    parser.add_argument("--now", default="2026-11-25T10:00:00+00:00",
                        help="the boards' and reports' moment (default: a Wednesday)")
    parser.add_argument("--weeks", type=int, default=3)
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now.replace("Z", "+00:00")).astimezone(UTC)
    args.out.mkdir(parents=True, exist_ok=True)

    boards = {"demo": build_demo}
    if args.synthetic:
        boards["synthetic"] = build_synthetic
    blocks: dict[str, str] = {}
    for board, build in boards.items():
        db = args.out / f"{board}.db"
        build(db, now)
        for week, text in reports(db, now, args.weeks).items():
            (args.out / f"{board}-{week}.md").write_text(text)
            for i, match in enumerate(_BLOCK.finditer(text)):
                blocks[f"{board}-{week}-{i}"] = match.group(1)
    print(f"{len(blocks)} Mermaid blocks in {len(boards) * args.weeks} reports, in {args.out}")

    mmdc = find_mmdc()
    if mmdc is None or not works(mmdc, args.out):
        print("skipped rendering: no working mmdc (set MMDC and CHROMIUM, see the docstring)")
        return 0
    rows = render(mmdc, blocks, args.out)
    bad = [r for r in rows if r["min_gap_px"] < 0]
    for row in rows:
        print(f"{row['chart']:32} ticks {row['ticks']:3}  smallest gap "
              f"{row['min_gap_px']:7}px  height {row['height']}")
    tallest = max((r["height"] or 0 for r in rows), default=0)
    print(f"{len(rows)} charts rendered; {len(bad)} with overlapping tick labels; "
          f"tallest {tallest:g}px")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
