"""Task commands: add, start, wait, done, drop, move, assign, estimate, split, ls, show."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click

from mlkanban.commands.common import (
    AppContext,
    at_option,
    echo,
    echo_json,
    echo_json_items,
    echo_json_texts,
    json_option,
    local_time,
    pass_app,
    render_table,
    report_change,
    terminal_width,
)
from mlkanban.domain.statuses import BY_VALUE as STATUSES
from mlkanban.domain.text import plural


def _phase(text: str):
    from mlkanban.domain.phases import parse_phase

    return parse_phase(text)


@click.command("add")
@click.argument("title")
@click.option("--project", "-p", required=True, metavar="KEY", help="The project (epic) key.")
@click.option("--phase", required=True, metavar="PHASE", help="research, eda, modeling, ...")
@click.option("--owner", "-o", metavar="HANDLE", help="Who will do it (default: unassigned).")
@click.option("--estimate", "-e", type=int, metavar="DAYS", help="Working days, 1-5.")
@click.option("--description", "-d", default="", help="Longer description.")
@at_option
@pass_app
def add(app: AppContext, title, project, phase, owner, estimate, description, at) -> None:
    """Add a task to a project; prints its new key."""
    from mlkanban.domain.errors import RuleRefused
    from mlkanban.domain.rules import MAX_ESTIMATE_DAYS, SPLIT

    try:
        view = app.service.add_task(
            project, title, _phase(phase), owner=owner, estimate=estimate,
            description=description, at=app.when(at),
        )
    except RuleRefused as exc:
        if exc.remedy != SPLIT:
            raise
        # there is no task yet to split: say how to add the work instead
        raise RuleRefused(f"{exc.message} (add it as two or more tasks of at most "
                          f"{MAX_ESTIMATE_DAYS} working days each)") from None
    echo(view.key)


@click.command("start")
@click.argument("key")
@click.option("--override", metavar="REASON", help="Start past the WIP limit, saying why.")
@at_option
@pass_app
def start(app: AppContext, key, override, at) -> None:
    """Start (or resume) a task. Refused past its owner's WIP limit (exit 1)."""
    report_change(app.statuses.start(key, override=override, at=app.when(at)))


@click.command("wait")
@click.argument("key")
@click.option("--reason", "-r", required=True,
              help="What it waits for (an A/B test, data access, ...).")
@at_option
@pass_app
def wait(app: AppContext, key, reason, at) -> None:
    """Park a task on something outside your control; it stops counting toward WIP."""
    report_change(app.statuses.wait(key, reason, at=app.when(at)))


@click.command("done")
@click.argument("key")
@at_option
@pass_app
def done(app: AppContext, key, at) -> None:
    """Finish a task."""
    report_change(app.statuses.done(key, at=app.when(at)))


@click.command("drop")
@click.argument("key")
@click.option("--reason", "-r", required=True, help="Why it is abandoned (e.g. a pivot).")
@at_option
@pass_app
def drop(app: AppContext, key, reason, at) -> None:
    """Abandon a task; it stays in history."""
    report_change(app.statuses.drop(key, reason, at=app.when(at)))


@click.command("reopen")
@click.argument("key")
@at_option
@pass_app
def reopen(app: AppContext, key, at) -> None:
    """Put a task back to do (from waiting, in progress, done or dropped)."""
    report_change(app.statuses.reopen(key, at=app.when(at)))


@click.command("move")
@click.argument("key")
@click.argument("phase")
@at_option
@pass_app
def move(app: AppContext, key, phase, at) -> None:
    """Move a task to another phase; moving back is normal in ML work."""
    report_change(app.service.move(key, _phase(phase), at=app.when(at)))


@click.command("assign")
@click.argument("key")
@click.argument("handle")
@click.option("--override", metavar="REASON", help="Past the new owner's WIP limit, saying why.")
@at_option
@pass_app
def assign(app: AppContext, key, handle, override, at) -> None:
    """Hand a task to someone ('-' or 'nobody' to unassign)."""
    target = None if handle in {"-", "nobody", "none"} else handle
    report_change(app.service.assign(key, target, override=override, at=app.when(at)))


