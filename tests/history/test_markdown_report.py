"""The Markdown report: escaping of user text, and well-formed tables and charts."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from mlkanban.demo import populate_demo
from mlkanban.domain.phases import Phase
from mlkanban.history.weekly import Period, build_report, load_history
from mlkanban.io.markdown_escape import _text, cell, text
from mlkanban.io.markdown_report import render_json, render_markdown
from mlkanban.store.engine import make_engine
from mlkanban.store.schema import ensure_schema
from tests.history.dates import at
from tests.history.reading import read
from tests.markdown_checks import check_gfm_tables, check_mermaid, check_report, gfm, parser

HOSTILE = "Fix | pipes <script>x</script> `tick`"
URL_TITLE = "Read http://example.com/x|y first"


@pytest.mark.parametrize(
    ("value", "in_text", "in_cell"),
    [
        ("a | b", "a | b", "a \\| b"),
        ("`code`", "\\`code\\`", "\\`code\\`"),
        ("# title", "\\# title", "\\# title"),
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y", "&lt;b&gt;x&lt;/b&gt; &amp; y"),
        ("two\nlines\r\nhere", "two lines here", "two lines here"),
        ("[link](http://x)", "\\[link\\](http://x)", "\\[link\\](http://x)"),
        ("[link](xhttp://x)", "\\[link\\](xhttp:\\/\\/x)", "\\[link\\](xhttp:\\/\\/x)"),
        ("*a* _b_ ~c~", "\\*a\\* \\_b\\_ \\~c\\~", "\\*a\\* \\_b\\_ \\~c\\~"),
        ("back\\slash", "back\\\\slash", "back\\\\slash"),
        ("see http://example.com/x|y_z.", "see http://example.com/x|y_z.",
         "see http://example.com/x\\|y_z."),
        ("www.example.org/a*b", "www.example.org/a*b", "www.example.org/a*b"),
        # GFM would leave the "_" out of the link, where it could start emphasis
        ("http://example.com/a_", "http:\\/\\/example.com/a\\_", "http:\\/\\/example.com/a\\_"),
        (None, "", ""),
    ],
)
def test_escaping_depends_on_the_place(value, in_text, in_cell):
    assert text(value) == in_text
    assert cell(value) == in_cell


def test_plain_text_is_escaped_as_the_long_way_does():
    """Most titles have nothing to escape and are passed through as they are; every
    text, plain or nearly, comes out as the general escaping gives it."""
    rng = random.Random(3)
    alphabet = "aZ09 ,.;'?!()+=/-:\\`*_[]#~|&<>\t\nwww.é"
    texts = ["Backfill ltv features, part 8", "A/B test (50%) - go?", "see www.x.org",
             " lead", "trail ", "two  spaces", "a:b", "http://x.org/a", ""]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
              for _ in range(3000)]
    for value in texts:
        for table in (False, True):
            assert text(value, table=table) == _text(value, table=table), value
    assert sum(text(v) is v for v in texts) > 10  # the short way was taken


def test_a_url_with_a_pipe_is_a_working_link_in_a_list_and_in_a_table():
    item = gfm(f"- Done: CHURN-1 “{text(URL_TITLE)}”")
    assert '<a href="http://example.com/x%7Cy">http://example.com/x|y</a> first' in item
    row = gfm(f"| a | b |\n|---|---|\n| {cell(URL_TITLE)} | 2 |")
    assert '<td>Read <a href="http://example.com/x%7Cy">http://example.com/x|y</a> first</td>' \
        in row
    assert row.count("<td>") == 2


def test_escaped_text_reads_back_as_typed_under_gfm():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    atoms = ["http://example.com/x", "https://a.io/b?c=1&d=2", "www.example.org/", "|", "\\",
             "`", "*", "_", "[", "]", "(", ")", "#", "~", "<", ">", "&", "!", " ", "a", "1",
             ".", ":", "'", "\n", "é", "<b>", "**", "x|y", "HTTPS://Q.io", "_www.q.de_"]

    @hypothesis.settings(max_examples=300, deadline=None, derandomize=True)
    @hypothesis.given(st.lists(st.sampled_from(atoms), max_size=10).map("".join))
    def reads_back(value):
        flat = " ".join(value.split())
        item = gfm("- x " + text(value))
        assert _tags(item) <= {"ul", "li", "a"}, (value, item)
        assert _visible(item) == f"x {flat}".strip(), (value, item)
        row = gfm("| h |\n|---|\n| " + cell(value) + " |")
        assert _tags(row) <= {"table", "thead", "tbody", "tr", "th", "td", "a"}, (value, row)
        assert row.count("<td") == 1
        assert _visible(row.split("<td>")[1].split("</td>")[0]) == flat, (value, row)

    reads_back()


def _tags(html: str) -> set[str]:
    import re

    return set(re.findall(r"</?([a-z0-9]+)", html))


def _prose(html: str) -> str:
    """The HTML less its code blocks (the charts)."""
    import re

    return re.sub(r"<pre.*?</pre>", "", html, flags=re.S)


def _visible(html: str) -> str:
    import html as entities
    import re

    return entities.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def test_the_hand_built_report_is_well_formed(history, calendar):
    report = build_report(history, Period.parse_week("2026-W47"), now=at(23, 10),
                          calendar=calendar)
    text_ = render_markdown(report)
    found = check_report(text_)
    assert found["headings"] == [
        ("h1", "Week 2026-W47: Mon 16 Nov – Sun 22 Nov 2026"),
        ("h2", "People"), ("h2", "Attention"), ("h2", "Flow of work"), ("h2", "Projects"),
        ("h3", "CHURN: Churn prediction"), ("h3", "FRAUD: Fraud scores"),
    ]
    assert found["tables"] == 3  # people, flow, CHURN's phases (FRAUD has none)
    assert [m.split("\n")[0] for m in found["mermaid"]] == ["xychart-beta", "---"]
    assert "- **WIP override** CHURN-3 “Check the late labels” (alice): prod incident" in text_
    assert ("- **Stalled** FRAUD “Fraud scores”: no event since 2026-11-02 "
            "(13 working days)") in text_
    assert "| Modeling | 2 | 1.2 | 1 | 0 |" in text_
    gantt = found["mermaid"][1]
    assert "    section Data Exploration\n    worked :done, 2026-11-11, 2026-11-14\n" in gantt
    # Modeling planned 2 weeks from Mon 9: ten working days with the Wed 18 holiday, to Mon 23
    assert "    plan 2w :2026-11-09, 2026-11-24\n" in gantt
    # Fri 13 to Mon 16 is one stretch across the weekend; Thu 12 (in Data Exploration) and
    # Tue 17 (waiting) are not worked in Modeling
    assert ("    worked :done, 2026-11-09, 2026-11-12\n    worked :done, 2026-11-13, 2026-11-17\n"
            "    worked :done, 2026-11-19, 2026-11-23\n") in gantt
    # a past week: the marker at its end, not at the reader's date
    assert "    end of Sun 22 Nov :milestone, 2026-11-22, 2880m\n" in gantt
    chart = check_mermaid(found["mermaid"][0])
    assert chart["labels"] == ["W45", "W46", "W47"] and len(chart["series"]) == 1


def test_a_hostile_title_breaks_nothing(board, calendar):
    board.edit("CHURN-2", title=HOSTILE)
    board.add_person("eve", name="Eve <i>| `x`", at=at(23, 9, 30))
    board.pivot("CHURN", "# new\nplan <img src=x> | [y](z)", at=at(23, 9, 40))
    with board.read() as conn:
        data = load_history(conn)
    report = build_report(data, Period.parse_week("2026-W48"), now=at(23, 10), calendar=calendar)
    markdown = render_markdown(report)
    found = check_report(markdown)
    assert found["code_inline"] == 0
    in_cell = "Fix \\| pipes &lt;script&gt;x&lt;/script&gt; \\`tick\\`"
    in_list = "Fix | pipes &lt;script&gt;x&lt;/script&gt; \\`tick\\`"
    assert markdown.count(in_cell) == 1  # done, in alice's row
    assert markdown.count(in_list) == 1  # and in CHURN's week
    assert "| eve (Eve &lt;i&gt;\\| \\`x\\`) |" in markdown
    assert "- Pivot: \\# new plan &lt;img src=x&gt; | \\[y\\](z)" in markdown
    assert "<" not in markdown  # no raw tag of any kind
    for html in (parser().render(markdown), gfm(markdown)):
        html = _prose(html)
        assert "&lt;script&gt;x&lt;/script&gt;" in html and "<img" not in html
        assert "<code>" not in html and "<script" not in html
    assert json.loads(render_json(report))["people"][0]["done"][0]["title"] == HOSTILE


def test_urls_in_user_text_stay_links_outside_tables(board, calendar):
    board.edit("CHURN-2", title=URL_TITLE)
    board.deliver("CHURN", Phase.MODELING, "Baseline | report",
                  link="https://git.example.com/ml/churn/pull/7", at=at(23, 9, 40))
    board.deliver("CHURN", Phase.RESEARCH, "Plan", link="notebooks/plan_v2.ipynb",
                  at=at(23, 9, 45))
    with board.read() as conn:
        data = load_history(conn)
    report = build_report(data, Period.parse_week("2026-W48"), now=at(23, 10), calendar=calendar)
    html = gfm(render_markdown(report))
    link = '<a href="http://example.com/x%7Cy">http://example.com/x|y</a>'
    assert f"<li>Done: CHURN-2 “Read {link} first”</li>" in html
    assert f"“Read {link} first”</td>" in html  # in alice's row of the people table
    assert ('<li>Delivered (Modeling): <a href="https://git.example.com/ml/churn/pull/7">'
            "Baseline | report</a></li>") in html
    assert "<li>Delivered (Research): Plan (notebooks/plan_v2.ipynb)</li>" in html


def test_tables_hold_under_gfm(board, calendar):
    board.edit("CHURN-2", title="a | b `c` <i>d</i>\nnew line")
    board.add_person("eve", name="| ` <b>\n|", at=at(23, 9, 30))
    with board.read() as conn:
        data = load_history(conn)
    report = build_report(data, Period.parse_week("2026-W48"), now=at(23, 10), calendar=calendar)
    html = _prose(gfm(render_markdown(report)))
    assert check_gfm_tables(html) == 3
    assert "<i>" not in html and "<b>" not in html and "<code>" not in html
    assert "a | b `c` &lt;i&gt;d&lt;/i&gt; new line" in html


@pytest.fixture(scope="module")
def demo_history(tmp_path_factory):
    engine = make_engine(str(tmp_path_factory.mktemp("demo") / "demo.db"))
    ensure_schema(engine)
    populate_demo(engine, now=datetime(2026, 11, 25, 10, tzinfo=UTC))
    with read(engine) as conn:
        data = load_history(conn)
    engine.dispose()
    return data


@pytest.mark.parametrize("week", ["2026-W46", "2026-W47", "2026-W48"])
def test_the_demo_report_is_well_formed(demo_history, week):
    from mlkanban.domain.workdays import WorkCalendar

    report = build_report(demo_history, Period.parse_week(week),
                          now=datetime(2026, 11, 25, 10, tzinfo=UTC), calendar=WorkCalendar())
    found = check_report(render_markdown(report))
    heads = [h for h in found["headings"] if h[0] in ("h1", "h2")]
    assert [h[1] for h in heads[1:]] == ["People", "Attention", "Flow of work", "Projects"]
    projects = [h[1] for h in found["headings"] if h[0] == "h3"]
    assert len(projects) == len(report.projects) >= 3
    assert found["tables"] == 2 + sum(1 for p in report.projects if p.phases)
    assert len(found["mermaid"]) == 1 + sum(1 for p in report.projects if p.timeline)
    assert report.summary.done > 0
    throughput = check_mermaid(found["mermaid"][0])
    current = week == "2026-W48"  # Wednesday of W48: not over
    assert throughput["labels"][-1] == ("W48*" if current else week[-3:])
    assert len(throughput["series"]) == (2 if current else 1)
    for block in found["mermaid"][1:]:
        chart = check_mermaid(block)
        assert len(chart["sections"]) <= 7  # six phases and the "as of" row


def test_without_charts_there_is_no_mermaid(history, calendar):
    report = build_report(history, Period.parse_week("2026-W47"), now=at(23, 10),
                          calendar=calendar)
    markdown = render_markdown(report, charts=False)
    assert "mermaid" not in markdown and "## Projects" in markdown
    assert "diamond" not in markdown  # the charts' legend goes with the charts
    assert Phase.MODELING.title in markdown


def test_comments_of_the_week_are_listed_in_their_project(history, calendar):
    from mlkanban.history.weekly import Comment

    report = build_report(history, Period.parse_week("2026-W47"), now=at(23, 10),
                          calendar=calendar)
    churn = report.projects[0]
    churn.comments = [Comment("CHURN-2", "Train a baseline", "bob", at(20, 9),
                              "See http://example.com/x|y\n*not* `code` " + "z" * 400)]
    markdown = render_markdown(report)
    check_report(markdown)
    line = next(x for x in markdown.splitlines() if x.startswith("- Comment on"))
    assert line.startswith("- Comment on CHURN-2 “Train a baseline” by bob: See "
                           "http://example.com/x|y \\*not\\* \\`code\\` zzz")
    assert line.endswith("z…") and len(line) < 400

