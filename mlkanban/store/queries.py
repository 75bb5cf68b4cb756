"""Reads, in SQLAlchemy Core: thousands of rows become views without ORM overhead."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Select, func, select

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store import tables
from mlkanban.store.views import (
    AbTestView,
    DeliverableView,
    EventView,
    PersonView,
    ProjectView,
    TaskView,
)

T = tables.task
P = tables.project
PE = tables.person
E = tables.event
PL = tables.phase_plan

_TASK_COLUMNS = (
    T.c.key,
    T.c.title,
    P.c.key.label("project"),
    T.c.phase,
    PE.c.handle.label("owner"),
    T.c.estimate,
    T.c.status,
    T.c.reason,
    T.c.wip_override,
    T.c.created_at,
    T.c.updated_at,
    T.c.started_at,
    T.c.status_at,
    T.c.done_at,
    T.c.description,
    T.c.jira_key,
    T.c.labels,
)
_JIRA_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}-[1-9][0-9]{0,11}$")
#: A sub-task's parent: the task whose Jira key its ``jira_parent`` names.
_PARENT = T.alias("parent")


def task_select() -> Select:
    return (
        select(*_TASK_COLUMNS, _PARENT.c.key.label("parent"))
        .select_from(
            T.join(P, T.c.project_id == P.c.id)
            .outerjoin(PE, T.c.owner_id == PE.c.id)
            .outerjoin(_PARENT, T.c.jira_parent == _PARENT.c.jira_key)
        )
        .order_by(P.c.key, T.c.number)
    )


def _task_view(row) -> TaskView:
    return TaskView(
        key=row.key,
        title=row.title,
        project=row.project,
        phase=Phase(row.phase),
        owner=row.owner,
        estimate=row.estimate,
        status=Status(row.status),
        reason=row.reason,
        wip_override=row.wip_override,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        status_at=row.status_at,
        done_at=row.done_at,
        description=row.description,
        jira_key=row.jira_key,
        parent=row.parent,
        labels=tuple(row.labels.split()) if row.labels else (),
    )


def tasks(
    conn: Connection,
    *,
    owner: str | None = None,
    unassigned: bool = False,
    project: str | None = None,
    phase: Phase | None = None,
    statuses: Iterable[Status] | None = None,
    done_since: datetime | None = None,
    label: str | None = None,
    parent: str | None = None,
) -> list[TaskView]:
    """Tasks matching every given filter. ``done_since`` keeps only recent done ones;
    ``parent`` (a task key) keeps its sub-tasks."""
    query = task_select()
    if label is not None:
        padded = func.lower(" " + T.c.labels + " ")
        query = query.where(padded.contains(f" {label.lower()} ", autoescape=True))
    if parent is not None:
        query = query.where(_PARENT.c.key == parent)
    if owner is not None:
        query = query.where(PE.c.handle == owner)
    if unassigned:
        query = query.where(T.c.owner_id.is_(None))
    if project is not None:
        query = query.where(P.c.key == project)
    if phase is not None:
        query = query.where(T.c.phase == phase.value)
    if statuses is not None:
        query = query.where(T.c.status.in_([s.value for s in statuses]))
    if done_since is not None:
        query = query.where((T.c.status != Status.DONE.value) | (T.c.done_at >= done_since))
    return [_task_view(row) for row in conn.execute(query)]


def task(conn: Connection, key: str) -> TaskView | None:
    row = conn.execute(task_select().where(T.c.key == key)).first()
    return _task_view(row) if row else None


def resolve_key(conn: Connection, text: str, *, project: bool = False) -> str:
    """The task (or project) key a user typed, as ours: our own key first, else the
    Jira key it was imported from (``ML-342``), so every command that takes a KEY takes
    either. A key found nowhere comes back as typed, for the caller's "no task" message."""
    from mlkanban.store import validate

    value = text.strip().upper()
    ours = validate.PROJECT_KEY_RE if project else validate.TASK_KEY_RE
    if not ours.match(value) and not _JIRA_KEY_RE.match(value):
        return validate.project_key(text) if project else validate.task_key(text)
    table = P if project else T
    if ours.match(value) and conn.execute(
        select(table.c.id).where(table.c.key == value)
    ).first() is not None:
        return value
    found = conn.execute(
        select(table.c.key).where(table.c.jira_key == value).order_by(table.c.id).limit(1)
    ).scalar()
    if found is not None:
        return found
    return validate.project_key(text) if project else validate.task_key(text)


