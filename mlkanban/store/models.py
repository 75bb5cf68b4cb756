"""The tables. Keys people type (handles, ``CHURN``, ``CHURN-12``) are unique columns;
integer ids are internal. Every change to these rows is also recorded as an Event.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict
from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from mlkanban.store.tables import STATUS_EVENTS
from mlkanban.store.types import UTCDateTime

#: Pydantic builds a table's validators when one is first needed, not at import: rows
#: are made without validation (SQLModel table models), so a command never needs them,
#: and building them for every table was a quarter of this module's import time.
DEFERRED = ConfigDict(defer_build=True)


def _ts(*, nullable: bool = False, index: bool = False):
    return Field(sa_type=UTCDateTime, nullable=nullable, index=index)


class Person(SQLModel, table=True):
    """Someone with a swimlane on the board."""

    model_config = DEFERRED

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(unique=True, max_length=40)
    name: str = ""
    wip_limit: int = 1
    active: bool = True
    created_at: datetime = _ts()


class Project(SQLModel, table=True):
    """An epic: a hypothesis split into tasks. ``next_number`` keeps task keys unused."""

    model_config = DEFERRED

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=10)
    name: str
    description: str = ""
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    hypothesis: str = ""
    metric: str = ""
    status: str = "active"
    outcome: str | None = None
    outcome_why: str | None = None
    next_number: int = 1
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    jira_key: str | None = Field(default=None, max_length=40)
    """The Jira epic (or Jira project, for issues outside any epic) it was imported from."""


class PhasePlan(SQLModel, table=True):
    """Planned effort in weeks per phase: the Research phase's deliverable."""

    model_config = DEFERRED

    __tablename__ = "phase_plan"

    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    )
    phase: str = Field(primary_key=True, max_length=20)
    weeks: float


class Task(SQLModel, table=True):
    """A piece of work of at most five working days, in one project and one phase."""

    model_config = DEFERRED

    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_task_status_owner", "status", "owner_id"),
        Index("ix_task_jira_key", "jira_key"),
        Index("ix_task_done", "status", "owner_id", "project_id", "phase", "done_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=20)
    project_id: int = Field(foreign_key="project.id")
    number: int
    title: str
    description: str = ""
    phase: str = Field(max_length=20)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    estimate: int | None = None
    status: str = Field(default="todo", max_length=12)
    reason: str | None = None
    """Why it is waiting or was dropped; cleared when the status moves on."""
    wip_override: str | None = None
    """The reason given when this task was started past its owner's WIP limit."""
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    started_at: datetime | None = _ts(nullable=True)
    status_at: datetime = _ts()
    done_at: datetime | None = _ts(nullable=True)
    work_log: str = "[]"
    """When it was in progress, per phase (``domain.work_log``), as JSON: derived from
    its status and phase events in the same transaction, so that reports over long
    histories need not replay every event."""
    jira_key: str | None = Field(default=None, max_length=40)
    """The Jira issue it was imported from: commands take this key as well as ours."""
    jira_id: str | None = Field(default=None, max_length=20)
    jira_parent: str | None = Field(default=None, max_length=40)
    """The Jira key (or id) of its parent issue, kept so a later file can find it."""
    labels: str = Field(default="", sa_column_kwargs={"server_default": ""})
    """Labels separated by spaces (a label has none, as in Jira)."""


class Event(SQLModel, table=True):
    """An append-only record of one change. History and reports derive from these."""

    model_config = DEFERRED

    __table_args__ = (Index("ix_event_task", "task_id", "id"),
                      Index("ix_event_change", "change"),
                      Index("ix_event_kind_field", "kind", "field"),
                      Index("ix_event_status", "kind", "at", "task_id", "old", "new",
                            sqlite_where=text(STATUS_EVENTS),
                            postgresql_where=text(STATUS_EVENTS)))

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True, max_length=32)
    at: datetime = _ts(index=True)
    actor: str
    kind: str = Field(max_length=24)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="task.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    field: str | None = None
    old: str | None = None
    new: str | None = None
    reason: str | None = None
    change: str | None = Field(default=None, max_length=32)
    """The change (one command) this event belongs to: all of its events share it, so
    that ``undo`` reverts the change as a whole."""
    before: str | None = None
    """The task's row as it was before the change, as JSON, on the change's first event
    of each task: what ``undo`` puts back."""


class Deliverable(SQLModel, table=True):
    """What a phase handed to stakeholders: a notebook, a PR, a report."""

    model_config = DEFERRED

    __table_args__ = (Index("ix_deliverable_project", "project_id", "phase"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False)
    )
    phase: str = Field(max_length=20)
    title: str
    link: str | None = None
    reached_at: datetime = _ts()


class AbTest(SQLModel, table=True):
    """The design of an A/B test run by a task in the A/B Testing phase."""

    model_config = DEFERRED

    __tablename__ = "ab_test"

    task_id: int = Field(
        sa_column=Column(Integer, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    )
    started_at: datetime = _ts()
    duration_days: int
    traffic_share: float
    control: str = ""
    metric: str = ""
