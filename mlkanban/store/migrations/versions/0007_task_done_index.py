"""An index that counts the board's folded cards: done tasks by owner, project and
phase, with their done time, so that opening a board with years of finished work does
not visit (or sort) a row of the task table.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ["status", "owner_id", "project_id", "phase", "done_at"]


def upgrade() -> None:
    op.create_index("ix_task_done", "task", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_task_done", "task")
