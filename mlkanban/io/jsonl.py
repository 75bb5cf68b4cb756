"""Full-history export to JSON Lines, and reading one back for ``mlkanban import``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, select

from mlkanban.domain.errors import BadInput
from mlkanban.io.records import (
    AbTestRecord,
    Bundle,
    DeliverableRecord,
    EventRecord,
    Header,
    PersonRecord,
    ProjectRecord,
    Record,
    TaskRecord,
    iso,
)
from mlkanban.store import queries, tables
from mlkanban.store.schema import HEAD, REVISIONS


def export_records(conn: Connection, exported_at) -> Iterator[dict]:
    """Every person, project, task and event, as plain dicts in dependency order."""
    yield Header(schema_revision=HEAD, exported_at=exported_at).model_dump(mode="json")
    person_table = tables.person
    for row in conn.execute(select(person_table).order_by(person_table.c.id)):
        yield {
            "type": "person",
            "handle": row.handle,
            "name": row.name,
            "wip_limit": row.wip_limit,
            "active": row.active,
            "created_at": iso(row.created_at),
        }
    project_table = tables.project
    times = {
        row.key: (row.next_number, row.created_at, row.updated_at)
        for row in conn.execute(select(project_table))
    }
    for project in queries.projects(conn):
        next_number, created_at, updated_at = times[project.key]
        yield {
            "type": "project",
            "key": project.key,
            "name": project.name,
            "description": project.description,
            "owner": project.owner,
            "hypothesis": project.hypothesis,
            "metric": project.metric,
            "status": project.status,
            "outcome": project.outcome,
            "outcome_why": project.outcome_why,
            "next_number": next_number,
            "created_at": iso(created_at),
            "updated_at": iso(updated_at),
            "plan": {phase.value: weeks for phase, weeks in project.plan.items()},
            "jira_key": project.jira_key,
        }
    task_table = tables.task
    jira = {row.key: (row.jira_id, row.jira_parent) for row in conn.execute(
        select(task_table.c.key, task_table.c.jira_id, task_table.c.jira_parent)
        .where(task_table.c.jira_key.is_not(None))
    )}
    for task in queries.tasks(conn):
        yield {
            "type": "task",
            "key": task.key,
            "project": task.project,
            "number": task.number,
            "title": task.title,
            "description": task.description,
            "phase": task.phase.value,
            "owner": task.owner,
            "estimate": task.estimate,
            "status": task.status.value,
            "reason": task.reason,
            "wip_override": task.wip_override,
            "created_at": iso(task.created_at),
            "updated_at": iso(task.updated_at),
            "started_at": iso(task.started_at),
            "status_at": iso(task.status_at),
            "done_at": iso(task.done_at),
            "jira_key": task.jira_key,
            "jira_id": jira.get(task.key, (None, None))[0],
            "jira_parent": jira.get(task.key, (None, None))[1],
            "labels": " ".join(task.labels),
        }
    for event in queries.events(conn):
        record = event.as_dict()
        record.pop("id")
        yield {"type": "event", **record}
    for item in queries.deliverables(conn):
        yield {
            "type": "deliverable",
            "project": item.project,
            "phase": item.phase.value,
            "title": item.title,
            "link": item.link,
            "reached_at": iso(item.reached_at),
        }
    for test in queries.ab_tests(conn).values():
        yield {
            "type": "ab_test",
            "task": test.task,
            "started_at": iso(test.started_at),
            "duration_days": test.duration_days,
            "traffic_share": test.traffic_share,
            "control": test.control,
            "metric": test.metric,
        }


def write_jsonl(conn: Connection, out: IO[str], exported_at) -> int:
    count = 0
    for record in export_records(conn, exported_at):
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        count += 1
    return count


_RECORD = TypeAdapter(Record)
_TYPES = ("header", "person", "project", "task", "event", "deliverable", "ab_test")


def read_jsonl(lines: IO[str], name: str = "the file") -> Bundle:
    """Parse and validate a whole export before anything is written.

    Any problem is a one-line ``BadInput`` naming the line, so a broken file changes
    nothing.
    """
    from mlkanban.io.restore import check_record

    bundle = Bundle()
    seen_header = False
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInput(f"{name}, line {number}: not JSON ({exc.msg})") from None
            if not isinstance(data, dict):
                raise BadInput(f"{name}, line {number}: expected a JSON object")
            try:
                record = _RECORD.validate_python(data)
            except ValidationError as exc:
                raise BadInput(f"{name}, line {number}: {_explain(exc)}") from None
            try:
                check_record(record)
            except BadInput as exc:
                raise BadInput(f"{name}, line {number}: {exc.message}") from None
            if isinstance(record, Header):
                _check_revision(record.schema_revision, name)
                seen_header = True
            elif not seen_header:
                raise BadInput(f"{name}, line {number}: not an mlkanban export (no header line)")
            elif isinstance(record, PersonRecord):
                bundle.people.append(record)
            elif isinstance(record, ProjectRecord):
                bundle.projects.append(record)
            elif isinstance(record, TaskRecord):
                bundle.tasks.append(record)
            elif isinstance(record, EventRecord):
                bundle.events.append(record)
            elif isinstance(record, DeliverableRecord):
                bundle.deliverables.append(record)
            elif isinstance(record, AbTestRecord):
                bundle.ab_tests.append(record)
    except UnicodeDecodeError:
        raise BadInput(f"{name}: not a UTF-8 text file") from None
    if not seen_header:
        raise BadInput(f"{name}: empty, or not an mlkanban export")
    return bundle


def _check_revision(revision: str, name: str) -> None:
    """An export from a newer mlkanban may hold what this one cannot keep: refuse it."""
    if revision in REVISIONS:
        return
    if revision.isdigit() and int(revision) > int(HEAD):
        raise BadInput(f"{name} was exported by a newer mlkanban (schema revision {revision}; "
                       f"this one knows up to {HEAD}); upgrade mlkanban to import it")
    raise BadInput(f"{name}: unknown schema revision {revision[:20]!r}")


def _explain(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"] if part not in _TYPES)
    kind = error["loc"][0] if error["loc"] else "record"
    return f"{kind} {where}: {error['msg']}".replace("  ", " ")
