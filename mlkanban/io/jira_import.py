"""``mlkanban import-jira``: Jira issues become projects, people, tasks and events.

How Jira maps onto the board:

- An **epic** becomes a project. Its key comes from the epic's name: the first word,
  upper-cased and folded to ASCII, cut to 10 characters ("Churn prediction" ->
  ``CHURN``); a number is added when that key is taken (``CHURN2``); an epic whose name
  gives no usable word gets its Jira key without the dash (``ML12``). Issues outside any
  epic go into one project per Jira project, keyed like it (``ML``).
- Every other issue becomes a task in its epic's project (a sub-task in its parent's).
- An **assignee** becomes a person: an existing person with the same display name, or a
  new one whose handle is the name folded to ASCII ("José Álvarez" -> ``jose.alvarez``),
  numbered when taken by someone else.
- Story points of 1 to 5 become the estimate in working days (rounded up); more than 5
  is over the size limit, so such a task is left unestimated and listed, to be split.
- Created and resolved times become ``created`` and status events; the ``created``
  event's reason says "imported from Jira ML-123". That is how a later import finds the
  task again: importing the same file twice adds nothing, and an issue changed in Jira
  since (and not on the board) is updated. Projects and people are never overwritten.

Everything is written through ``restore_into`` in one transaction, or nothing is.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from mlkanban.domain.errors import BadInput
from mlkanban.domain.statuses import Status
from mlkanban.io.jira import JiraFile, JiraIssue, Problem
from mlkanban.io.records import Bundle, EventRecord, PersonRecord, ProjectRecord, TaskRecord
from mlkanban.io.restore import ImportResult, restore_into
from mlkanban.store.engine import write_engine
from mlkanban.store.models import Event, Person, Project, Task

#: The reason on events the import writes; ``ML-123`` or ``project ML`` follows.
IMPORTED_FROM = "imported from Jira "
MAX_LISTED = 50
MAX_LISTED_RECORDS = 20

_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe",
                       "Œ": "OE", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "ı": "i"})


@dataclass
class BoardState:
    """What the database already holds that the mapping depends on."""

    handles: set[str] = field(default_factory=set)
    people_by_name: dict[str, str] = field(default_factory=dict)
    project_keys: set[str] = field(default_factory=set)
    next_numbers: dict[str, int] = field(default_factory=dict)
    imported_projects: dict[str, str] = field(default_factory=dict)
    """"ML-1" (an epic) or "project ML" (issues without an epic) -> project key."""
    imported_tasks: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)
    """Jira key -> (task key, status, updated_at) of tasks imported before."""


def read_state(conn: Connection) -> BoardState:
    person, project, task, event = (
        Person.__table__, Project.__table__, Task.__table__, Event.__table__
    )
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
    query = (
        select(task.c.key, task.c.status, task.c.updated_at, event.c.reason)
        .select_from(event.join(task, event.c.task_id == task.c.id))
        .where(event.c.kind == "created", imported)
    )
    for row in conn.execute(query):
        state.imported_tasks.setdefault(
            row.reason[len(IMPORTED_FROM):], (row.key, row.status, row.updated_at)
        )
    return state


@dataclass
class JiraPlan:
    """What an import adds, as export records, and the numbers to tell the user."""

    bundle: Bundle
    statuses: Counter = field(default_factory=Counter)
    skipped: int = 0
    """Issues already on the board, unchanged since."""
    updated_tasks: int = 0
    """Issues already on the board, changed in Jira since."""
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "projects": len(self.bundle.projects),
            "people": len(self.bundle.people),
            "tasks": len(self.bundle.tasks) - self.updated_tasks,
            "events": len(self.bundle.events),
        }

    def summary(self, verb: str = "Would import") -> str:
        counts = self.counts()
        if not any(counts.values()) and not self.updated_tasks:
            return "Nothing to import: the board already has every issue in the file."
        lines = [f"{verb} " + ", ".join(_count(n, kind) for kind, n in counts.items() if n)]
        if self.statuses:
            order = list(Status)
            by_status = sorted(self.statuses.items(), key=lambda item: order.index(item[0]))
            lines.append("  tasks: " + ", ".join(f"{n} {s.label}" for s, n in by_status))
        for kind, items in (
            ("project", [(p.key, p.name) for p in self.bundle.projects]),
            ("person", [(p.handle, p.name) for p in self.bundle.people]),
        ):
            lines += [f"  {kind} {key}: {name}" for key, name in items[:MAX_LISTED_RECORDS]]
            if len(items) > MAX_LISTED_RECORDS:
                lines.append(f"  ... and {len(items) - MAX_LISTED_RECORDS} more")
        if self.updated_tasks:
            changed = _count(self.updated_tasks, "tasks")
            lines.append(f"  {changed} changed in Jira since the last import, updated")
        if self.skipped:
            lines.append(f"  {_count(self.skipped, 'issues')} already on the board, unchanged")
        return "\n".join(lines)


def _count(n: int, plural: str) -> str:
    singular = {"people": "person"}.get(plural, plural.removesuffix("s"))
    return f"{n} {singular if n == 1 else plural}"


def _listing(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def uid(*parts: str) -> str:
    """A stable event id, so importing the same issue again finds its events."""
    return hashlib.md5("|".join(("jira", *parts)).encode("utf-8")).hexdigest()


def fold_handle(name: str) -> str:
    """A handle from a display name: ASCII, lower case, words joined by dots."""
    text = name.split("@", 1)[0] if "@" in name else name
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    handle = re.sub(r"[^a-z0-9]+", ".", ascii_text).strip(".")[:40].strip(".")
    if not handle:
        handle = "user." + hashlib.md5(name.encode("utf-8")).hexdigest()[:8]
    return handle


def project_key_from(name: str) -> str | None:
    """``CHURN`` from "Churn prediction", or None when the name has no usable word."""
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
    words = re.findall(r"[A-Z0-9]+", folded.encode("ascii", "ignore").decode("ascii").upper())
    if not words:
        return None
    while words and words[0][0].isdigit():  # "2024 roadmap" -> ROADMAP
        words.pop(0)
    if not words:
        return None
    key = (words[0] if len(words[0]) >= 2 else "".join(words))[:10]
    return key if len(key) >= 2 else None


def _unique(base: str, taken: set[str], limit: int) -> str:
    if base not in taken:
        return base
    for number in range(2, 10_000):
        suffix = str(number)
        candidate = base[: limit - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise BadInput(f"cannot find a free name like {base!r}")


class _Planner:
    def __init__(self, jira: JiraFile, state: BoardState, actor: str) -> None:
        self.jira = jira
        self.state = state
        self.actor = actor
        self.plan = JiraPlan(Bundle())
        self.by_key = {issue.key: issue for issue in jira.issues}
        self.by_id = {issue.issue_id: issue for issue in jira.issues if issue.issue_id}
        self.handles: dict[str, str] = {}
        self.taken_handles = set(state.handles)
        self.taken_keys = set(state.project_keys)
        self.project_of_ref: dict[str, str] = {}
        self.new_projects: dict[str, ProjectRecord] = {}
        self.first_seen: dict[str, datetime] = {}
        self.orphans: dict[str, list[str]] = {}
        self.too_big: list[str] = []
        for issue in jira.issues:
            if issue.assignee:
                seen = self.first_seen.get(issue.assignee)
                self.first_seen[issue.assignee] = min(seen or issue.created, issue.created)

    # -------------------------------------------------------------- people

    def person(self, name: str | None) -> str | None:
        """The handle for a display name, adding a person the first time it is seen."""
        if not name:
            return None
        if name in self.handles:
            return self.handles[name]
        handle = self.state.people_by_name.get(name)
        if handle is None:
            when = self.first_seen[name]
            handle = _unique(fold_handle(name), self.taken_handles, 40)
            self.taken_handles.add(handle)
            self.plan.bundle.people.append(
                PersonRecord(handle=handle, name=name, wip_limit=1, active=True, created_at=when)
            )
            self.plan.bundle.events.append(EventRecord(
                uid=uid("person", handle), at=when, actor=self.actor, kind="person_added",
                person=handle, new=handle, reason=f"{IMPORTED_FROM.strip()}: {name}",
            ))
        self.handles[name] = handle
        return handle

    def actor_for(self, reporter: str | None) -> str:
        if not reporter:
            return self.actor
        return self.handles.get(reporter) or self.state.people_by_name.get(reporter) or (
            fold_handle(reporter)
        )

    # -------------------------------------------------------------- projects

    def project(self, ref: str, name: str, base: str | None, fallback: str,
                issue: JiraIssue | None, created: datetime) -> str:
        """The project key for an epic (``ref`` = its Jira key) or a Jira project bucket."""
        if ref in self.project_of_ref:
            return self.project_of_ref[ref]
        key = self.state.imported_projects.get(ref)
        if key is None:
            candidates = [k for k in (base, fallback) if k]
            key = _unique(candidates[0] if candidates else "JIRA", self.taken_keys, 10)
            self.taken_keys.add(key)
            owner = self.person(issue.assignee) if issue else None
            status = "active"
            if issue is not None:
                status = {Status.DONE: "shipped", Status.DROPPED: "stopped",
                          Status.WAITING: "paused"}.get(issue.status, "active")
            updated = issue.last_change if issue else created
            record = ProjectRecord(
                key=key, name=name, description=issue.description if issue else "",
                owner=owner, status=status, next_number=1, created_at=created,
                updated_at=updated,
            )
            self.new_projects[key] = record
            self.plan.bundle.events.append(EventRecord(
                uid=uid(ref, "project_added"), at=created,
                actor=self.actor_for(issue.reporter) if issue else self.actor,
                kind="project_added", project=key, new=name, reason=IMPORTED_FROM + ref,
            ))
        self.project_of_ref[ref] = key
        return key

    def epic_project(self, epic: JiraIssue) -> str:
        name = " ".join((epic.epic_name or epic.summary).split())
        name = name if len(name) <= 200 else name[:199] + "…"
        fallback = epic.key.replace("-", "").replace("_", "")
        if len(fallback) > 10:
            fallback = "EPIC" + epic.key.rsplit("-", 1)[1][-6:]
        return self.project(epic.key, name, project_key_from(name), fallback, epic, epic.created)

    def bucket_project(self, issue: JiraIssue) -> str:
        prefix = issue.prefix
        if f"project {prefix}" in self.project_of_ref:
            return self.project_of_ref[f"project {prefix}"]
        base = re.sub(r"[^A-Z0-9]", "", prefix)[:10]
        base = base if len(base) >= 2 else base + "X" * (2 - len(base))
        earliest = min(i.created for i in self.jira.issues if i.prefix == prefix)
        return self.project(
            f"project {prefix}", f"{prefix} (issues without an epic)", base, base, None, earliest
        )

    def parent_of(self, issue: JiraIssue) -> JiraIssue | None:
        for ref in (issue.parent, issue.epic_link):
            if ref and ref != issue.issue_id and ref != issue.key:
                found = self.by_id.get(ref) or self.by_key.get(ref)
                if found is not None:
                    return found
        return None

    def project_for(self, issue: JiraIssue) -> str:
        """Follow parents up to an epic; no epic means the Jira project's bucket."""
        seen = {issue.key}
        current = issue
        while True:
            parent = self.parent_of(current)
            if parent is None:
                for ref in (current.epic_link, current.parent):  # imported by an earlier file
                    if ref in self.state.imported_projects:
                        return self.state.imported_projects[ref]
                    if ref in self.state.imported_tasks:
                        return self.state.imported_tasks[ref][0].rsplit("-", 1)[0]
                key = self.bucket_project(issue)
                if current.parent or current.epic_link:
                    missing = current.parent or current.epic_link
                    self.orphans.setdefault(key, []).append(f"{issue.key} (parent {missing})")
                return key
            if parent.key in seen:
                raise _Cycle(parent.key)
            if parent.is_epic:
                return self.epic_project(parent)
            seen.add(parent.key)
            current = parent

    # -------------------------------------------------------------- tasks

    def run(self) -> JiraPlan:
        issues = sorted(self.jira.issues, key=lambda i: (i.created, i.line))
        for epic in (i for i in issues if i.is_epic):
            self.epic_project(epic)
        numbers: dict[str, int] = {}
        for issue in (i for i in issues if not i.is_epic):
            try:
                project = self.project_for(issue)
            except _Cycle as cycle:
                self.plan.problems.append(
                    Problem(issue.line, issue.key, f"its parents form a cycle (through {cycle})")
                )
                continue
            existing = self.state.imported_tasks.get(issue.key)
            if existing is not None and existing[2] >= issue.last_change:
                self.plan.skipped += 1
                continue
            if existing is not None:
                key, old_status = existing[0], existing[1]
                project = key.rsplit("-", 1)[0]  # it stays where the first import put it
                self.plan.updated_tasks += 1
            else:
                number = numbers.get(project) or self.state.next_numbers.get(project, 1)
                numbers[project] = number + 1
                key, old_status = f"{project}-{number}", Status.TODO.value
            self.task(issue, project, key, old_status, is_new=existing is None)
        for key, record in self.new_projects.items():
            updated = max([record.updated_at, *(t.created_at for t in self.plan.bundle.tasks
                                                if t.project == key)])
            self.new_projects[key] = record.model_copy(update={
                "next_number": numbers.get(key, 1), "updated_at": updated,
            })
        self.plan.bundle.projects = list(self.new_projects.values())
        for key, issues in self.orphans.items():
            self.plan.notes.append(
                f"{_count(len(issues), 'issues')} with a parent not in the file went to "
                f"project {key}: {_listing(issues)}"
            )
        if self.too_big:
            self.plan.notes.append(
                f"{_count(len(self.too_big), 'issues')} over 5 story points, the size limit, "
                f"left unestimated (split them on the board): {_listing(self.too_big)}"
            )
        self.note_wip()
        return self.plan

    def note_wip(self) -> None:
        """Jira has no WIP limit; say who starts on the board past theirs."""
        busy = Counter(t.owner for t in self.plan.bundle.tasks
                       if t.status is Status.IN_PROGRESS and t.owner)
        new_people = {p.handle for p in self.plan.bundle.people}
        over = [f"{handle} ({count} in progress)" for handle, count in sorted(busy.items())
                if count > 1 and handle in new_people]
        if over:
            self.plan.notes.append(
                f"past the WIP limit of 1 from the start, {_count(len(over), 'people')}: "
                f"{_listing(over)}; raise it (mlkanban person edit HANDLE --wip N) "
                "or move some tasks to waiting"
            )

    def task(self, issue: JiraIssue, project: str, key: str, old_status: str, is_new: bool) -> None:
        owner = self.person(issue.assignee)
        status = issue.status
        status_at = issue.created
        if status in (Status.DONE, Status.DROPPED):
            status_at = issue.resolved or issue.updated or issue.created
        elif status in (Status.IN_PROGRESS, Status.WAITING):
            status_at = issue.status_changed or issue.updated or issue.created
        estimate = None
        if issue.story_points:
            if issue.story_points <= 5:
                estimate = max(1, math.ceil(issue.story_points))
            else:
                self.too_big.append(issue.key)
        record = TaskRecord(
            key=key, project=project, number=int(key.rsplit("-", 1)[1]), title=issue.title,
            description=issue.description, phase=issue.phase, owner=owner, estimate=estimate,
            status=status, reason=issue.reason, created_at=issue.created,
            updated_at=max(issue.last_change, status_at), status_at=status_at,
            started_at=status_at if status is Status.IN_PROGRESS else None,
            done_at=status_at if status is Status.DONE else None,
        )
        self.plan.bundle.tasks.append(record)
        self.plan.statuses[status] += 1
        events = self.plan.bundle.events
        actor = self.actor_for(issue.reporter)
        if is_new:
            events.append(EventRecord(
                uid=uid(issue.key, "created"), at=issue.created, actor=actor, kind="created",
                project=project, task=key, new=record.title, reason=IMPORTED_FROM + issue.key,
            ))
        if status.value != old_status:
            kind = "started" if status is Status.IN_PROGRESS else "status_changed"
            events.append(EventRecord(
                uid=uid(issue.key, "status", status.value), at=status_at,
                actor=self.handles.get(issue.assignee or "", actor), kind=kind,
                project=project, task=key, field="status", old=old_status, new=status.value,
                reason=issue.reason,
            ))


