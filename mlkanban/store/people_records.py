"""People: adding someone's swimlane and changing their name, WIP limit or lane.

A mixin of ``Service`` (same transaction and event conventions), kept apart from the
task changes that make up most of the service.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from mlkanban.domain.errors import BadInput
from mlkanban.store import validate
from mlkanban.store.models import Person
from mlkanban.store.views import PersonView


class PeopleRecords:
    """Methods of ``Service`` that change people (see ``service.Service``)."""

    def add_person(
        self,
        handle: str,
        *,
        name: str | None = None,
        wip_limit: int = 1,
        at: datetime | None = None,
    ) -> PersonView:
        value = validate.handle(handle)
        display = validate.text(name, "name") or value
        limit = validate.wip_limit(wip_limit)
        with self._write(founding=True) as session:
            when = self._when(at)
            if session.exec(select(Person).where(Person.handle == value)).first():
                raise BadInput(f"person {value!r} already exists")
            person = Person(handle=value, name=display, wip_limit=limit, created_at=when)
            session.add(person)
            session.flush()
            self._event(
                session, when, "person_added", person_id=person.id, new=value,
                reason=f"WIP limit {limit}",
            )
        return PersonView(value, display, limit, True)

    def edit_person(
        self,
        handle: str,
        *,
        name: str | None = None,
        wip_limit: int | None = None,
        active: bool | None = None,
        at: datetime | None = None,
    ) -> PersonView:
        with self._write() as session:
            when = self._when(at)
            person = self._person(session, handle, lock=True)
            changes: list[tuple[str, object, object]] = []
            if name is not None and validate.text(name, "name") != person.name:
                changes.append(("name", person.name, validate.text(name, "name")))
                person.name = validate.text(name, "name")
            if wip_limit is not None and validate.wip_limit(wip_limit) != person.wip_limit:
                changes.append(("wip_limit", person.wip_limit, wip_limit))
                person.wip_limit = wip_limit
            if active is not None and active != person.active:
                changes.append(("active", person.active, active))
                person.active = active
            for field, old, new in changes:
                self._event(
                    session, when, "person_edited", person_id=person.id, field=field,
                    old=old, new=new,
                )
            return PersonView(person.handle, person.name, person.wip_limit, person.active)
