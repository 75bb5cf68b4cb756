"""What an import from Jira keeps: each task's and project's Jira key, a task's Jira id
and its parent's Jira key (so that a sub-task finds its parent whichever file brought
it), and a task's labels.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("jira_key", sa.String(40), nullable=True))
        batch.add_column(sa.Column("jira_id", sa.String(20), nullable=True))
        batch.add_column(sa.Column("jira_parent", sa.String(40), nullable=True))
        batch.add_column(sa.Column("labels", sa.String, nullable=False, server_default=""))
    op.create_index("ix_task_jira_key", "task", ["jira_key"])
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("jira_key", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.drop_column("jira_key")
    op.drop_index("ix_task_jira_key", "task")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("labels")
        batch.drop_column("jira_parent")
        batch.drop_column("jira_id")
        batch.drop_column("jira_key")
