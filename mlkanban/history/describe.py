"""Events as short English sentences, for ``show`` and the board's history timeline."""

from __future__ import annotations

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.views import EventView


def _status(value: str | None) -> str:
    try:
        return Status(value).label if value else "?"
    except ValueError:
        return value or "?"


def _phase(value: str | None) -> str:
    try:
        return Phase(value).title if value else "?"
    except ValueError:
        return value or "?"


def describe_event(event: EventView) -> str:
    """One line saying what an event changed, with its reason when it has one."""
    kind = event.kind
    if kind == "created":
        text = f"created “{event.new}”"
    elif kind in ("started", "status_changed"):
        text = f"{_status(event.old)} → {_status(event.new)}"
    elif kind == "moved_phase":
        back = Phase(event.new).index < Phase(event.old).index if event.old and event.new else False
        text = f"moved {'back ' if back else ''}{_phase(event.old)} → {_phase(event.new)}"
    elif kind == "assigned":
        text = f"assigned {event.old or 'nobody'} → {event.new or 'nobody'}"
    elif kind == "estimated":
        text = f"estimate {event.old or '?'} → {event.new or '?'} days"
    elif kind == "edited":
        text = f"edited {event.field}" + (f": “{event.new}”" if event.field == "title" else "")
    elif kind == "wip_override":
        text = f"WIP limit overridden ({event.new} in progress)"
    elif kind == "split":
        text = f"split off {event.new}"
    elif kind == "ab_test_set":
        text = f"A/B test designed: {event.new}"
    elif kind == "delivered":
        text = f"delivered ({_phase(event.field)}): {event.new}"
    elif kind == "pivot":
        text = f"pivot: {event.new}"
    elif kind == "closed":
        text = f"closed with a {event.new} outcome"
    elif kind == "plan_set":
        old = f"{event.old} → " if event.old else ""
        text = f"plan for {_phase(event.field)}: {old}{event.new} weeks"
    elif kind == "undone":
        text = f"undid {event.new}"
    elif kind == "project_edited":
        text = f"{event.field}: {event.old or '-'} → {event.new or '-'}"
    else:
        detail = f" {event.field}" if event.field else ""
        value = f" → {event.new}" if event.new is not None else ""
        text = f"{kind.replace('_', ' ')}{detail}{value}"
    if event.reason:
        text += f" — {event.reason}"
    return text
