"""Every Mermaid chart of a demo week renders in the real renderer (mermaid-cli) with no
overlapping tick labels and a readable height.

mermaid-cli is an npm package that drives a browser, not a dependency of mlkanban: the
test runs where ``mmdc`` is on PATH (or named by ``MMDC``) and can start a browser, and
skips elsewhere.
``scripts/render_report.py`` renders more weeks, and a synthetic board, for a person to
look at.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "render_report.py"


@pytest.fixture(scope="module")
def render_script():
    spec = importlib.util.spec_from_file_location("render_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_demo_weeks_charts_render_without_overlaps(render_script, tmp_path):
    mmdc = render_script.find_mmdc()
    if mmdc is None or not render_script.works(mmdc, tmp_path):
        pytest.skip("no working mermaid-cli (mmdc, with a browser it can start)")
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    render_script.build_demo(tmp_path / "demo.db", now)
    markdown = render_script.reports(tmp_path / "demo.db", now, 1)["2026-W48"]
    blocks = {f"chart-{i}": m.group(1) for i, m in enumerate(render_script._BLOCK.finditer(
        markdown))}
    assert len(blocks) >= 4  # the throughput and a gantt per project
    rows = render_script.render(mmdc, blocks, tmp_path)
    assert [row["chart"] for row in rows] == list(blocks)
    for row in rows:
        assert (tmp_path / f"{row['chart']}.png").stat().st_size > 1000
        assert row["min_gap_px"] >= 0, row
        assert row["height"] is not None and row["height"] <= 600, row
    gantts = rows[1:]
    assert all(row["ticks"] >= 3 for row in gantts)
