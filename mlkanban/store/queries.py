"""Reads, as plain SQL on the driver (``store.sql``): rows become views directly.

Every text here runs unchanged on SQLite and PostgreSQL (``?`` placeholders, portable
SQL); ``tests/store/test_read_path.py`` checks each against the ORM's view of the same
rows on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from mlkanban.domain import phases, statuses
from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status
from mlkanban.store.sql import Sql, moment
from mlkanban.store.views import (
    AbTestView,
    DeliverableView,
    EventView,
    PersonView,
    ProjectView,
    TaskView,
)

TASK_COLUMNS = (
    "t.key, t.title, p.key, t.phase, o.handle, t.estimate, t.status, t.reason, "
    "t.wip_override, t.created_at, t.updated_at, t.started_at, t.status_at, t.done_at, "
    "t.description, t.jira_key, t.labels, parent.key"
)
#: A task with its project, owner and (for a sub-task) its parent: the task whose Jira
#: key its ``jira_parent`` names.
TASK_FROM = (
    " FROM task t JOIN project p ON t.project_id = p.id"
    " LEFT JOIN person o ON t.owner_id = o.id"
    " LEFT JOIN task parent ON t.jira_parent = parent.jira_key"
)
TASK_ORDER = " ORDER BY p.key, t.number"
#: A Jira issue key (compiled by ``re`` when first used: a listing never needs it).
_JIRA_KEY = r"^[A-Z][A-Z0-9_]{0,39}-[1-9][0-9]{0,11}$"


def task_view(row: tuple) -> TaskView:
    """A row of ``TASK_COLUMNS`` as a view."""
    (key, title, project, phase, owner, estimate, status, reason, wip_override, created_at,
     updated_at, started_at, status_at, done_at, description, jira_key, labels, parent) = row
    return TaskView(
        key=key,
        title=title,
        project=project,
        phase=phases.BY_VALUE[phase],
        owner=owner,
        estimate=estimate,
        status=statuses.BY_VALUE[status],
        reason=reason,
        wip_override=wip_override,
        created_at=moment(created_at),
        updated_at=moment(updated_at),
        started_at=moment(started_at),
        status_at=moment(status_at),
        done_at=moment(done_at),
        description=description,
        jira_key=jira_key,
        parent=parent,
        labels=tuple(labels.split()) if labels else (),
    )


def has_label(labels: str | None, label: str) -> bool:
    """Whether a task's stored labels (space-separated) include ``label``, in any case.

    Done here rather than in SQL, whose ``lower()`` folds ASCII letters only (SQLite,
    and PostgreSQL in the C locale): "Éval" would match nothing.
    """
    wanted = label.lower()
    return bool(labels) and any(word.lower() == wanted for word in labels.split())


def task_filters(
    sql: Sql,
    *,
    owner: str | None = None,
    unassigned: bool = False,
    project: str | None = None,
    phase: Phase | None = None,
    statuses: Iterable[Status] | None = None,
    done_since: datetime | None = None,
    label: str | None = None,
    parent: str | None = None,
) -> tuple[str, list]:
    """The WHERE clause (with its parameters) of a task read with these filters; a
    ``label`` is only narrowed to labelled tasks here (see ``has_label``)."""
    where: list[str] = []
    params: list = []
    if label is not None:
        where.append("t.labels <> ''")  # the label itself: ``has_label`` on the rows
    if parent is not None:
        where.append("parent.key = ?")
        params.append(parent)
    if owner is not None:
        where.append("o.handle = ?")
        params.append(owner)
    if unassigned:
        where.append("t.owner_id IS NULL")
    if project is not None:
        where.append("p.key = ?")
        params.append(project)
    if phase is not None:
        where.append("t.phase = ?")
        params.append(phase.value)
    if statuses is not None:
        values = [s.value for s in statuses]
        where.append(f"t.status IN ({sql.placeholders(len(values))})" if values else "1 = 0")
        params.extend(values)
    if done_since is not None:
        where.append("(t.status <> 'done' OR t.done_at >= ?)")
        params.append(sql.bind(done_since))
    return (" WHERE " + " AND ".join(where) if where else ""), params


def tasks(sql: Sql, **filters) -> list[TaskView]:
    """Tasks matching every given filter (see ``task_filters``): ``done_since`` keeps
    only recent done ones; ``parent`` (a task key) keeps its sub-tasks."""
    where, params = task_filters(sql, **filters)
    rows = sql.rows(f"SELECT {TASK_COLUMNS}{TASK_FROM}{where}{TASK_ORDER}", params)
    label = filters.get("label")
    if label is not None:
        rows = [row for row in rows if has_label(row[16], label)]
    return [task_view(row) for row in rows]


def task(sql: Sql, key: str) -> TaskView | None:
    row = sql.first(f"SELECT {TASK_COLUMNS}{TASK_FROM} WHERE t.key = ?", (key,))
    return task_view(row) if row else None


def resolve_key(sql: Sql, text: str, *, project: bool = False) -> str:
    """The task (or project) key a user typed, as ours: our own key first, else the
    Jira key it was imported from (``ML-342``), so every command that takes a KEY takes
    either. A key found nowhere comes back as typed, for the caller's "no task" message."""
    from mlkanban.store import validate

    value = text.strip().upper()
    ours = validate.PROJECT_KEY_RE if project else validate.TASK_KEY_RE
    if not ours.match(value) and not re.match(_JIRA_KEY, value):
        return validate.project_key(text) if project else validate.task_key(text)
    table = "project" if project else "task"
    if ours.match(value) and sql.first(f"SELECT id FROM {table} WHERE key = ?", (value,)):
        return value
    found = sql.scalar(
        f"SELECT key FROM {table} WHERE jira_key = ? ORDER BY id LIMIT 1", (value,)
    )
    if found is not None:
        return found
    return validate.project_key(text) if project else validate.task_key(text)


