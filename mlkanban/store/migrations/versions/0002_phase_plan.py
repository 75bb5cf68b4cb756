"""Planned weeks per phase for each project, and an index for history by date.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phase_plan",
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("project.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("phase", sa.String(20), primary_key=True),
        sa.Column("weeks", sa.Float, nullable=False),
    )
    op.create_index("ix_event_at", "event", ["at"])


def downgrade() -> None:
    op.drop_index("ix_event_at", "event")
    op.drop_table("phase_plan")