def done_counts_before(
    conn: Connection,
    before: datetime,
) -> list[tuple[str | None, str, str, int]]:
    """(owner, project, phase, count) of tasks done before ``before``: the folded cards."""
    query = (
        select(PE.c.handle, P.c.key, T.c.phase, func.count())
        .select_from(T.join(P, T.c.project_id == P.c.id).outerjoin(PE, T.c.owner_id == PE.c.id))
        .where(T.c.status == Status.DONE.value, T.c.done_at < before)
        .group_by(PE.c.handle, P.c.key, T.c.phase)
    )
    return [tuple(row) for row in conn.execute(query)]


def people(conn: Connection, *, active_only: bool = False) -> list[PersonView]:
    query = select(PE.c.handle, PE.c.name, PE.c.wip_limit, PE.c.active).order_by(PE.c.handle)
    if active_only:
        query = query.where(PE.c.active.is_(True))
    return [PersonView(*row) for row in conn.execute(query)]


def person(conn: Connection, handle: str) -> PersonView | None:
    row = conn.execute(
        select(PE.c.handle, PE.c.name, PE.c.wip_limit, PE.c.active).where(PE.c.handle == handle)
    ).first()
    return PersonView(*row) if row else None


def projects(conn: Connection, keys: Sequence[str] | None = None) -> list[ProjectView]:
    owner = PE.alias()
    query = (
        select(
            P.c.id,
            P.c.key,
            P.c.name,
            P.c.status,
            owner.c.handle,
            P.c.description,
            P.c.hypothesis,
            P.c.metric,
            P.c.outcome,
            P.c.outcome_why,
            P.c.jira_key,
        )
        .select_from(P.outerjoin(owner, P.c.owner_id == owner.c.id))
        .order_by(P.c.key)
    )
    if keys is not None:
        query = query.where(P.c.key.in_(list(keys)))
    rows = conn.execute(query).all()
    plans: dict[int, dict[Phase, float]] = {}
    for project_id, phase, weeks in conn.execute(select(PL.c.project_id, PL.c.phase, PL.c.weeks)):
        plans.setdefault(project_id, {})[Phase(phase)] = weeks
    return [
        ProjectView(
            key=row.key,
            name=row.name,
            status=row.status,
            owner=row.handle,
            description=row.description,
            hypothesis=row.hypothesis,
            metric=row.metric,
            outcome=row.outcome,
            outcome_why=row.outcome_why,
            plan=dict(sorted(plans.get(row.id, {}).items(), key=lambda item: item[0].index)),
            jira_key=row.jira_key,
        )
        for row in rows
    ]


def events(
    conn: Connection,
    *,
    task_key: str | None = None,
    project_key: str | None = None,
    after_id: int | None = None,
) -> list[EventView]:
    """Events in the order they happened (time, then insertion)."""
    task_alias = T.alias()
    project_alias = P.alias()
    person_alias = PE.alias()
    query = (
        select(
            E.c.id,
            E.c.uid,
            E.c.at,
            E.c.actor,
            E.c.kind,
            project_alias.c.key,
            task_alias.c.key,
            person_alias.c.handle,
            E.c.field,
            E.c.old,
            E.c.new,
            E.c.reason,
        )
        .select_from(
            E.outerjoin(task_alias, E.c.task_id == task_alias.c.id)
            .outerjoin(project_alias, E.c.project_id == project_alias.c.id)
            .outerjoin(person_alias, E.c.person_id == person_alias.c.id)
        )
        .order_by(E.c.at, E.c.id)
    )
    if task_key is not None:
        query = query.where(task_alias.c.key == task_key)
    if project_key is not None:
        query = query.where(project_alias.c.key == project_key)
    if after_id is not None:
        query = query.where(E.c.id > after_id)
    return [EventView(*row) for row in conn.execute(query)]


