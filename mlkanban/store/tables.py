"""The tables again, as plain SQLAlchemy Core, for reads.

Building the SQLModel classes of ``models.py`` means importing SQLModel and the ORM,
which costs a read-only command (``ls``, ``show``, ``report``) more than its own work.
Reads need only table and column objects, so they take them from here. ``models.py``
stays the schema that writes and migrations use; ``tests/test_tables.py`` keeps the
two identical (names, types, nullability, keys), so a column added to a model and
forgotten here fails the tests. No column defaults: nothing inserts through these.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)

from mlkanban.store.types import UTCDateTime

metadata = MetaData()

#: The events in ``ix_event_status``: what a report's charts count (``history_reads``).
STATUS_EVENTS = "kind IN ('created', 'started', 'status_changed')"


def _ts(name: str, *, nullable: bool = False, index: bool = False) -> Column:
    return Column(name, UTCDateTime, nullable=nullable, index=index)


person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("handle", String(40), nullable=False, unique=True),
    Column("name", String, nullable=False),
    Column("wip_limit", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    _ts("created_at"),
)

project = Table(
    "project",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(10), nullable=False, unique=True),
    Column("name", String, nullable=False),
    Column("description", String, nullable=False),
    Column("owner_id", Integer, ForeignKey("person.id"), nullable=True),
    Column("hypothesis", String, nullable=False),
    Column("metric", String, nullable=False),
    Column("status", String, nullable=False),
    Column("outcome", String, nullable=True),
    Column("outcome_why", String, nullable=True),
    Column("next_number", Integer, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    Column("jira_key", String(40), nullable=True),
)

phase_plan = Table(
    "phase_plan",
    metadata,
    Column("project_id", Integer, ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
    Column("phase", String(20), primary_key=True),
    Column("weeks", Float, nullable=False),
)

task = Table(
    "task",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(20), nullable=False, unique=True),
    Column("project_id", Integer, ForeignKey("project.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("title", String, nullable=False),
    Column("description", String, nullable=False),
    Column("phase", String(20), nullable=False),
    Column("owner_id", Integer, ForeignKey("person.id"), nullable=True),
    Column("estimate", Integer, nullable=True),
    Column("status", String(12), nullable=False),
    Column("reason", String, nullable=True),
    Column("wip_override", String, nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    _ts("started_at", nullable=True),
    _ts("status_at"),
    _ts("done_at", nullable=True),
    Column("work_log", String, nullable=False),
    Column("jira_key", String(40), nullable=True),
    Column("jira_id", String(20), nullable=True),
    Column("jira_parent", String(40), nullable=True),
    Column("labels", String, nullable=False),
    UniqueConstraint("project_id", "number"),
    Index("ix_task_status_owner", "status", "owner_id"),
    Index("ix_task_jira_key", "jira_key"),
    Index("ix_task_done", "status", "owner_id", "project_id", "phase", "done_at"),
)

event = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(32), nullable=False, unique=True),
    _ts("at", index=True),
    Column("actor", String, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("project_id", Integer, ForeignKey("project.id"), nullable=True, index=True),
    Column("task_id", Integer, ForeignKey("task.id"), nullable=True),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=True),
    Column("field", String, nullable=True),
    Column("old", String, nullable=True),
    Column("new", String, nullable=True),
    Column("reason", String, nullable=True),
    Column("change", String(32), nullable=True),
    Column("before", String, nullable=True),
    Index("ix_event_task", "task_id", "id"),
    Index("ix_event_change", "change"),
    Index("ix_event_kind_field", "kind", "field"),
    Index("ix_event_status", "kind", "at", "task_id", "old", "new",
          sqlite_where=text(STATUS_EVENTS), postgresql_where=text(STATUS_EVENTS)),
)

deliverable = Table(
    "deliverable",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
    Column("phase", String(20), nullable=False),
    Column("title", String, nullable=False),
    Column("link", String, nullable=True),
    _ts("reached_at"),
    Index("ix_deliverable_project", "project_id", "phase"),
)

ab_test = Table(
    "ab_test",
    metadata,
    Column("task_id", Integer, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    _ts("started_at"),
    Column("duration_days", Integer, nullable=False),
    Column("traffic_share", Float, nullable=False),
    Column("control", String, nullable=False),
    Column("metric", String, nullable=False),
)
