"""``mlkanban import-jira``: Jira issues become projects, people, tasks and events.

How Jira maps onto the board:

- An **epic** becomes a project. Its key comes from the epic's name: the first word,
  upper-cased and folded to ASCII, cut to 10 characters ("Churn prediction" ->
  ``CHURN``); a number is added when that key is taken (``CHURN2``); an epic whose name
  gives no usable word gets its Jira key without the dash (``ML12``). An epic that is
  done in Jira (its status, or its Epic Status) is a shipped project. Issues outside any
  epic go into one project per Jira project, keyed like it (``ML``) and named after
  Jira's ``Project name``.
- Every other issue becomes a task in its epic's project (a sub-task in its parent's),
  numbered like in Jira: Jira's ``ML-342`` is ``ML-342`` in the Jira project's own
  project and ``CHURN-342`` in an epic's (the next free number if that one is taken).
  Every task keeps its Jira key, and every command takes it too.
- **People**: an assignee becomes a person with a lane: an existing person with the
  same display name, or a new one whose handle is the name folded to ASCII ("José
  Álvarez" -> ``jose.alvarez``). Reporters and comment authors become people without a
  lane (inactive), so every event names someone the board knows.
- **Estimates**: ``Original Estimate`` (seconds, 8 hours a day) wins over story points;
  1 to 5 days becomes the estimate, more is over the size limit and is listed.
- Created and resolved times become ``created`` and status events; comments become
  ``commented`` events. The ``created`` event's reason says "imported from Jira ML-123":
  that is how a later import finds the task again. Importing the same file twice adds
  nothing; an issue changed in Jira since (and not on the board) is updated, with
  ``status_changed``, ``moved_phase`` and ``assigned`` events. Files may come in any
  order: a later file's epic takes in the tasks an earlier one had to leave in the Jira
  project's project (a ``moved_project`` event says so).

Everything is written in one transaction, or nothing is.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select, update

from mlkanban.domain.errors import BadInput
from mlkanban.domain.statuses import Status
from mlkanban.io.jira import SECONDS_PER_DAY, JiraFile, JiraIssue, Problem
from mlkanban.io.jira_board import IMPORTED_FROM, BoardState, BoardTask, read_comment, read_state
from mlkanban.io.jira_names import _unique, fold_handle, project_key_from, uid
from mlkanban.io.jira_report import JiraPlan, count_of, listing, problems_message
from mlkanban.io.records import Bundle, EventRecord, PersonRecord, ProjectRecord, TaskRecord
from mlkanban.io.restore import ImportResult, _keep_numbers_unused, restore_into
from mlkanban.store import tables
from mlkanban.store.engine import write_engine

__all__ = ["BoardState", "JiraPlan", "fold_handle", "import_jira", "plan_import",
           "problems_message", "project_key_from", "read_state"]

class _Cycle(Exception):
    pass


@dataclass(frozen=True)
class Rehome:
    """A task an earlier file left in a Jira project's project, now in its epic's."""

    old_key: str
    key: str
    project: str
    jira_parent: str | None


class _Planner:
    def __init__(self, jira: JiraFile, state: BoardState, actor: str, now: datetime) -> None:
        self.jira = jira
        self.state = state
        self.actor = actor
        self.now = now
        self.plan = JiraPlan(Bundle())
        self.by_key = {issue.key: issue for issue in jira.issues}
        self.by_id = {issue.issue_id: issue for issue in jira.issues if issue.issue_id}
        self.handles: dict[str, str] = {}
        self.taken_handles = set(state.handles)
        self.taken_keys = set(state.project_keys)
        self.project_of_ref: dict[str, str] = {}
        self.new_projects: dict[str, ProjectRecord] = {}
        self.numbers = {key: set(numbers) for key, numbers in state.numbers.items()}
        self.orphans: dict[str, list[str]] = {}
        self.too_big: list[str] = []
        self.rehomes: list[Rehome] = []
        self.comments = {
            issue.key: [read_comment(c, issue, jira.names_by_id) for c in issue.comments]
            for issue in jira.issues
        }
        self.first_seen: dict[str, datetime] = {}
        self.assignees = {issue.assignee for issue in jira.issues if issue.assignee}
        for issue in jira.issues:
            seen = [(issue.assignee, issue.created), (issue.reporter, issue.created)]
            seen += [(c.author, c.at) for c in self.comments[issue.key]]
            for name, when in seen:
                if name:
                    first = self.first_seen.get(name)
                    self.first_seen[name] = min(first or when, when)

    # -------------------------------------------------------------- people

    def person(self, name: str | None) -> str | None:
        """The handle for a display name, adding a person the first time it is seen:
        with a lane when they have tasks in the file, without one (inactive) otherwise."""
        if not name:
            return None
        if name in self.handles:
            return self.handles[name]
        handle = self.state.people_by_name.get(name)
        if handle is None:
            when = self.first_seen[name]
            handle = _unique(fold_handle(name), self.taken_handles, 40)
            self.taken_handles.add(handle)
            active = name in self.assignees
            self.plan.bundle.people.append(PersonRecord(
                handle=handle, name=name, wip_limit=1, active=active, created_at=when,
            ))
            self.plan.bundle.events.append(EventRecord(
                uid=uid("person", handle), at=when, actor=self.actor, kind="person_added",
                person=handle, new=handle, reason=f"{IMPORTED_FROM.strip()}: {name}",
            ))
        self.handles[name] = handle
        return handle

    def actor_for(self, name: str | None) -> str:
        return self.person(name) or self.actor

    # -------------------------------------------------------------- projects

    def project(self, ref: str, name: str, base: str | None, fallback: str,
                issue: JiraIssue | None, created: datetime, jira_key: str) -> str:
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
                if status == "active" and issue.epic_status.strip().lower() in _DONE_EPIC:
                    status = "shipped"
            updated = issue.last_change if issue else created
            self.new_projects[key] = ProjectRecord(
                key=key, name=name, description=issue.description if issue else "",
                owner=owner, status=status, next_number=1, created_at=created,
                updated_at=updated, jira_key=jira_key,
            )
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
        return self.project(epic.key, name, project_key_from(name), fallback, epic,
                            epic.created, epic.key)

    def bucket_project(self, prefix: str) -> str:
        ref = f"project {prefix}"
        if ref in self.project_of_ref or ref in self.state.imported_projects:
            return self.project_of_ref.get(ref) or self.state.imported_projects[ref]
        base = "".join(c for c in prefix if c.isascii() and c.isalnum())[:10]
        base = base if len(base) >= 2 else base + "X" * (2 - len(base))
        mine = [i for i in self.jira.issues if i.prefix == prefix]
        named = next((i.project_name for i in mine if i.project_name), "")
        name = named or f"{prefix} (issues without an epic)"
        return self.project(ref, name[:200], base, base, None, min(i.created for i in mine),
                            prefix)

    def resolve(self, ref: str, seen: set[str]) -> str | None:
        """The (non-bucket) project a Jira parent reference leads to, through this file
        and the board; None when the chain ends before an epic."""
        if not ref:
            return None
        issue = self.by_key.get(ref) or self.by_id.get(ref)
        if issue is not None:
            if issue.key in seen:
                raise _Cycle(issue.key)
            seen.add(issue.key)
            if issue.is_epic:
                return self.epic_project(issue)
            for parent in self.refs(issue):
                found = self.resolve(parent, seen)
                if found:
                    return found
            return None
        if ref in self.state.imported_projects and not ref.startswith("project "):
            return self.state.imported_projects[ref]
        jira_key = ref if ref in self.state.imported_tasks else self.state.jira_ids.get(ref)
        if jira_key is None or jira_key in seen:
            return None
        seen.add(jira_key)
        board = self.state.imported_tasks[jira_key]
        if board.project not in self.state.buckets:
            return board.project
        return self.resolve(board.jira_parent or "", seen)

    @staticmethod
    def refs(issue: JiraIssue) -> list[str]:
        refs = [issue.parent_key or issue.parent, issue.epic_link]
        return [r for r in refs if r and r not in (issue.key, issue.issue_id)]

    def jira_parent(self, issue: JiraIssue) -> str | None:
        """Its parent's Jira key (its id only when no file so far had the parent)."""
        parent = issue.parent_key or issue.parent
        if parent and parent not in self.by_key:
            found = self.by_id.get(parent)
            parent = found.key if found else self.state.jira_ids.get(parent, parent)
        return parent or issue.epic_link or None

    def project_for(self, issue: JiraIssue) -> tuple[str, bool]:
        """Its epic's project (following parents), else its Jira project's bucket."""
        seen = {issue.key}
        for ref in self.refs(issue):
            found = self.resolve(ref, seen)
            if found:
                return found, False
        key = self.bucket_project(issue.prefix)
        if self.refs(issue) and issue.key not in self.state.imported_tasks:
            self.orphans.setdefault(key, []).append(
                f"{issue.key} (parent {self.refs(issue)[0]})"
            )
        return key, True

    def number_for(self, project: str, number: int) -> int:
        """Jira's number when the project has it free, else the next free one."""
        taken = self.numbers.setdefault(project, set())
        if number in taken:
            number = max([*taken, self.state.next_numbers.get(project, 1) - 1]) + 1
        taken.add(number)
        return number

    # -------------------------------------------------------------- tasks

    def run(self) -> JiraPlan:
        issues = sorted(self.jira.issues, key=lambda i: (i.created, i.line))
        for epic in (i for i in issues if i.is_epic):
            self.epic_project(epic)
        for issue in (i for i in issues if not i.is_epic):
            try:
                project, in_bucket = self.project_for(issue)
            except _Cycle as cycle:
                self.plan.problems.append(
                    Problem(issue.line, issue.key, f"its parents form a cycle (through {cycle})")
                )
                continue
            existing = self.state.imported_tasks.get(issue.key)
            if existing is None:
                key = f"{project}-{self.number_for(project, issue.number)}"
                self.task(issue, project, key, None)
                continue
            key = existing.key
            if not in_bucket and existing.project != project:
                key = self.rehome(issue.key, existing, project, self.jira_parent(issue))
            if existing.updated_at >= issue.last_change:
                self.plan.skipped += 1
                continue
            self.plan.updated_tasks += 1
            self.task(issue, key.rsplit("-", 1)[0], key, existing)
        self.rehome_board_tasks()
        self.finish_projects()
        self.notes()
        return self.plan

    def rehome(self, jira_key: str, board: BoardTask, project: str, parent: str | None) -> str:
        if board.project not in self.state.buckets:
            return board.key  # only tasks an earlier file could not place move
        number = int(board.key.rsplit("-", 1)[1])
        self.numbers.get(board.project, set()).discard(number)
        key = f"{project}-{self.number_for(project, int(jira_key.rsplit('-', 1)[1]))}"
        self.rehomes.append(Rehome(board.key, key, project, parent))
        self.plan.bundle.events.append(EventRecord(
            uid=uid(jira_key, "moved_project", project), at=self.now, actor=self.actor,
            kind="moved_project", project=project, task=key, field="project",
            old=board.key, new=key, reason=f"its epic came in a later Jira file ({jira_key})",
        ))
        return key

    def rehome_board_tasks(self) -> None:
        """Tasks of earlier files that this file's epics (or parents) now place."""
        for jira_key, board in sorted(self.state.imported_tasks.items()):
            if jira_key in self.by_key or board.project not in self.state.buckets:
                continue
            parent = board.jira_parent or ""
            known = self.by_id.get(parent)
            try:
                project = self.resolve(parent, {jira_key})
            except _Cycle:
                continue
            if project is not None and project != board.project:
                self.rehome(jira_key, board, project, known.key if known else parent)
            elif known is not None:
                self.rehomes.append(Rehome(board.key, board.key, board.project, known.key))

    def finish_projects(self) -> None:
        highest: dict[str, int] = {}
        for issue in self.jira.issues:  # the Jira project's own numbers stay free
            highest[issue.prefix] = max(highest.get(issue.prefix, 0), issue.number)
        for key, record in self.new_projects.items():
            updated = max([record.updated_at, *(t.created_at for t in self.plan.bundle.tasks
                                                if t.project == key)])
            numbers = self.numbers.get(key, set())
            next_number = max([0, *numbers]) + 1
            if record.jira_key in highest:
                next_number = max(next_number, highest[record.jira_key] + 1)
            self.new_projects[key] = record.model_copy(update={
                "next_number": next_number, "updated_at": updated,
            })
        self.plan.bundle.projects = list(self.new_projects.values())

    def notes(self) -> None:
        for key, issues in self.orphans.items():
            self.plan.notes.append(
                f"{count_of(len(issues), 'issues')} with a parent not in the file went to "
                f"project {key} (a later file with the parent moves them): {listing(issues)}"
            )
        if self.too_big:
            self.plan.notes.append(
                f"{count_of(len(self.too_big), 'issues')} estimated over 5 days, the size "
                f"limit, left unestimated (split them on the board): {listing(self.too_big)}"
            )
        busy = Counter(t.owner for t in self.plan.bundle.tasks
                       if t.status is Status.IN_PROGRESS and t.owner)
        new_people = {p.handle for p in self.plan.bundle.people}
        over = [f"{handle} ({count} in progress)" for handle, count in sorted(busy.items())
                if count > 1 and handle in new_people]
        if over:  # Jira has no WIP limit
            self.plan.notes.append(
                f"past the WIP limit of 1 from the start, {count_of(len(over), 'people')}: "
                f"{listing(over)}; raise it (mlkanban person edit HANDLE --wip N) "
                "or move some tasks to waiting"
            )
        if self.jira.cleaned:
            self.plan.notes.append(
                f"{count_of(self.jira.cleaned, 'values')} held control characters (terminal "
                "escapes, bidi marks), taken out of the imported text"
            )
        self.plan.left_out = +self.jira.left_out

    def estimate(self, issue: JiraIssue) -> int | None:
        """Original Estimate when Jira has one, else story points, as working days."""
        days = None
        if issue.original_estimate:
            days = issue.original_estimate / SECONDS_PER_DAY
        elif issue.story_points:
            days = issue.story_points
        if not days:
            return None
        if days > 5:
            self.too_big.append(issue.key)
            return None
        return max(1, math.ceil(days))

    def task(self, issue: JiraIssue, project: str, key: str, old: BoardTask | None) -> None:
        owner = self.person(issue.assignee)
        status = issue.status
        status_at = issue.created
        if status in (Status.DONE, Status.DROPPED):
            status_at = issue.resolved or issue.updated or issue.created
        elif status in (Status.IN_PROGRESS, Status.WAITING):
            status_at = issue.status_changed or issue.updated or issue.created
        record = TaskRecord(
            key=key, project=project, number=int(key.rsplit("-", 1)[1]), title=issue.title,
            description=issue.full_description, phase=issue.phase, owner=owner,
            estimate=self.estimate(issue), status=status, reason=issue.reason,
            created_at=issue.created, updated_at=max(issue.last_change, status_at),
            status_at=status_at, started_at=status_at if status is Status.IN_PROGRESS else None,
            done_at=status_at if status is Status.DONE else None, jira_key=issue.key,
            jira_id=issue.issue_id or None, jira_parent=self.jira_parent(issue),
            labels=" ".join(dict.fromkeys(issue.labels)),
        )
        self.plan.bundle.tasks.append(record)
        self.plan.statuses[status] += 1
        events = self.plan.bundle.events
        actor = self.actor_for(issue.reporter)
        changed_by = self.handles.get(issue.assignee or "", actor)
        at = issue.updated or issue.last_change

        def event(kind: str, when: datetime, *parts: str, tag: str = "", **values) -> None:
            events.append(EventRecord(uid=uid(issue.key, tag or kind, *parts), at=when,
                                      kind=kind, project=project, task=key, **values))

        if old is None:
            event("created", issue.created, actor=actor, new=record.title,
                  reason=IMPORTED_FROM + issue.key)
        else:
            if old.phase != issue.phase.value:
                event("moved_phase", at, issue.phase.value, at.isoformat(), actor=changed_by,
                      field="phase", old=old.phase, new=issue.phase.value)
            if old.owner != owner:
                event("assigned", at, owner or "-", at.isoformat(), actor=changed_by,
                      field="owner", old=old.owner, new=owner)
        old_status = old.status if old else Status.TODO.value
        if status.value != old_status:
            kind = "started" if status is Status.IN_PROGRESS else "status_changed"
            event(kind, status_at, status.value, tag="status", actor=changed_by,
                  field="status", old=old_status, new=status.value, reason=issue.reason)
        for comment in self.comments[issue.key]:
            event("commented", comment.at, comment.at.isoformat(), comment.author or "",
                  comment.text, actor=self.actor_for(comment.author), new=comment.text)


