"""The Markdown report: escaping of user text, and well-formed tables and charts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from mlkanban.demo import populate_demo
from mlkanban.domain.phases import Phase
from mlkanban.history.weekly import Period, build_report, load_history
from mlkanban.io.markdown_report import inline, render_json, render_markdown
from mlkanban.store.engine import make_engine
from mlkanban.store.schema import ensure_schema
from tests.history.dates import at
from tests.markdown_checks import check_report, parser

HOSTILE = "Fix | pipes <script>x</script> `tick`"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a | b", "a \\| b"),
        ("`code`", "\\`code\\`"),
        ("# title", "\\# title"),
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y"),
        ("two\nlines\r\nhere", "two lines here"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("*a* _b_ ~c~", "\\*a\\* \\_b\\_ \\~c\\~"),
        ("back\\slash", "back\\\\slash"),
        (None, ""),
    ],
)
def test_inline_escaping(text, expected):
    assert inline(text) == expected


def test_escaped_text_reads_back_as_the_original():
    tokens = parser().parseInline(inline(HOSTILE + " *b* [x](y) # &amp;"))
    assert tokens[0].children[0].type == "text"
    assert "".join(child.content for child in tokens[0].children) == (
        HOSTILE + " *b* [x](y) # &amp;")


def test_the_hand_built_report_is_well_formed(history, calendar):
    report = build_report(history, Period.parse_week("2026-W47"), now=at(23, 10),
                          calendar=calendar)
    text = render_markdown(report)
    found = check_report(text)
    assert found["headings"] == [
        ("h1", "Week 2026-W47: Mon 16 Nov – Sun 22 Nov 2026"),
        ("h2", "People"), ("h2", "Attention"), ("h2", "Flow of work"), ("h2", "Projects"),
        ("h3", "CHURN: Churn prediction"), ("h3", "FRAUD: Fraud scores"),
    ]
    assert found["tables"] == 3  # people, flow, CHURN's phases (FRAUD has none)
    assert [m.split("\n")[0] for m in found["mermaid"]] == ["xychart-beta", "gantt"]
    assert "- **WIP override** CHURN-3 “Check the late labels” (alice): prod incident" in text
    assert ("- **Stalled** FRAUD “Fraud scores”: no event since 2026-11-02 "
            "(13 working days)") in text
    assert "| Modeling | 2 | 1.2 | 1 | 0 |" in text
    gantt = found["mermaid"][1]
    assert "    section Data Exploration\n    worked :done, 2026-11-11, 2026-11-14\n" in gantt
    # Modeling planned 2 weeks from Mon 9: ten working days with the Wed 18 holiday, to Mon 23
    assert "    plan 2w :2026-11-09, 2026-11-24\n" in gantt


def test_a_hostile_title_breaks_nothing(board, calendar):
    board.edit("CHURN-2", title=HOSTILE)
    board.add_person("eve", name="Eve <i>| `x`", at=at(23, 9, 30))
    board.pivot("CHURN", "# new\nplan <img src=x> | [y](z)", at=at(23, 9, 40))
    with board.read() as conn:
        data = load_history(conn)
    report = build_report(data, Period.parse_week("2026-W48"), now=at(23, 10), calendar=calendar)
    text = render_markdown(report)
    found = check_report(text)
    assert found["code_inline"] == 0
    title = "Fix \\| pipes &lt;script&gt;x&lt;/script&gt; \\`tick\\`"
    assert text.count(title) == 2  # done, in alice's row and in CHURN's week
    assert "| eve (Eve &lt;i&gt;\\| \\`x\\`) |" in text
    assert "- Pivot: \\# new plan &lt;img src=x&gt; \\| \\[y\\](z)" in text
    assert "<" not in text.replace("<br>", "")  # no raw tag of any kind
    html = parser().render(text)
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<img" not in html
    assert json.loads(render_json(report))["people"][0]["done"][0]["title"] == HOSTILE


@pytest.fixture(scope="module")
def demo_history(tmp_path_factory):
    engine = make_engine(str(tmp_path_factory.mktemp("demo") / "demo.db"))
    ensure_schema(engine)
    populate_demo(engine, now=datetime(2026, 11, 23, 10, tzinfo=UTC))
    with engine.connect() as conn:
        data = load_history(conn)
    engine.dispose()
    return data


@pytest.mark.parametrize("week", ["2026-W45", "2026-W47", "2026-W48"])
def test_the_demo_report_is_well_formed(demo_history, week):
    from mlkanban.domain.workdays import WorkCalendar

    report = build_report(demo_history, Period.parse_week(week),
                          now=datetime(2026, 11, 23, 10, tzinfo=UTC), calendar=WorkCalendar())
    found = check_report(render_markdown(report))
    heads = [h for h in found["headings"] if h[0] in ("h1", "h2")]
    assert [h[1] for h in heads[1:]] == ["People", "Attention", "Flow of work", "Projects"]
    projects = [h[1] for h in found["headings"] if h[0] == "h3"]
    assert len(projects) == len(report.projects) >= 3
    assert found["tables"] == 2 + sum(1 for p in report.projects if p.phases)
    assert len(found["mermaid"]) == 1 + sum(1 for p in report.projects if p.timeline)
    assert report.summary.done > 0 or week == "2026-W48"  # Monday morning: nothing yet


def test_without_charts_there_is_no_mermaid(history, calendar):
    report = build_report(history, Period.parse_week("2026-W47"), now=at(23, 10),
                          calendar=calendar)
    text = render_markdown(report, charts=False)
    assert "mermaid" not in text and "## Projects" in text
    assert Phase.MODELING.title in text
