"""Task statuses and the transitions between them (DESIGN.md §4)."""

from __future__ import annotations

from enum import StrEnum

from mlkanban.domain.errors import BadInput, RuleRefused


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def marker(self) -> str:
        """A one-character marker that differs by shape, not only by colour."""
        return _MARKERS[self]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


BY_VALUE: dict[str, Status] = {status.value: status for status in Status}
"""Statuses by stored value, as ``phases.BY_VALUE``."""

_LABELS = {
    Status.TODO: "to do",
    Status.IN_PROGRESS: "in progress",
    Status.WAITING: "waiting",
    Status.DONE: "done",
    Status.DROPPED: "dropped",
}

_MARKERS = {
    Status.TODO: "○",
    Status.IN_PROGRESS: "▶",
    Status.WAITING: "‖",
    Status.DONE: "✓",
    Status.DROPPED: "✗",
}

OPEN_STATUSES = frozenset({Status.TODO, Status.IN_PROGRESS, Status.WAITING})

#: Which status may follow which. Everything can be dropped or reopened; a
#: finished task can be restarted when it turns out not to be finished.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.TODO: frozenset({Status.IN_PROGRESS, Status.WAITING, Status.DONE, Status.DROPPED}),
    Status.IN_PROGRESS: frozenset({Status.TODO, Status.WAITING, Status.DONE, Status.DROPPED}),
    Status.WAITING: frozenset({Status.TODO, Status.IN_PROGRESS, Status.DONE, Status.DROPPED}),
    Status.DONE: frozenset({Status.TODO, Status.IN_PROGRESS}),
    Status.DROPPED: frozenset({Status.TODO}),
}

#: Statuses whose change needs a reason, kept in the event and shown on the card.
NEEDS_REASON = frozenset({Status.WAITING, Status.DROPPED})

_ALIASES = {
    "in-progress": Status.IN_PROGRESS,
    "inprogress": Status.IN_PROGRESS,
    "doing": Status.IN_PROGRESS,
    "started": Status.IN_PROGRESS,
    "wait": Status.WAITING,
    "blocked": Status.WAITING,
    "to-do": Status.TODO,
}


def parse_status(text: str) -> Status:
    key = text.strip().lower().replace(" ", "_")
    try:
        return Status(key)
    except ValueError:
        pass
    status = _ALIASES.get(key.replace("_", "-"))
    if status is None:
        from mlkanban.domain.text import suggest

        names = ", ".join(s.value for s in Status)
        hint = suggest(text, {**BY_VALUE, **_ALIASES})
        raise BadInput(f"unknown status {text!r}{hint}; choose one of: {names}")
    return status


def check_transition(key: str, old: Status, new: Status) -> None:
    """Refuse a transition the board does not allow, saying what is allowed."""
    if old == new:
        raise RuleRefused(f"{key} is already {new.label}")
    if new not in TRANSITIONS[old]:
        allowed = ", ".join(s.label for s in sorted(TRANSITIONS[old], key=list(Status).index))
        raise RuleRefused(f"{key} is {old.label}; from there it can only become: {allowed}")