def done_counts_before(sql: Sql, before: datetime) -> list[tuple[str | None, str, str, int]]:
    """(owner, project, phase, count) of tasks done before ``before``: the folded cards.

    Counted by ids on the covering index ``ix_task_done`` (no row of the task table is
    visited), and named from the few people and projects afterwards.
    """
    rows = sql.rows(
        "SELECT owner_id, project_id, phase, count(*) FROM task"
        " WHERE status = 'done' AND done_at < ? GROUP BY owner_id, project_id, phase",
        (sql.bind(before),),
    )
    handles = dict(sql.rows("SELECT id, handle FROM person"))
    keys = dict(sql.rows("SELECT id, key FROM project"))
    return [(handles.get(owner_id), keys[project_id], phase, count)
            for owner_id, project_id, phase, count in rows]


_PERSON = "SELECT handle, name, wip_limit, active FROM person"


def _person(row: tuple) -> PersonView:
    handle, name, wip_limit, active = row
    return PersonView(handle, name, wip_limit, bool(active))


def people(sql: Sql, *, active_only: bool = False) -> list[PersonView]:
    where = " WHERE active = ?" if active_only else ""
    rows = sql.rows(f"{_PERSON}{where} ORDER BY handle", (True,) if active_only else ())
    return [_person(row) for row in rows]


def person(sql: Sql, handle: str) -> PersonView | None:
    row = sql.first(f"{_PERSON} WHERE handle = ?", (handle,))
    return _person(row) if row else None


def projects(sql: Sql, keys: Sequence[str] | None = None) -> list[ProjectView]:
    where, params = "", []
    if keys is not None:
        keys = list(keys)
        if not keys:
            return []
        where, params = f" WHERE p.key IN ({sql.placeholders(len(keys))})", keys
    rows = sql.rows(
        "SELECT p.id, p.key, p.name, p.status, o.handle, p.description, p.hypothesis,"
        " p.metric, p.outcome, p.outcome_why, p.jira_key"
        " FROM project p LEFT JOIN person o ON p.owner_id = o.id"
        f"{where} ORDER BY p.key",
        params,
    )
    plans: dict[int, dict[Phase, float]] = {}
    for project_id, phase, weeks in sql.rows("SELECT project_id, phase, weeks FROM phase_plan"):
        plans.setdefault(project_id, {})[phases.BY_VALUE[phase]] = weeks
    return [
        ProjectView(
            key=key,
            name=name,
            status=status,
            owner=owner,
            description=description,
            hypothesis=hypothesis,
            metric=metric,
            outcome=outcome,
            outcome_why=outcome_why,
            plan=dict(sorted(plans.get(project_id, {}).items(), key=lambda item: item[0].index)),
            jira_key=jira_key,
        )
        for (project_id, key, name, status, owner, description, hypothesis, metric, outcome,
             outcome_why, jira_key) in rows
    ]