_DONE_EPIC = {"done", "closed", "resolved", "hecho", "listo", "terminé", "fertig",
              "concluído", "completato", "готово"}


def plan_import(jira: JiraFile, state: BoardState, actor: str, now: datetime) -> JiraPlan:
    """The records an import adds, given what the board holds (pure)."""
    planner = _Planner(jira, state, actor, now)
    plan = planner.run()
    plan.rehomes = planner.rehomes
    plan.problems[:0] = jira.problems
    plan.problems.sort(key=lambda p: p.line)
    return plan


def import_jira(
    engine: Engine, jira: JiraFile, *, actor: str, name: str, now: datetime,
    dry_run: bool = False,
) -> tuple[JiraPlan, ImportResult | None]:
    """Plan against the board and write it in one transaction (not at all for a dry run).

    The board is read inside the same write transaction, so task numbers cannot be
    taken by someone else between planning and writing.
    """
    if dry_run:
        with engine.connect() as conn:
            plan = plan_import(jira, read_state(conn), actor, now)
    else:
        with write_engine(engine).connect() as conn, conn.begin():
            plan = plan_import(jira, read_state(conn), actor, now)
            if not plan.problems:
                return plan, write_plan(conn, plan)
    if plan.problems:
        raise BadInput(problems_message(name, plan.problems))
    return plan, None


def write_plan(conn: Connection, plan: JiraPlan) -> ImportResult:
    """People and projects first, then tasks moved to their epic's project, then the
    rest: a moved task keeps its row (and history) under its new key."""
    bundle = plan.bundle
    result = restore_into(conn, Bundle(people=bundle.people, projects=bundle.projects))
    if plan.rehomes:
        task, project = tables.task, tables.project
        ids = dict(conn.execute(select(project.c.key, project.c.id)).all())
        for move in plan.rehomes:
            conn.execute(update(task).where(task.c.key == move.old_key).values(
                key=move.key, project_id=ids[move.project],
                number=int(move.key.rsplit("-", 1)[1]), jira_parent=move.jira_parent,
            ))
        _keep_numbers_unused(conn, {ids[move.project] for move in plan.rehomes})
    rest = restore_into(conn, bundle.model_copy(update={"people": [], "projects": []}))
    for kind, n in rest.added.items():
        result.added[kind] = result.added.get(kind, 0) + n
    for kind, n in rest.updated.items():
        result.updated[kind] = result.updated.get(kind, 0) + n
    return result
