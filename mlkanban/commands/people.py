"""``mlkanban person``: the people who have a swimlane."""

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


@click.group("person")
def person() -> None:
    """Add, list and edit people (one swimlane each)."""


@person.command("add")
@click.argument("handle")
@click.option("--name", "-n", help="Display name (default: the handle).")
@click.option("--wip", type=int, default=1, show_default=True, help="Tasks in progress at once.")
@at_option
@pass_app
def person_add(app: AppContext, handle, name, wip, at) -> None:
    """Add a person."""
    view = app.service.add_person(handle, name=name, wip_limit=wip, at=app.when(at))
    echo(f"Added {view.handle} ({view.name}), WIP limit {view.wip_limit}")


@person.command("edit")
@click.argument("handle")
@click.option("--name", "-n", help="New display name.")
@click.option("--wip", type=int, help="New WIP limit.")
@click.option("--active/--inactive", default=None, help="Show or hide their swimlane.")
@at_option
@pass_app
def person_edit(app: AppContext, handle, name, wip, active, at) -> None:
    """Change a person's name, WIP limit or whether they have a lane."""
    if name is None and wip is None and active is None:
        raise click.UsageError("nothing to change: give --name, --wip, --active or --inactive")
    view = app.service.edit_person(handle, name=name, wip_limit=wip, active=active, at=app.when(at))
    state = "active" if view.active else "inactive"
    echo(f"Updated {view.handle} ({view.name}), WIP limit {view.wip_limit}, {state}")


@person.command("ls")
@json_option
@pass_app
def person_ls(app: AppContext, as_json) -> None:
    """List people with their WIP limits."""
    people = app.reader.people()
    if as_json:
        echo_json([p.__dict__ for p in people])
        return
    rows = [[p.handle, str(p.wip_limit), "yes" if p.active else "no", p.name] for p in people]
    echo(render_table(["HANDLE", "WIP", "ACTIVE", "NAME"], rows))


COMMANDS = [person]
