"""Deliverables per phase, and A/B test designs on tasks.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from mlkanban.store.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliverable",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "project_id", sa.Integer, sa.ForeignKey("project.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("link", sa.String, nullable=True),
        sa.Column("reached_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_deliverable_project", "deliverable", ["project_id", "phase"])
    op.create_table(
        "ab_test",
        sa.Column(
            "task_id", sa.Integer, sa.ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("duration_days", sa.Integer, nullable=False),
        sa.Column("traffic_share", sa.Float, nullable=False),
        sa.Column("control", sa.String, nullable=False),
        sa.Column("metric", sa.String, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ab_test")
    op.drop_index("ix_deliverable_project", "deliverable")
    op.drop_table("deliverable")
