"""What the board already holds that a Jira import depends on, read in one go; and
comment cells, read into who said what when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from mlkanban.io.jira import JiraIssue, parse_jira_date
from mlkanban.store import tables

#: The reason on events the import writes; ``ML-123`` or ``project ML`` follows.
IMPORTED_FROM = "imported from Jira "


@dataclass(frozen=True)
class BoardTask:
    """A task an earlier import brought, as the planner needs it."""

    key: str
    project: str
    status: str
    updated_at: datetime
    phase: str
    owner: str | None
    jira_parent: str | None


@dataclass
class BoardState:
    """What the database already holds that the mapping depends on."""

    handles: set[str] = field(default_factory=set)
    people_by_name: dict[str, str] = field(default_factory=dict)
    project_keys: set[str] = field(default_factory=set)
    next_numbers: dict[str, int] = field(default_factory=dict)
    imported_projects: dict[str, str] = field(default_factory=dict)
    """"ML-1" (an epic) or "project ML" (issues without an epic) -> project key."""
    imported_tasks: dict[str, BoardTask] = field(default_factory=dict)
    """Jira key -> the task imported from it."""
    jira_ids: dict[str, str] = field(default_factory=dict)
    """Jira id -> Jira key, of imported tasks."""
    numbers: dict[str, set[int]] = field(default_factory=dict)
    """Project key -> the task numbers it holds."""

    @property
    def buckets(self) -> set[str]:
        """The projects of issues outside any epic."""
        return {key for ref, key in self.imported_projects.items() if ref.startswith("project ")}


def read_state(conn: Connection) -> BoardState:
    person, project, task, event = tables.person, tables.project, tables.task, tables.event
    state = BoardState()
    for row in conn.execute(select(person.c.handle, person.c.name).order_by(person.c.id)):
        state.handles.add(row.handle)
        state.people_by_name.setdefault(row.name, row.handle)
    for row in conn.execute(select(project.c.key, project.c.next_number)):
        state.project_keys.add(row.key)
        state.next_numbers[row.key] = row.next_number
    imported = event.c.reason.like(f"{IMPORTED_FROM}%")
    query = (
        select(project.c.key, event.c.reason)
        .select_from(event.join(project, event.c.project_id == project.c.id))
        .where(event.c.kind == "project_added", event.c.task_id.is_(None), imported)
    )
    for row in conn.execute(query):
        state.imported_projects.setdefault(row.reason[len(IMPORTED_FROM):], row.key)
    keys = dict(conn.execute(select(project.c.id, project.c.key)).all())
    for project_id, number in conn.execute(select(task.c.project_id, task.c.number)):
        state.numbers.setdefault(keys[project_id], set()).add(number)
    owner = person.alias()
    query = (
        select(task.c.key, task.c.project_id, task.c.status, task.c.updated_at, task.c.phase,
               owner.c.handle, task.c.jira_parent, task.c.jira_id, event.c.reason)
        .select_from(event.join(task, event.c.task_id == task.c.id)
                     .outerjoin(owner, task.c.owner_id == owner.c.id))
        .where(event.c.kind == "created", imported)
    )
    for row in conn.execute(query):
        jira_key = row.reason[len(IMPORTED_FROM):]
        state.imported_tasks.setdefault(jira_key, BoardTask(
            row.key, keys[row.project_id], row.status, row.updated_at, row.phase, row.handle,
            row.jira_parent,
        ))
        if row.jira_id:
            state.jira_ids.setdefault(row.jira_id, jira_key)
    return state


@dataclass(frozen=True)
class Comment:
    at: datetime
    author: str | None
    text: str


def read_comment(cell: str, issue: JiraIssue, names: dict[str, str]) -> Comment:
    """``12/Mar/24 9:41 AM;author;text`` (the author an account id or a user name)."""
    parts = cell.split(";", 2)
    if len(parts) == 3:
        try:
            at = parse_jira_date(parts[0])
        except ValueError:
            pass
        else:
            author = parts[1].strip()
            return Comment(at, names.get(author, author) or None, parts[2].strip())
    return Comment(issue.created, None, cell.strip())
