"""``mlkanban report``: a week (or any range of days) for a status meeting."""

from __future__ import annotations

import gc

import click

from mlkanban.commands.common import EARLIEST, AppContext, echo, pass_app

#: The first day a report may cover (``--at`` cannot go further back either).
FIRST_DAY = EARLIEST.date()


def _period(app: AppContext, week: str | None, start: str | None, end: str | None):
    from mlkanban.domain.errors import BadInput
    from mlkanban.history.metrics import local_day
    from mlkanban.history.weekly import Period, parse_day

    if week is not None and (start is not None or end is not None):
        raise BadInput("give either --week or --from/--to, not both")
    today = local_day(app.clock())
    try:
        if week is not None:
            period = Period.parse_week(week)
        elif start is not None or end is not None:
            if start is None:
                raise BadInput("--to needs --from too")
            first = parse_day(start, "--from")
            last = parse_day(end, "--to") if end is not None else today
            period = Period.between(first, last)
        else:
            period = Period.week_of(today)
    except (OverflowError, ValueError):  # a week at the very end of the calendar
        raise BadInput(f"{week or start} is out of the range of dates") from None
    if period.start > today:
        raise BadInput(f"{period.label} has not started yet (today is {today})")
    if period.start < FIRST_DAY:
        raise BadInput(f"{period.label} starts before {FIRST_DAY}; nothing on a board is older")
    return period


@click.command("report")
@click.option("--week", "-w", metavar="YYYY-Www",
              help="An ISO week, e.g. 2026-W47 (default: this week).")
@click.option("--from", "start", metavar="DATE", help="First day of a custom range (YYYY-MM-DD).")
@click.option("--to", "end", metavar="DATE", help="Last day of the range (default: today).")
@click.option("--format", "-f", "fmt", type=click.Choice(["md", "json"]), default="md",
              show_default=True, help="Markdown for people, JSON for scripts: the same content.")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
@pass_app
def report(app: AppContext, week, start, end, fmt, output) -> None:
    """The week's report: people, projects, what needs attention, and charts."""
    from mlkanban.commands.data import _output
    from mlkanban.domain.text import json_safe
    from mlkanban.history.closed_work import cache_file
    from mlkanban.history.report_load import chart_counter
    from mlkanban.history.weekly import weekly_report
    from mlkanban.io.markdown_report import render_json, render_markdown
    from mlkanban.store.split_reads import start_apart

    period = _period(app, week, start, end)
    service = app.reader
    now = service.now()
    # The charts are counted by a child process meanwhile, where one can be forked.
    charts = start_apart(service.database, chart_counter(period.as_of(now)))
    # A year of history is a few hundred thousand short-lived objects and no cycles:
    # the cyclic collector would only rescan them (a third of the time) for nothing,
    # and once more when it is back on, unless they are set aside (frozen) first.
    gc.disable()
    try:
        with service.read() as conn:
            model = weekly_report(conn, period, now=now, calendar=service.calendar,
                                  kept=cache_file(app.db), charts_apart=charts)
    finally:
        if charts is not None:
            charts.stop()
        gc.freeze()
        gc.enable()
    text = (json_safe(render_json(model)) if fmt == "json"
            else render_markdown(model))
    with _output(output) as out:
        out.write(text)
    if output and output != "-":
        echo(f"Wrote the report of {period.label} to {output}", err=True)


COMMANDS = [report]
