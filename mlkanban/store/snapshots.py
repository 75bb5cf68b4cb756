"""What ``undo`` puts back: a task's or project's undoable fields as they were before a
change, stored as JSON on the change's first event of each (``Event.before``).

Apart from ``undo`` (which uses the ORM) because writes on the driver
(``status_changes``) store the same text from a plain row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

TASK_FIELDS = ("status", "phase", "owner_id", "estimate", "reason", "wip_override", "title",
               "description", "started_at", "done_at")
PROJECT_FIELDS = ("name", "description", "owner_id", "hypothesis", "metric", "status",
                  "outcome", "outcome_why")
#: The fields that hold moments (stored as ISO text, aware UTC).
MOMENTS = ("started_at", "done_at")


def snapshot(value_of: Callable[[str], Any], fields: tuple[str, ...]) -> str:
    """The fields as JSON, in ``fields``' order, moments as ISO text."""
    values: dict[str, Any] = {}
    for name in fields:
        value = value_of(name)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    return json.dumps(values)
