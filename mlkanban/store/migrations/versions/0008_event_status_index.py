"""An index of the tasks' creations and status changes by time, holding what a report's
charts count (task, old and new status), so that tasks per status and per week over a
quarter of a year are counted from the index alone, not from a row of the event table
per change. Only those kinds are in it: the other events' values are long text.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ["kind", "at", "task_id", "old", "new"]
WHERE = "kind IN ('created', 'started', 'status_changed')"


def upgrade() -> None:
    op.create_index("ix_event_status", "event", COLUMNS, sqlite_where=sa.text(WHERE),
                    postgresql_where=sa.text(WHERE))


def downgrade() -> None:
    op.drop_index("ix_event_status", "event")
