"""Events grouped by the change (one command) that wrote them, with the task as it was
before, so that a change can be undone as a whole and the task put back exactly.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("change", sa.String(32), nullable=True))
        batch.add_column(sa.Column("before", sa.String, nullable=True))
    op.create_index("ix_event_change", "event", ["change"])
    op.create_index("ix_event_kind_field", "event", ["kind", "field"])


def downgrade() -> None:
    op.drop_index("ix_event_kind_field", "event")
    op.drop_index("ix_event_change", "event")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("before")
        batch.drop_column("change")