@click.command("estimate", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("days", type=int)
@at_option
@pass_app
def estimate(app: AppContext, key, days, at) -> None:
    """Estimate a task in working days (1-5; bigger work must be split)."""
    report_change(app.service.estimate(key, days, at=app.when(at)))


@click.command("edit")
@click.argument("key")
@click.option("--title", "-t", help="New title.")
@click.option("--description", "-d", help="New description.")
@at_option
@pass_app
def edit(app: AppContext, key, title, description, at) -> None:
    """Change a task's title or description."""
    if title is None and description is None:
        raise click.UsageError("nothing to change: give --title and/or --description")
    report_change(app.service.edit(key, title=title, description=description, at=app.when(at)))


@click.command("split")
@click.argument("key")
@click.argument("new_title")
@click.option("--estimate", "-e", type=int, required=True, metavar="DAYS",
              help="Working days, 1-5.")
@at_option
@pass_app
def split(app: AppContext, key, new_title, estimate, at) -> None:
    """Split off part of a task as a new task in the same project, phase and lane."""
    change = app.service.split(key, new_title, estimate=estimate, at=app.when(at))
    report_change(change)


@click.command("ls")
@click.option("--owner", "-o", metavar="HANDLE",
              help="Only this person's tasks ('-' for unassigned).")
@click.option("--project", "-p", metavar="KEY", help="Only this project.")
@click.option("--phase", metavar="PHASE", help="Only this phase.")
@click.option("--status", "-s", "statuses", multiple=True, metavar="STATUS",
              help="Only these statuses (repeatable). Default: todo, in_progress, waiting.")
@click.option("--all", "-a", "show_all", is_flag=True, help="Include done and dropped tasks.")
@click.option("--label", "-l", metavar="LABEL", help="Only tasks with this label (from Jira).")
@json_option
@pass_app
def ls(app: AppContext, owner, project, phase, statuses, show_all, label, as_json) -> None:
    """List tasks (open ones unless --status or --all says otherwise)."""
    from mlkanban.domain.statuses import OPEN_STATUSES, parse_status
    from mlkanban.store import validate

    wanted = {parse_status(s) for s in statuses} if statuses else None
    if wanted is None and not show_all:
        wanted = set(OPEN_STATUSES)
    filters: dict = {"statuses": wanted}
    if owner in {"-", "nobody", "none"}:
        filters["unassigned"] = True
    elif owner:
        filters["owner"] = validate.handle(owner)
    if project:
        filters["project"] = validate.project_key(project)
    if phase:
        filters["phase"] = _phase(phase)
    if label:
        filters["label"] = label.strip().lstrip("#")
    service = app.reader
    if owner and "owner" in filters:
        service.require_person(filters["owner"])
    if project:
        service.require_project(filters["project"])
    if as_json:
        if sys.stdout.isatty():  # indented for a person
            echo_json_items(task_items(service, filters))
        else:
            echo_json_texts(task_texts(service, filters))
        return
    rows = [_table_row(item) for batch in task_items(service, filters) for item in batch]
    if not rows:
        echo("No tasks match.", err=True)
        return
    headers = ["KEY", "STATUS", "PHASE", "OWNER", "EST", "AGE", "TITLE"]
    click.echo(render_table(headers, rows, width=terminal_width()))  # its cells made safe


def task_items(service, filters: dict) -> Iterator[list[dict]]:
    """The tasks ``ls`` lists, as its JSON items, a batch at a time.

    Each item is built straight from its row (``_item_maker``): a board of 100,000
    tasks is listed in the memory of a batch.
    """
    from mlkanban.store import queries

    with service.read() as sql:
        item = _item_maker(service, queries.ab_tests(sql))
        where, params = queries.task_filters(sql, **filters)
        text = f"SELECT {queries.TASK_COLUMNS}{queries.TASK_FROM}{where}{queries.TASK_ORDER}"
        label = filters.get("label")  # matched here, as ``queries.tasks`` does
        for batch in sql.stream(text, params):
            yield [item(row) for row in batch
                   if label is None or queries.has_label(row[16], label)]


def task_texts(service, filters: dict) -> Iterator[list[str]]:
    """The compact JSON text of each task ``ls --json`` lists, a batch at a time: written
    by SQLite itself where the board is SQLite (``store.task_json``), with a child
    process making half of a big board's listing of every task (``store.split_reads``);
    else encoded from ``task_items``."""
    from mlkanban.store import queries, split_reads
    from mlkanban.store.task_json import TaskJson, compact

    def lister(sql):  # each process's own, for its own connection
        designs = queries.ab_tests(sql)
        return TaskJson(sql, today=service.today(), designs=designs,
                        working_days=service.calendar.working_days,
                        item=_item_maker(service, designs), label=filters.get("label")).texts

    shared = None if any(filters.values()) else split_reads.start(service.database, lister)
    try:
        with service.read() as sql:
            if sql.dialect == "sqlite":
                if shared is not None:
                    yield from shared.texts(sql, lister(sql))
                else:
                    yield from lister(sql)(*queries.task_filters(sql, **filters))
                return
    finally:
        if shared is not None:
            shared.stop()
    for batch in task_items(service, filters):
        yield [compact(item) for item in batch]


def _item_maker(service, designs: dict):
    """What builds a task's JSON item from its ``queries.TASK_COLUMNS`` row: the keys and
    values of ``TaskView.as_dict``, then ``age``, ``over_size`` and (for a waiting task
    with an A/B test) ``ab_test``. No view, and no datetime but the ones ages need."""
    from mlkanban.domain.rules import is_over_size
    from mlkanban.store.views import LocalDays, iso_text

    today = service.today()
    working_days = service.calendar.working_days
    local_day = LocalDays()

    def item(row: tuple) -> dict:
        (key, title, project, phase, owner, estimate, status, reason, wip_override,
         created_at, _updated_at, started_at, _status_at, done_at, _description,
         jira_key, labels, parent) = row
        age = None
        if started_at is not None:
            end = local_day(done_at) if status == "done" and done_at else today
            age = working_days(local_day(started_at), end)
        made = {
            "key": key,
            "title": title,
            "project": project,
            "phase": phase,
            "owner": owner,
            "status": status,
            "estimate": estimate,
            "reason": reason,
            "wip_override": wip_override,
            "created_at": iso_text(created_at),
            "started_at": iso_text(started_at),
            "done_at": iso_text(done_at),
            "jira_key": jira_key,
            "parent": parent,
            "labels": labels.split() if labels else [],
            "age": age,
            "over_size": status == "in_progress" and age is not None
            and is_over_size(age, estimate),
        }
        if status == "waiting" and key in designs:
            made["ab_test"] = designs[key].progress(today)
        return made

    return item


def _table_row(item: dict) -> list[str]:
    """A line of the ``ls`` table, from a task's JSON item."""
    status = STATUSES[item["status"]]
    flags = []
    if item["over_size"]:
        flags.append("OVER SIZE")
    if item["wip_override"] and item["status"] == "in_progress":
        flags.append("WIP OVERRIDE")
    if item["reason"]:
        flags.append(item["reason"])
    if "ab_test" in item:
        flags.append(f"A/B {item['ab_test']}")
    age = item["age"]
    return [
        item["key"],
        f"{status.marker} {status.label}",
        item["phase"],
        item["owner"] or "-",
        str(item["estimate"]) if item["estimate"] else "?",
        f"{age}d" if age is not None else "",
        item["title"] + (f"  [{'; '.join(flags)}]" if flags else ""),
    ]


@click.command("show")
@click.argument("key")
@json_option
@pass_app
def show(app: AppContext, key, as_json) -> None:
    """Show a task with its full history, oldest first."""
    from mlkanban.store import queries

    service = app.reader
    task = service.task(key)
    with service.read() as sql:  # the rest in one read
        history = queries.events(sql, task_key=task.key)
        # Sub-tasks name their parent by its Jira key: a task without one has none, and
        # the search for them (a scan of every task) is spared.
        subtasks = [t.key for t in queries.tasks(sql, parent=task.key)] if task.jira_key else []
        design = queries.ab_tests(sql, [task.key]).get(task.key)
    today = service.today()
    if as_json:
        item = task.as_dict()
        item["description"] = task.description
        item["age"] = task.age(today, service.calendar)
        item["history"] = [event.as_dict() for event in history]
        item["subtasks"] = subtasks
        echo_json(item)
        return
    age = task.age(today, service.calendar)
    lines = [
        f"{task.key}  {task.title}",
        f"  project   {task.project}",
        f"  phase     {task.phase.title}",
        f"  status    {task.status.marker} {task.status.label}"
        + (f" — {task.reason}" if task.reason else ""),
        f"  owner     {task.owner or 'unassigned'}",
        f"  estimate  {plural(task.estimate, 'working day') if task.estimate else 'not estimated'}",
    ]
    if age is not None:
        over = "  (OVER SIZE)" if task.over_size(today, service.calendar) else ""
        days = "working day" if age == 1 else "working days"
        lines.append(f"  age       {age} {days} since {local_time(task.started_at)}{over}")
    if task.wip_override:
        lines.append(f"  override  {task.wip_override}")
    if task.jira_key:
        lines.append(f"  jira      {task.jira_key}")
    if task.parent:
        lines.append(f"  parent    {task.parent}")
    if subtasks:
        lines.append(f"  sub-tasks {', '.join(subtasks)}")
    if task.labels:
        lines.append(f"  labels    {' '.join('#' + label for label in task.labels)}")
    if design is not None:
        lines.append(
            f"  A/B test  {design.progress(today)}: {design.traffic_share:g}% of traffic from "
            f"{local_time(design.started_at, '%Y-%m-%d')} to {design.ends_on:%Y-%m-%d}"
        )
        if design.control or design.metric:
            lines.append(
                f"            control: {design.control or '-'}; metric: {design.metric or '-'}"
            )
    if task.description:
        lines.append("")
        lines.extend(f"  {line}" for line in task.description.splitlines())
    lines.append("")
    lines.append(f"History ({plural(len(history), 'event')})")
    from mlkanban.history.describe import describe_event

    comments = [event for event in history if event.kind == "commented"]
    for event in history:
        if event.kind != "commented":
            lines.append(f"  {local_time(event.at)}  {event.actor:<10} {describe_event(event)}")
    if comments:
        lines += ["", f"Comments ({len(comments)})"]
        for event in comments:
            lines.append(f"  {local_time(event.at)}  {event.actor}")
            lines.extend(f"    {line}" for line in (event.new or "").splitlines())
    echo("\n".join(lines))


COMMANDS = [add, start, wait, done, drop, reopen, move, assign, estimate, edit, split, ls, show]


@click.command("ab-test")
@click.argument("key")
@click.option("--start", "start_text", metavar="WHEN", help="When traffic started (default: now).")
@click.option("--days", type=int, required=True, help="Planned duration in days.")
@click.option("--traffic", type=float, required=True, help="Share of traffic in the test, in %.")
@click.option("--control", default="", help="What the treatment is compared with.")
@click.option("--metric", default="", help="The success metric and how to read it.")
@at_option
@pass_app
def ab_test(app: AppContext, key, start_text, days, traffic, control, metric, at) -> None:
    """Attach an A/B test design to a task in the A/B Testing phase."""
    started = app.when(start_text) or app.clock()
    design = app.service.set_ab_test(
        key, started_at=started, duration_days=days, traffic_share=traffic,
        control=control, metric=metric, at=app.when(at),
    )
    echo(
        f"A/B test on {design.task}: {design.duration_days} days from "
        f"{local_time(design.started_at, '%Y-%m-%d')}, {design.traffic_share:g}% of traffic, "
        f"ends {design.ends_on:%Y-%m-%d}"
    )


COMMANDS.append(ab_test)


@click.command("undo")
@at_option
@pass_app
def undo(app: AppContext, at) -> None:
    """Revert your last change (one command, however many events it wrote).

    History keeps both: the undo is recorded as a change of its own. Run it again to go
    one change further back. Exit 1 when there is nothing to undo, or when someone else
    has changed the same task since.
    """
    report_change(app.service.undo(at=app.when(at)))


COMMANDS.append(undo)
