"""Who may change what (DESIGN §6 "Ownership"), checked inside each write's transaction
so that the command line, the board and every teammate meet the same rule.

A mixin of ``Service``: history names who did what, so only a person on the board
writes. (Only a task's owner starts, parks or finishes it: ``status_changes``.)
"""

from __future__ import annotations

from sqlmodel import Session, select

from mlkanban.store.models import Person
from mlkanban.store.write_checks import not_a_person


class Ownership:
    """The method of ``Service`` (see ``service.Service``) that refuses a write by
    someone who is no person on the board."""

    actor: str

    def _require_actor(self, session: Session, *, founding: bool = False) -> None:
        """Refuse a write by a handle that is no person here; ``founding``: anyone may add
        the first person to an empty board."""
        if session.exec(select(Person.id).where(Person.handle == self.actor)).first():
            return
        if founding and session.exec(select(Person.id)).first() is None:
            return
        raise not_a_person(self.actor)
