"""``mlkanban project``: projects (epics), each a hypothesis split into tasks."""

from __future__ import annotations

import click

from mlkanban.commands.common import (
    AppContext,
    at_option,
    echo,
    echo_json,
    json_option,
    pass_app,
    render_table,
)
from mlkanban.domain.errors import BadInput


def parse_plan(items: tuple[str, ...]) -> dict:
    """``research=2 modeling=3.5`` → {Phase: weeks}; refuses unknown phases and bad numbers."""
    from mlkanban.domain.phases import parse_phase

    plan = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise BadInput(f"a plan entry looks like PHASE=WEEKS (e.g. modeling=3), not {item!r}")
        phase = parse_phase(name)
        try:
            weeks = float(value)
        except ValueError:
            raise BadInput(
                f"planned weeks for {phase.value} must be a number, not {value!r}"
            ) from None
        if not (0 <= weeks <= 104):
            raise BadInput(
                f"planned weeks for {phase.value} must be between 0 and 104, not {value}"
            )
        plan[phase] = weeks
    return plan


@click.group("project")
def project() -> None:
    """Projects (epics): plan, deliverables, pivots and outcome."""


@project.command("add")
@click.argument("key")
@click.argument("name")
@click.option("--hypothesis", default="", help="What the project expects to be true.")
@click.option("--metric", default="", help="How success is measured.")
@click.option("--description", "-d", default="", help="Longer description.")
@click.option("--owner", metavar="HANDLE", help="The person responsible.")
@click.option("--plan", "plan_items", multiple=True, metavar="PHASE=WEEKS",
              help="Planned effort per phase in weeks (repeatable): --plan modeling=3")
@at_option
@pass_app
def project_add(app: AppContext, key, name, hypothesis, metric, description, owner, plan_items, at):
    """Add a project with key KEY (2-10 upper-case letters or digits) and NAME."""
    plan = parse_plan(plan_items)
    view = app.service.add_project(
        key, name, hypothesis=hypothesis, metric=metric, description=description,
        owner=owner, plan=plan, at=app.when(at),
    )
    echo(f"Added project {view.key} “{view.name}”")


@project.command("ls")
@json_option
@pass_app
def project_ls(app: AppContext, as_json) -> None:
    """List projects."""
    projects = app.reader.projects()
    if as_json:
        payload = [
            {**p.__dict__, "plan": {phase.value: weeks for phase, weeks in p.plan.items()}}
            for p in projects
        ]
        echo_json(payload)
        return
    rows = [[p.key, p.status, p.owner or "-", p.name] for p in projects]
    echo(render_table(["KEY", "STATUS", "OWNER", "NAME"], rows))


@project.command("show")
@click.argument("key")
@json_option
@pass_app
def project_show(app: AppContext, key, as_json) -> None:
    """Show a project's record: hypothesis, plan, deliverables, pivots, outcome, tasks."""
    from mlkanban.commands.project_view import project_record, render_project

    record = project_record(app.reader, key)
    if as_json:
        echo_json(record)
    else:
        echo(render_project(record))


@project.command("edit")
@click.argument("key")
@click.option("--name", help="New name.")
@click.option("--hypothesis", help="What the project expects to be true.")
@click.option("--metric", help="How success is measured.")
@click.option("--description", "-d", help="Longer description.")
@click.option("--status", help="active, paused, shipped or stopped.")
@click.option("--owner", metavar="HANDLE", help="The person responsible ('-' for nobody).")
@at_option
@pass_app
def project_edit(app: AppContext, key, name, hypothesis, metric, description, status, owner, at):
    """Change a project's fields."""
    if all(v is None for v in (name, hypothesis, metric, description, status, owner)):
        raise click.UsageError("nothing to change: give at least one option")
    view = app.service.edit_project(
        key, name=name, hypothesis=hypothesis, metric=metric, description=description,
        status=status, owner=owner, at=app.when(at),
    )
    echo(f"Updated project {view.key} “{view.name}” ({view.status})")


