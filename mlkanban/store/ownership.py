"""Who may change what (DESIGN §6 "Ownership"), checked inside each write's transaction
so that the command line, the board and every teammate meet the same rule.

A mixin of ``Service``: history names who did what, so only a person on the board
writes; and only a task's owner does its work (starts, parks or finishes it), while
anyone may hand it over, which is the way out the refusal names.
"""

from __future__ import annotations

from sqlmodel import Session, select

from mlkanban.domain.errors import BadInput, RuleRefused
from mlkanban.domain.statuses import Status
from mlkanban.store.models import Person, Task

#: The statuses only a task's owner may give it, as the refusal words them.
OWNER_ONLY = {
    Status.IN_PROGRESS: "starts it",
    Status.WAITING: "moves it to waiting",
    Status.DONE: "finishes it",
}


class Ownership:
    """Methods of ``Service`` (see ``service.Service``) that refuse a write by the wrong
    person."""

    actor: str

    def _require_actor(self, session: Session, *, founding: bool = False) -> None:
        """Refuse a write by a handle that is no person here; ``founding``: anyone may add
        the first person to an empty board."""
        if session.exec(select(Person.id).where(Person.handle == self.actor)).first():
            return
        if founding and session.exec(select(Person.id)).first() is None:
            return
        raise BadInput(
            f"{self.actor!r} is not a person on this board; a person on it can add them "
            f"(mlkanban person add {self.actor}), or act as one with --as HANDLE"
        )

    def _require_owner(self, session: Session, task: Task, status: Status) -> None:
        """Only a task's owner starts, parks or finishes it; anyone may take it over."""
        if task.owner_id is None or status not in OWNER_ONLY:
            return
        owner = session.get(Person, task.owner_id)
        if owner is not None and owner.handle != self.actor:
            raise RuleRefused(
                f"{task.key} is {owner.handle}'s task; only {owner.handle} "
                f"{OWNER_ONLY[status]}. Take it over (mlkanban assign {task.key} "
                f"{self.actor}) or act as {owner.handle} (--as {owner.handle})"
            )