class _Cycle(Exception):
    pass


def plan_import(jira: JiraFile, state: BoardState, actor: str) -> JiraPlan:
    """The records an import adds, given what the board holds (pure)."""
    plan = _Planner(jira, state, actor).run()
    plan.problems[:0] = jira.problems
    plan.problems.sort(key=lambda p: p.line)
    return plan


def problems_message(name: str, problems: list[Problem]) -> str:
    noun = "problem" if len(problems) == 1 else "problems"
    lines = [f"{name}: {len(problems)} {noun}; nothing was imported:"]
    lines += [f"  {problem}" for problem in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"  ... and {len(problems) - MAX_LISTED} more")
    return "\n".join(lines)


def import_jira(
    engine: Engine, jira: JiraFile, *, actor: str, name: str, dry_run: bool = False
) -> tuple[JiraPlan, ImportResult | None]:
    """Plan against the board and write it in one transaction (not at all for a dry run).

    The board is read inside the same write transaction, so task numbers cannot be
    taken by someone else between planning and writing.
    """
    if dry_run:
        with engine.connect() as conn:
            plan = plan_import(jira, read_state(conn), actor)
    else:
        with write_engine(engine).connect() as conn, conn.begin():
            plan = plan_import(jira, read_state(conn), actor)
            if not plan.problems:
                return plan, restore_into(conn, plan.bundle)
    if plan.problems:
        raise BadInput(problems_message(name, plan.problems))
    return plan, None
