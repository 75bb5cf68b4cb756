"""``mlkanban import``: restore or merge an export, all of it or nothing.

Records are matched by their keys (handle, project key, task key, event uid):
missing ones are added; a project or task that is newer in the file than in the
database is updated; everything else is left alone. So restoring into an empty
database reproduces it, and importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, func, insert, select, update

from mlkanban.domain.errors import BadInput
from mlkanban.io.records import Bundle
from mlkanban.store import validate, work_logs
from mlkanban.store.engine import write_engine
from mlkanban.store.models import AbTest, Deliverable, Event, Person, PhasePlan, Project, Task

PERSON = Person.__table__
PROJECT = Project.__table__
TASK = Task.__table__
EVENT = Event.__table__
PLAN = PhasePlan.__table__
DELIVERABLE = Deliverable.__table__
AB_TEST = AbTest.__table__
CHUNK = 5_000


#: The singular of each kind of record ``ImportResult`` counts.
_ONE = {"people": "person", "projects": "project", "tasks": "task", "events": "event",
        "deliverables": "deliverable", "A/B tests": "A/B test"}


def counted(n: int, kind: str) -> str:
    """``1 person``, ``2 people``: the number and the kind in agreement."""
    return f"{n} {_ONE.get(kind, kind) if n == 1 else kind}"


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.added.values()) or any(self.updated.values())

    def summary(self) -> str:
        if not self.changed:
            return "Nothing to import: the database already has everything in the file."
        parts = [counted(n, kind) for kind, n in self.added.items() if n]
        text = "Imported " + (", ".join(parts) if parts else "no new records")
        updates = [counted(n, kind) for kind, n in self.updated.items() if n]
        if updates:
            text += "; updated " + ", ".join(updates)
        return text


#: Fields held to the length of a title, by record type (the rest: ``MAX_TEXT``).
_TITLES = {"task": {"title"}, "project": {"name"}, "deliverable": {"title"}}
#: Fields that name a person.
_HANDLES = {"owner", "person"}


def check_record(record: BaseModel) -> None:
    """Hold every string of an imported record to the checks its command applies
    (``store.validate``): no undecodable text, NUL or control characters, titles under
    the title limit, handles that are handles. New fields are covered as they come."""
    kind = getattr(record, "type", "record")
    name = next((getattr(record, f) for f in ("key", "handle", "uid", "task", "project")
                 if isinstance(getattr(record, f, None), str)), "")
    try:
        for field_name, value in record:
            if not isinstance(value, str):
                continue
            what = field_name.replace("_", " ")
            if field_name in _TITLES.get(kind, ()):
                validate.title(value, what)
            elif field_name in _HANDLES:
                validate.handle(value)
            else:
                validate.text(value, what)
    except BadInput as exc:
        raise BadInput(f"{kind} {name}: {exc.message}".replace("  ", " ")) from None


def restore(engine: Engine, bundle: Bundle) -> ImportResult:
    """Write ``bundle`` in one transaction; raise ``BadInput`` before writing on any problem."""
    with write_engine(engine).connect() as conn, conn.begin():
        return restore_into(conn, bundle)


def restore_into(conn: Connection, bundle: Bundle) -> ImportResult:
    """Write ``bundle`` inside the caller's write transaction (which rolls back on error)."""
    result = ImportResult()
    people = dict(conn.execute(select(PERSON.c.handle, PERSON.c.id)).all())
    projects = {
        row.key: row for row in conn.execute(select(PROJECT.c.key, PROJECT.c.id,
                                                    PROJECT.c.updated_at, PROJECT.c.next_number))
    }
    tasks = {
        row.key: row for row in conn.execute(select(TASK.c.key, TASK.c.id, TASK.c.updated_at))
    }
    _check_references(bundle, set(people), set(projects), set(tasks))

    new_people = [p for p in bundle.people if p.handle not in people]
    if new_people:
        conn.execute(insert(PERSON), [p.model_dump(exclude={"type"}) for p in new_people])
        people = dict(conn.execute(select(PERSON.c.handle, PERSON.c.id)).all())
    result.added["people"] = len(new_people)

    added = updated = 0
    for record in bundle.projects:
        values = record.model_dump(exclude={"type", "owner", "plan"})
        values["owner_id"] = people.get(record.owner) if record.owner else None
        existing = projects.get(record.key)
        if existing is None:
            project_id = conn.execute(insert(PROJECT).values(**values)).inserted_primary_key[0]
            added += 1
        elif record.updated_at > existing.updated_at:
            values["next_number"] = max(record.next_number, existing.next_number)
            conn.execute(update(PROJECT).where(PROJECT.c.id == existing.id).values(**values))
            conn.execute(PLAN.delete().where(PLAN.c.project_id == existing.id))
            project_id = existing.id
            updated += 1
        else:
            continue
        if record.plan:
            conn.execute(insert(PLAN), [
                {"project_id": project_id, "phase": phase.value, "weeks": weeks}
                for phase, weeks in record.plan.items()
            ])
    result.added["projects"], result.updated["projects"] = added, updated
    project_ids = dict(conn.execute(select(PROJECT.c.key, PROJECT.c.id)).all())

    added = updated = 0
    new_tasks = []
    touched: set[int] = set()
    for record in bundle.tasks:
        values = record.model_dump(exclude={"type", "project", "owner"})
        values["status"] = record.status.value
        values["phase"] = record.phase.value
        values["project_id"] = project_ids[record.project]
        values["owner_id"] = people.get(record.owner) if record.owner else None
        existing = tasks.get(record.key)
        if existing is None:
            new_tasks.append(values)
        elif record.updated_at > existing.updated_at:
            conn.execute(update(TASK).where(TASK.c.id == existing.id).values(**values))
            touched.add(existing.id)
            updated += 1
    for start in range(0, len(new_tasks), CHUNK):
        conn.execute(insert(TASK), new_tasks[start : start + CHUNK])
    if new_tasks:
        _keep_numbers_unused(conn, {values["project_id"] for values in new_tasks})
    result.added["tasks"], result.updated["tasks"] = len(new_tasks), updated
    task_ids = dict(conn.execute(select(TASK.c.key, TASK.c.id)).all())

    known_uids = set(conn.execute(select(EVENT.c.uid)).scalars())
    new_events = [
        {
            "uid": e.uid, "at": e.at, "actor": e.actor, "kind": e.kind,
            "project_id": project_ids.get(e.project) if e.project else None,
            "task_id": task_ids.get(e.task) if e.task else None,
            "person_id": people.get(e.person) if e.person else None,
            "field": e.field, "old": e.old, "new": e.new, "reason": e.reason,
        }
        for e in bundle.events
        if e.uid not in known_uids
    ]
    for start in range(0, len(new_events), CHUNK):
        conn.execute(insert(EVENT), new_events[start : start + CHUNK])
    result.added["events"] = len(new_events)
    touched.update(task_ids[values["key"]] for values in new_tasks)
    touched.update(e["task_id"] for e in new_events if e["task_id"] is not None)
    work_logs.rebuild(conn, touched)

    known = {
        (row.project_id, row.phase, row.title, row.reached_at)
        for row in conn.execute(select(DELIVERABLE.c.project_id, DELIVERABLE.c.phase,
                                       DELIVERABLE.c.title, DELIVERABLE.c.reached_at))
    }
    new_deliverables = []
    for item in bundle.deliverables:
        values = {"project_id": project_ids[item.project], "phase": item.phase.value,
                  "title": item.title, "link": item.link, "reached_at": item.reached_at}
        identity = (values["project_id"], values["phase"], item.title, item.reached_at)
        if identity not in known:
            known.add(identity)
            new_deliverables.append(values)
    if new_deliverables:
        conn.execute(insert(DELIVERABLE), new_deliverables)
    result.added["deliverables"] = len(new_deliverables)

    designs = {row.task_id: row for row in conn.execute(select(AB_TEST))}
    added = updated = 0
    for test in bundle.ab_tests:
        values = test.model_dump(exclude={"type", "task"})
        task_id = task_ids[test.task]
        existing = designs.get(task_id)
        if existing is None:
            conn.execute(insert(AB_TEST).values(task_id=task_id, **values))
            added += 1
        elif any(getattr(existing, k) != v for k, v in values.items()):
            conn.execute(update(AB_TEST).where(AB_TEST.c.task_id == task_id).values(**values))
            updated += 1
    result.added["A/B tests"], result.updated["A/B tests"] = added, updated
    return result


