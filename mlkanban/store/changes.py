"""What a write hands back: kept apart so that the service's mixins and the front ends
share it without importing the service."""

from __future__ import annotations

from dataclasses import dataclass

from mlkanban.store.views import TaskView


@dataclass(frozen=True)
class Change:
    """What a write did: the task as it is now (None when the change was to a project or
    a person), and a sentence saying what happened."""

    task: TaskView | None
    message: str
    notice: str = ""