def latest_event_id(conn: Connection) -> int:
    """The newest event's id: a cheap way to notice changes made elsewhere."""
    return conn.execute(select(func.max(E.c.id))).scalar() or 0


def deliverables(conn: Connection, project_key: str | None = None) -> list[DeliverableView]:
    D = tables.deliverable
    query = (
        select(P.c.key, D.c.phase, D.c.title, D.c.link, D.c.reached_at)
        .select_from(D.join(P, D.c.project_id == P.c.id))
        .order_by(D.c.reached_at, D.c.id)
    )
    if project_key is not None:
        query = query.where(P.c.key == project_key)
    return [
        DeliverableView(row.key, Phase(row.phase), row.title, row.link, row.reached_at)
        for row in conn.execute(query)
    ]


def ab_tests(conn: Connection, task_keys: Iterable[str] | None = None) -> dict[str, AbTestView]:
    A = tables.ab_test
    query = select(
        T.c.key, A.c.started_at, A.c.duration_days, A.c.traffic_share, A.c.control, A.c.metric
    ).select_from(A.join(T, A.c.task_id == T.c.id))
    if task_keys is not None:
        query = query.where(T.c.key.in_(list(task_keys)))
    return {row.key: AbTestView(*row) for row in conn.execute(query)}


def event_log(conn: Connection, kinds: Sequence[str] | None = None) -> list[EventView]:
    """Every event (of the given kinds) in order, read lean for reports over long histories.

    The same views as ``events(conn)``, but from the event table alone (keys come from
    small id-to-key maps), through the driver's cursor, with timestamps parsed directly.
    """
    task_keys = dict(conn.execute(select(T.c.id, T.c.key)).all())
    project_keys = dict(conn.execute(select(P.c.id, P.c.key)).all())
    handles = dict(conn.execute(select(PE.c.id, PE.c.handle)).all())
    # The driver's own cursor: a result row per event costs most of the time otherwise.
    cursor = conn.connection.dbapi_connection.cursor()
    where = ""
    if kinds is not None:
        if not all(kind.isidentifier() for kind in kinds):
            raise ValueError(f"not event kinds: {kinds!r}")
        where = " WHERE kind IN ({})".format(", ".join(f"'{kind}'" for kind in kinds))
    cursor.execute(
        "SELECT id, uid, at, actor, kind, project_id, task_id, person_id, field, old, new, "
        f"reason FROM event{where} ORDER BY at, id"
    )
    parse = datetime.fromisoformat
    views = []
    for (id_, uid, at, actor, kind, project_id, task_id, person_id, field, old, new,
         reason) in cursor.fetchall():
        if isinstance(at, str):  # SQLite: naive UTC text; parsing it as UTC is fastest
            try:
                at = parse(at + "+00:00")
            except ValueError:
                at = parse(at)
                at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
        else:
            at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
        views.append(EventView(
            id_, uid, at, actor, kind, project_keys.get(project_id), task_keys.get(task_id),
            handles.get(person_id), field, old, new, reason,
        ))
    cursor.close()
    return views


def last_event_per_project(conn: Connection, until: datetime | None = None) -> dict[str, datetime]:
    """When each project last saw an event (of any kind), up to ``until``."""
    query = (
        select(P.c.key, func.max(E.c.at))
        .select_from(E.join(P, E.c.project_id == P.c.id))
        .group_by(P.c.key)
    )
    if until is not None:
        query = query.where(E.c.at <= until)
    return {key: at for key, at in conn.execute(query)}
