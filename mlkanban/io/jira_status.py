"""Jira statuses as ours: the user's own map first, then the Status Category, then
Jira's well-known status names (in English or, through ``jira_locale``, another
language of Jira's)."""

from __future__ import annotations

from collections.abc import Mapping

from mlkanban.domain.statuses import Status
from mlkanban.io.jira_locale import STATUS_NAMES

_TODO = {"to do", "todo", "open", "backlog", "selected for development", "new", "reopened",
         "ready", "ready for development"}
_IN_PROGRESS = {"in progress", "in review", "review", "code review", "in development",
                "in testing", "testing", "in qa", "qa", "ready for qa", "in test",
                "ready for review", "under review"}
_DONE = {"done", "closed", "resolved", "complete", "completed", "released"}
_WAITING = {"blocked", "on hold", "waiting", "impeded", "paused"}
_DROPPED = {"won't do", "wont do", "won't fix", "cancelled", "canceled", "rejected",
            "declined", "abandoned", "obsolete"}
_CATEGORY = {"to do": Status.TODO, "new": Status.TODO, "in progress": Status.IN_PROGRESS,
             "done": Status.DONE, "complete": Status.DONE}
#: Resolutions that mean "closed without doing it".
_DROPPING_RESOLUTIONS = {"won't do", "won't fix", "duplicate", "cannot reproduce", "declined",
                         "cancelled", "canceled", "obsolete", "incomplete", "rejected"}


def map_status(
    jira_status: str,
    category: str = "",
    resolution: str = "",
    mapping: Mapping[str, Status] | None = None,
) -> tuple[Status, str | None]:
    """Jira's status (and resolution) as ours, with the reason waiting and dropped need.

    A status named in ``mapping`` (``--map-status``) is taken as given. Otherwise the
    Status Category, when the file has it, says to do / in progress / done, and the
    name only refines it (``Blocked`` in progress is waiting, ``Won't Do`` done is
    dropped); without a category, Jira's well-known status names decide.
    """
    status = normal(jira_status)
    label = jira_status.strip()
    if mapping and status in mapping:
        result = mapping[status]
        reason = f"{label} in Jira" if result in (Status.WAITING, Status.DROPPED) else None
        return result, reason
    status = STATUS_NAMES.get(status, status)
    by_category = _CATEGORY.get(STATUS_NAMES.get(normal(category), normal(category)))
    waiting = status in _WAITING or status.startswith("waiting")
    if waiting and by_category is not Status.DONE:
        return Status.WAITING, f"{label} in Jira"
    if status in _DROPPED and by_category in (None, Status.DONE):
        return Status.DROPPED, f"{label} in Jira"
    result: Status | None = by_category
    if result is None:
        if status in _TODO:
            result = Status.TODO
        elif status in _IN_PROGRESS:
            result = Status.IN_PROGRESS
        elif status in _DONE:
            result = Status.DONE
    if result is None:
        raise ValueError(f"unknown Jira status {label!r}")
    if result is Status.DONE and normal(resolution) in _DROPPING_RESOLUTIONS:
        return Status.DROPPED, f"resolved in Jira as {resolution.strip()}"
    return result, None


def normal(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())