def _keep_numbers_unused(conn: Connection, project_ids: set[int]) -> None:
    """A project's next task number stays above every task it holds, so a task added
    after the import never takes a key the import used."""
    highest = (
        select(func.max(TASK.c.number))
        .where(TASK.c.project_id == PROJECT.c.id)
        .scalar_subquery()
    )
    conn.execute(
        update(PROJECT)
        .where(PROJECT.c.id.in_(sorted(project_ids)), PROJECT.c.next_number <= highest)
        .values(next_number=highest + 1)
    )


def _check_references(
    bundle: Bundle, people: set[str], projects: set[str], tasks: set[str]
) -> None:
    """Every key a record points at must exist in the file or the database."""
    people |= {p.handle for p in bundle.people}
    projects |= {p.key for p in bundle.projects}
    tasks |= {t.key for t in bundle.tasks}
    for project in bundle.projects:
        if project.owner and project.owner not in people:
            raise BadInput(f"project {project.key}: unknown owner {project.owner!r}")
    for task in bundle.tasks:
        if task.project not in projects:
            raise BadInput(f"task {task.key}: unknown project {task.project!r}")
        if task.owner and task.owner not in people:
            raise BadInput(f"task {task.key}: unknown owner {task.owner!r}")
    for item in bundle.deliverables:
        if item.project not in projects:
            raise BadInput(f"deliverable {item.title!r}: unknown project {item.project!r}")
    for test in bundle.ab_tests:
        if test.task not in tasks:
            raise BadInput(f"A/B test: unknown task {test.task!r}")
    for event in bundle.events:
        if event.task and event.task not in tasks:
            raise BadInput(f"event {event.uid}: unknown task {event.task!r}")
        if event.project and event.project not in projects:
            raise BadInput(f"event {event.uid}: unknown project {event.project!r}")
        if event.person and event.person not in people:
            raise BadInput(f"event {event.uid}: unknown person {event.person!r}")
