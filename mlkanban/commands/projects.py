"""``mlkanban project``: projects (epics), each a hypothesis split into tasks."""

from __future__ import annotations

import json

import click

from mlkanban.commands.common import AppContext, at_option, json_option, pass_app, render_table
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
            raise BadInput(f"planned weeks for {phase.value} must be a number, not {value!r}") from None
        if not (0 <= weeks <= 104):
            raise BadInput(f"planned weeks for {phase.value} must be between 0 and 104, not {value}")
        plan[phase] = weeks
    return plan


@click.group("project")
def project() -> None:
    """Add and list projects (epics)."""


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
    click.echo(f"Added project {view.key} “{view.name}”")


@project.command("ls")
@json_option
@pass_app
def project_ls(app: AppContext, as_json) -> None:
    """List projects."""
    projects = app.service.projects()
    if as_json:
        payload = [
            {**p.__dict__, "plan": {phase.value: weeks for phase, weeks in p.plan.items()}}
            for p in projects
        ]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    rows = [[p.key, p.status, p.owner or "-", p.name] for p in projects]
    click.echo(render_table(["KEY", "STATUS", "OWNER", "NAME"], rows))


COMMANDS = [project]
