"""Checks every write makes, whichever way it writes (the ORM service or plain SQL on the
driver, ``status_changes``): when a change may be said to happen, who may write, and who
may move a task. Kept apart from both so that they word a refusal the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

from mlkanban.domain.clock import as_utc
from mlkanban.domain.errors import BadInput, RuleRefused
from mlkanban.domain.statuses import Status

#: How far in the future ``--at`` may be, to forgive clocks that disagree a little.
CLOCK_SKEW = timedelta(minutes=1)

#: The statuses only a task's owner may give it, as the refusal words them.
OWNER_ONLY = {
    Status.IN_PROGRESS: "starts it",
    Status.WAITING: "moves it to waiting",
    Status.DONE: "finishes it",
}


def moment_of(at: datetime | None, now: datetime, after: datetime | None = None,
              what: str = "it") -> datetime:
    """The moment a change happened: ``now``, or ``--at`` if it is not in the future;
    never before ``after`` (the last change recorded for ``what``)."""
    if at is None:
        when = now
    else:
        when = as_utc(at)
        if when > now + CLOCK_SKEW:
            local = when.astimezone().strftime("%Y-%m-%d %H:%M")
            raise BadInput(f"--at {local} is in the future")
    if after is not None and when < after:
        last = after.astimezone().strftime("%Y-%m-%d %H:%M")
        asked = when.astimezone().strftime("%Y-%m-%d %H:%M")
        raise BadInput(
            f"--at {asked} is before the last change recorded for {what} ({last}); "
            "history must stay in order"
        )
    return when


def not_a_person(actor: str) -> BadInput:
    """History names who did what, so only a person on the board writes."""
    return BadInput(
        f"{actor!r} is not a person on this board; a person on it can add them "
        f"(mlkanban person add {actor}), or act as one with --as HANDLE"
    )


def owner_refusal(key: str, owner: str, actor: str, status: Status) -> RuleRefused | None:
    """Only a task's owner starts, parks or finishes it; anyone may take it over."""
    if status not in OWNER_ONLY or owner == actor:
        return None
    return RuleRefused(
        f"{key} is {owner}'s task; only {owner} {OWNER_ONLY[status]}. Take it over "
        f"(mlkanban assign {key} {actor}) or act as {owner} (--as {owner})"
    )
