"""Each task's work log: when it was in progress, per phase, derived from its events.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from mlkanban.store import work_logs

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("work_log", sa.String, nullable=False, server_default="[]"))
    work_logs.rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("work_log")
