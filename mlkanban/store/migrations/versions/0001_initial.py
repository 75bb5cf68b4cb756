"""The first schema: people, projects, tasks and their events.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from mlkanban.store.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handle", sa.String(40), nullable=False, unique=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("wip_limit", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "project",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(10), nullable=False, unique=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("description", sa.String, nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("person.id"), nullable=True),
        sa.Column("hypothesis", sa.String, nullable=False),
        sa.Column("metric", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("outcome", sa.String, nullable=True),
        sa.Column("outcome_why", sa.String, nullable=True),
        sa.Column("next_number", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(20), nullable=False, unique=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("project.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("description", sa.String, nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("person.id"), nullable=True),
        sa.Column("estimate", sa.Integer, nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.String, nullable=True),
        sa.Column("wip_override", sa.String, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=True),
        sa.Column("status_at", UTCDateTime, nullable=False),
        sa.Column("done_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("project_id", "number"),
    )
    op.create_index("ix_task_status_owner", "task", ["status", "owner_id"])
    op.create_table(
        "event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(32), nullable=False, unique=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("project.id"), nullable=True),
        sa.Column("task_id", sa.Integer, sa.ForeignKey("task.id"), nullable=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=True),
        sa.Column("field", sa.String, nullable=True),
        sa.Column("old", sa.String, nullable=True),
        sa.Column("new", sa.String, nullable=True),
        sa.Column("reason", sa.String, nullable=True),
    )
    op.create_index("ix_event_task", "event", ["task_id", "id"])
    op.create_index("ix_event_project_id", "event", ["project_id"])


def downgrade() -> None:
    for table in ("event", "task", "project", "person"):
        op.drop_table(table)