@project.command("plan")
@click.argument("key")
@click.argument("items", nargs=-1, required=True, metavar="PHASE=WEEKS...")
@at_option
@pass_app
def project_plan(app: AppContext, key, items, at) -> None:
    """Set planned weeks per phase: research=1 modeling=3 (0 removes a phase)."""
    view = app.service.set_plan(key, parse_plan(items), at=app.when(at))
    plan = ", ".join(f"{phase.value} {weeks:g}w" for phase, weeks in view.plan.items())
    echo(f"Plan of {view.key}: {plan or 'empty'}")


@project.command("deliver")
@click.argument("key")
@click.argument("phase")
@click.argument("title")
@click.option("--link", help="Where it is: a notebook path, a PR URL, a report.")
@at_option
@pass_app
def project_deliver(app: AppContext, key, phase, title, link, at) -> None:
    """Record that a phase's deliverable was reached and shared."""
    from mlkanban.domain.phases import parse_phase

    item = app.service.deliver(key, parse_phase(phase), title, link=link, at=app.when(at))
    where = f" ({item.link})" if item.link else ""
    echo(f"Delivered for {item.project} {item.phase.title}: {item.title}{where}")


@project.command("pivot")
@click.argument("key")
@click.argument("text")
@at_option
@pass_app
def project_pivot(app: AppContext, key, text, at) -> None:
    """Record a pivot: what failed and the new approach."""
    view = app.service.pivot(key, text, at=app.when(at))
    echo(f"Pivot recorded for {view.key}")


@project.command("close")
@click.argument("key")
@click.option("--outcome", required=True, metavar="OUTCOME",
              help="positive, negative or inconclusive.")
@click.option("--why", required=True, help="What the results say and, if they disappoint, why.")
@click.option("--status",
              help="Project status afterwards (default: shipped if positive, else stopped).")
@click.option("--drop-open", is_flag=True,
              help="Drop the project's open tasks (reason: project closed); without it, a "
                   "project with open tasks is not closed.")
@at_option
@pass_app
def project_close(app: AppContext, key, outcome, why, status, drop_open, at) -> None:
    """Record the outcome of Results Analysis and close the project."""
    view = app.service.close_project(key, outcome, why, status=status, drop_open=drop_open,
                                     at=app.when(at))
    echo(f"Closed {view.key}: {view.outcome} ({view.status})")


@project.command("estimate")
@click.argument("key")
@click.option("--days", type=float, required=True, help="Base estimate in working days.")
@click.option("--factor", "factors", multiple=True, metavar="NAME",
              help="A complicating factor; each doubles the estimate (repeatable). "
                   "Names: complex-data, big-data, dirty-data, unstructured-data, distributed, "
                   "multiple-models, complex-evaluation, review, documentation.")
@click.option("--plan", "plan_phase", metavar="PHASE",
              help="Store the result (in weeks) as the plan of this phase.")
@at_option
@pass_app
def project_estimate(app: AppContext, key, days, factors, plan_phase, at) -> None:
    """Estimate a phase's effort the way experienced ML leads do: double per factor."""
    from mlkanban.domain.estimation import WARN_ABOVE_DAYS, estimate
    from mlkanban.domain.phases import parse_phase

    result = estimate(days, factors)
    phase = parse_phase(plan_phase) if plan_phase else None
    service = app.service
    project = service.require_project(key)
    for line in result.steps():
        echo(line)
    echo(f"estimate: {result.days:g} working days ({result.weeks:g} weeks)")
    if result.too_big:
        click.secho(
            f"warning: over {WARN_ABOVE_DAYS} working days; the work is probably bigger still. "
            "Split it into smaller deliverables and estimate those.",
            fg="yellow", err=True,
        )
    if phase is not None:
        service.set_plan(project.key, {phase: round(result.weeks, 2)}, at=app.when(at))
        echo(f"Stored as the plan of {project.key} {phase.title}: {result.weeks:g} weeks")


COMMANDS = [project]
