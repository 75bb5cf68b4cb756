"""Full-history export to JSON Lines, and reading one back for ``mlkanban import``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import IO, TYPE_CHECKING

from mlkanban.domain.errors import BadInput
from mlkanban.store import queries
from mlkanban.store.revisions import HEAD, REVISIONS
from mlkanban.store.sql import Sql
from mlkanban.store.views import iso_text

if TYPE_CHECKING:
    from mlkanban.io.records import Bundle

FORMAT = "mlkanban-export"
FORMAT_VERSION = 1

#: One encoder for every line (``json.dumps`` with options builds a new one per call).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def header(exported_at: datetime) -> dict:
    """The first line, as ``records.Header(...).model_dump(mode="json")`` writes it
    (pydantic writes UTC as ``Z``), without importing pydantic to export."""
    if exported_at.tzinfo is None:
        raise ValueError("exported_at must be an aware datetime")
    stamp = exported_at.isoformat()
    if stamp.endswith("+00:00"):
        stamp = stamp[:-6] + "Z"
    return {"type": "header", "format": FORMAT, "version": FORMAT_VERSION,
            "schema_revision": HEAD, "exported_at": stamp}


def export_records(sql: Sql, exported_at: datetime) -> Iterator[dict]:
    """Every person, project, task and event, as plain dicts in dependency order.

    Tasks and events are streamed a batch at a time, so a board of any size is
    exported in the same memory.
    """
    yield header(exported_at)
    for handle, name, wip_limit, active, created_at in sql.rows(
        "SELECT handle, name, wip_limit, active, created_at FROM person ORDER BY id"
    ):
        yield {"type": "person", "handle": handle, "name": name, "wip_limit": wip_limit,
               "active": bool(active), "created_at": iso_text(created_at)}
    yield from _projects(sql)
    yield from _tasks(sql)
    yield from _events(sql)
    for item in queries.deliverables(sql):
        yield {"type": "deliverable", "project": item.project, "phase": item.phase.value,
               "title": item.title, "link": item.link,
               "reached_at": item.reached_at.isoformat()}
    for test in queries.ab_tests(sql).values():
        yield {"type": "ab_test", "task": test.task, "started_at": test.started_at.isoformat(),
               "duration_days": test.duration_days, "traffic_share": test.traffic_share,
               "control": test.control, "metric": test.metric}


def _projects(sql: Sql) -> Iterator[dict]:
    times = {key: rest for key, *rest in sql.rows(
        "SELECT key, next_number, created_at, updated_at FROM project")}
    for project in queries.projects(sql):
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
            "created_at": iso_text(created_at),
            "updated_at": iso_text(updated_at),
            "plan": {phase.value: weeks for phase, weeks in project.plan.items()},
            "jira_key": project.jira_key,
        }


def _tasks(sql: Sql) -> Iterator[dict]:
    text = (f"SELECT {queries.TASK_COLUMNS}, t.jira_id, t.jira_parent"
            f"{queries.TASK_FROM}{queries.TASK_ORDER}")
    for batch in sql.stream(text):
        for (key, title, project, phase, owner, estimate, status, reason, wip_override,
             created_at, updated_at, started_at, status_at, done_at, description, jira_key,
             labels, _parent, jira_id, jira_parent) in batch:
            if jira_key is None:  # Jira's ids are kept only with the Jira key they go with
                jira_id = jira_parent = None
            yield {
                "type": "task",
                "key": key,
                "project": project,
                "number": int(key.rsplit("-", 1)[1]),
                "title": title,
                "description": description,
                "phase": phase,
                "owner": owner,
                "estimate": estimate,
                "status": status,
                "reason": reason,
                "wip_override": wip_override,
                "created_at": iso_text(created_at),
                "updated_at": iso_text(updated_at),
                "started_at": iso_text(started_at),
                "status_at": iso_text(status_at),
                "done_at": iso_text(done_at),
                "jira_key": jira_key,
                "jira_id": jira_id,
                "jira_parent": jira_parent,
                "labels": " ".join(labels.split()) if labels else "",
            }


def _events(sql: Sql) -> Iterator[dict]:
    text = f"SELECT {queries.EVENT_COLUMNS}{queries.EVENT_FROM} ORDER BY e.at, e.id"
    for batch in sql.stream(text):
        for (_id, uid, at, actor, kind, project, task, person, field, old, new,
             reason) in batch:
            yield {"type": "event", "uid": uid, "at": iso_text(at), "actor": actor,
                   "kind": kind, "project": project, "task": task, "person": person,
                   "field": field, "old": old, "new": new, "reason": reason}


def write_jsonl(sql: Sql, out: IO[str], exported_at: datetime) -> int:
    """Write the export as it is read; returns how many records it holds."""
    count = 0
    lines: list[str] = []
    for record in export_records(sql, exported_at):
        lines.append(_encode(record))
        if len(lines) == 1_000:
            count += _flush(out, lines)
    return count + _flush(out, lines)


def _flush(out: IO[str], lines: list[str]) -> int:
    written = len(lines)
    if lines:
        out.write("\n".join(lines) + "\n")
        lines.clear()
    return written


@cache
def _record_adapter():
    """Validation of one line on import (pydantic is imported only to import)."""
    from pydantic import TypeAdapter

    from mlkanban.io.records import Record

    return TypeAdapter(Record)


_TYPES = ("header", "person", "project", "task", "event", "deliverable", "ab_test")


def read_jsonl(lines: IO[str], name: str = "the file") -> Bundle:
    """Parse and validate a whole export before anything is written.

    Any problem is a one-line ``BadInput`` naming the line, so a broken file changes
    nothing.
    """
    from pydantic import ValidationError

    from mlkanban.io.records import (
        AbTestRecord,
        Bundle,
        DeliverableRecord,
        EventRecord,
        Header,
        PersonRecord,
        ProjectRecord,
        TaskRecord,
    )
    from mlkanban.io.restore import check_record

    adapter = _record_adapter()
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
                record = adapter.validate_python(data)
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


def _explain(exc) -> str:
    """The first of a pydantic ``ValidationError``'s complaints, on one line."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"] if part not in _TYPES)
    kind = error["loc"][0] if error["loc"] else "record"
    return f"{kind} {where}: {error['msg']}".replace("  ", " ")
