"""People and projects as they were at a past moment, walked back from their rows.

A report of a past week must not show today's rows: a person added since, a project's
plan as it is now, a WIP limit raised last Tuesday. Rows hold the values now; every
change after the moment recorded the value it replaced, so applying those old values
newest first gives the values the moment saw. Someone (or some project) exists from
its creation or from its earliest recorded activity, whichever is earlier: people add
themselves and then backdate last week's work, and that work must still show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from mlkanban.domain.phases import Phase
from mlkanban.store.views import EventView, PersonView, ProjectView

#: Events after the moment whose old values walk the rows back.
LATER_KINDS = ("person_edited", "project_edited", "plan_set", "closed", "edited")
#: Events kept from the whole history because a moment's value is their *new* value.
RECORD_KINDS = ("closed", "ab_test_set")

_PROJECT_FIELDS = {"name", "description", "hypothesis", "metric", "status", "owner",
                   "outcome", "outcome_why"}


def people_as_of(people: Iterable[PersonView], created: Mapping[str, datetime],
                 later: Iterable[EventView], moment: datetime,
                 active_then: Iterable[str]) -> list[PersonView]:
    """The people who existed at ``moment``, with their name, WIP limit and lane then.

    ``active_then`` are handles seen at work by then (owning a task, acting): they
    existed, whenever their row was created.
    """
    seen = set(active_then)
    by_handle = {p.handle: p for p in people
                 if p.handle in seen or created.get(p.handle, moment) <= moment}
    for event in _newest_first(later, "person_edited"):
        person = by_handle.get(event.person or "")
        if person is None or event.field not in ("name", "wip_limit", "active"):
            continue
        if event.field == "wip_limit":
            value: object = int(event.old) if event.old else person.wip_limit
        elif event.field == "active":
            value = event.old == "True"
        else:
            value = event.old or ""
        by_handle[person.handle] = replace(person, **{event.field: value})
    return [by_handle[handle] for handle in sorted(by_handle)]


def projects_as_of(projects: Iterable[ProjectView], created: Mapping[str, datetime],
                   later: Iterable[EventView], closings: Iterable[EventView],
                   moment: datetime, active_then: Iterable[str]) -> list[ProjectView]:
    """The projects that existed at ``moment``, each as it was then: name, status,
    owner, hypothesis, metric, plan and outcome.

    ``closings`` are the projects' ``closed`` events (any time): a closing records the
    outcome it replaced but not that outcome's reason, which the closing before gives.
    ``active_then``: project keys with tasks or events by then.
    """
    seen = set(active_then)
    by_key = {p.key: p for p in projects if p.key in seen or created.get(p.key, moment) <= moment}
    why_then: dict[str, str | None] = {}
    for event in closings:
        if event.at <= moment and event.project:
            why_then[event.project] = event.reason
    for event in _newest_first(later):
        project = by_key.get(event.project or "")
        if project is None or event.task is not None:
            continue
        if event.kind == "plan_set":
            plan = dict(project.plan)
            phase = Phase(event.field)
            if event.old is None or float(event.old) == 0:  # no plan for it then
                plan.pop(phase, None)
            else:
                plan[phase] = float(event.old)
            by_key[project.key] = replace(
                project, plan=dict(sorted(plan.items(), key=lambda item: item[0].index)))
        elif event.kind == "closed":
            by_key[project.key] = replace(
                project, outcome=event.old,
                outcome_why=why_then.get(project.key) if event.old else None)
        elif event.kind == "project_edited" and event.field in _PROJECT_FIELDS:
            by_key[project.key] = replace(project, **{event.field: event.old})
    return [by_key[key] for key in sorted(by_key)]


def titles_as_of(later: Iterable[EventView]) -> dict[str, str]:
    """Each task's title at the moment, for the tasks retitled since."""
    titles: dict[str, str] = {}
    for event in _newest_first(later, "edited"):
        if event.field == "title" and event.task and event.old is not None:
            titles[event.task] = event.old
    return titles


def _newest_first(events: Iterable[EventView], kind: str | None = None) -> list[EventView]:
    chosen = [e for e in events if kind is None or e.kind == kind]
    return sorted(chosen, key=lambda e: (e.at, e.id), reverse=True)