EVENT_COLUMNS = (
    "e.id, e.uid, e.at, e.actor, e.kind, ep.key, et.key, eo.handle, e.field, e.old, e.new,"
    " e.reason"
)
EVENT_FROM = (
    " FROM event e LEFT JOIN task et ON e.task_id = et.id"
    " LEFT JOIN project ep ON e.project_id = ep.id"
    " LEFT JOIN person eo ON e.person_id = eo.id"
)


def event_view(row: tuple) -> EventView:
    """A row of ``EVENT_COLUMNS`` as a view."""
    return EventView(row[0], row[1], moment(row[2]), *row[3:])


def events(
    sql: Sql,
    *,
    task_key: str | None = None,
    project_key: str | None = None,
    after_id: int | None = None,
) -> list[EventView]:
    """Events in the order they happened (time, then insertion)."""
    where: list[str] = []
    params: list = []
    if task_key is not None:
        where.append("et.key = ?")
        params.append(task_key)
    if project_key is not None:
        where.append("ep.key = ?")
        params.append(project_key)
    if after_id is not None:
        where.append("e.id > ?")
        params.append(after_id)
    clause = " WHERE " + " AND ".join(where) if where else ""
    rows = sql.rows(f"SELECT {EVENT_COLUMNS}{EVENT_FROM}{clause} ORDER BY e.at, e.id", params)
    return [event_view(row) for row in rows]


def latest_event_id(sql: Sql) -> int:
    """The newest event's id: a cheap way to notice changes made elsewhere."""
    return sql.scalar("SELECT max(id) FROM event") or 0


def deliverables(sql: Sql, project_key: str | None = None) -> list[DeliverableView]:
    where, params = (" WHERE p.key = ?", (project_key,)) if project_key is not None else ("", ())
    rows = sql.rows(
        "SELECT p.key, d.phase, d.title, d.link, d.reached_at"
        f" FROM deliverable d JOIN project p ON d.project_id = p.id{where}"
        " ORDER BY d.reached_at, d.id",
        params,
    )
    return [DeliverableView(key, phases.BY_VALUE[phase], title, link, moment(reached_at))
            for key, phase, title, link, reached_at in rows]


def ab_tests(sql: Sql, task_keys: Iterable[str] | None = None) -> dict[str, AbTestView]:
    where, params = "", []
    if task_keys is not None:
        params = list(task_keys)
        if not params:
            return {}
        where = f" WHERE t.key IN ({sql.placeholders(len(params))})"
    rows = sql.rows(
        "SELECT t.key, a.started_at, a.duration_days, a.traffic_share, a.control, a.metric"
        f" FROM ab_test a JOIN task t ON a.task_id = t.id{where}",
        params,
    )
    return {key: AbTestView(key, moment(started_at), *rest) for key, started_at, *rest in rows}


def id_maps(sql: Sql) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Task keys, project keys and handles by id: small maps that spare a long read its
    joins."""
    return (dict(sql.rows("SELECT id, key FROM task")),
            dict(sql.rows("SELECT id, key FROM project")),
            dict(sql.rows("SELECT id, handle FROM person")))


def event_log(sql: Sql, kinds: Sequence[str] | None = None) -> list[EventView]:
    """Every event (of the given kinds) in order, read lean for reports over long histories.

    The same views as ``events(sql)``, but from the event table alone (keys come from
    small id-to-key maps).
    """
    task_keys, project_keys, handles = id_maps(sql)
    where, params = "", list(kinds) if kinds is not None else []
    if kinds is not None:
        where = f" WHERE kind IN ({sql.placeholders(len(params))})" if params else " WHERE 1 = 0"
    rows = sql.rows(
        "SELECT id, uid, at, actor, kind, project_id, task_id, person_id, field, old, new,"
        f" reason FROM event{where} ORDER BY at, id",
        params,
    )
    return [
        EventView(id_, uid, moment(at), actor, kind, project_keys.get(project_id),
                  task_keys.get(task_id), handles.get(person_id), field, old, new, reason)
        for (id_, uid, at, actor, kind, project_id, task_id, person_id, field, old, new,
             reason) in rows
    ]


def last_event_per_project(sql: Sql, until: datetime | None = None) -> dict[str, datetime]:
    """When each project last saw an event (of any kind), up to ``until``."""
    where, params = (" WHERE e.at <= ?", (sql.bind(until),)) if until is not None else ("", ())
    rows = sql.rows(
        f"SELECT p.key, max(e.at) FROM event e JOIN project p ON e.project_id = p.id{where}"
        " GROUP BY p.key",
        params,
    )
    return {key: moment(at) for key, at in rows}
