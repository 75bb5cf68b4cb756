"""The export format: one JSON object per line, validated field by field on import.

Records refer to each other by the keys people see (handles, ``CHURN``, ``CHURN-3``),
never by database ids, so an export can be merged into another database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from mlkanban.domain.phases import Phase
from mlkanban.domain.statuses import Status

FORMAT = "mlkanban-export"
FORMAT_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Header(_Record):
    type: Literal["header"] = "header"
    format: Literal["mlkanban-export"] = FORMAT
    version: Literal[1] = FORMAT_VERSION
    schema_revision: str
    exported_at: AwareDatetime


class PersonRecord(_Record):
    type: Literal["person"] = "person"
    handle: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,39}$")]
    name: str
    wip_limit: Annotated[int, Field(ge=1, le=20)]
    active: bool
    created_at: AwareDatetime


class ProjectRecord(_Record):
    type: Literal["project"] = "project"
    key: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,9}$")]
    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    owner: str | None = None
    hypothesis: str = ""
    metric: str = ""
    status: Literal["active", "paused", "shipped", "stopped"] = "active"
    outcome: str | None = None
    outcome_why: str | None = None
    next_number: Annotated[int, Field(ge=1)]
    created_at: AwareDatetime
    updated_at: AwareDatetime
    plan: dict[Phase, Annotated[float, Field(ge=0, le=104)]] = {}
    jira_key: str | None = None


class TaskRecord(_Record):
    type: Literal["task"] = "task"
    key: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,9}-[1-9][0-9]*$")]
    project: str
    number: Annotated[int, Field(ge=1)]
    title: Annotated[str, Field(min_length=1)]
    description: str = ""
    phase: Phase
    owner: str | None = None
    estimate: Annotated[int, Field(ge=1, le=5)] | None = None
    status: Status
    reason: str | None = None
    wip_override: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    started_at: AwareDatetime | None = None
    status_at: AwareDatetime
    done_at: AwareDatetime | None = None
    jira_key: str | None = None
    jira_id: str | None = None
    jira_parent: str | None = None
    labels: str = ""

    @field_validator("key")
    @classmethod
    def _key_matches(cls, value: str, info) -> str:
        project = info.data.get("project")
        if project is not None and not value.startswith(f"{project}-"):
            raise ValueError(f"task key {value} does not belong to project {project}")
        return value


class EventRecord(_Record):
    type: Literal["event"] = "event"
    uid: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    at: AwareDatetime
    actor: str
    kind: Annotated[str, Field(min_length=1, max_length=24)]
    project: str | None = None
    task: str | None = None
    person: str | None = None
    field: str | None = None
    old: str | None = None
    new: str | None = None
    reason: str | None = None


class DeliverableRecord(_Record):
    type: Literal["deliverable"] = "deliverable"
    project: str
    phase: Phase
    title: Annotated[str, Field(min_length=1)]
    link: str | None = None
    reached_at: AwareDatetime


class AbTestRecord(_Record):
    type: Literal["ab_test"] = "ab_test"
    task: str
    started_at: AwareDatetime
    duration_days: Annotated[int, Field(ge=1, le=365)]
    traffic_share: Annotated[float, Field(gt=0, le=100)]
    control: str = ""
    metric: str = ""


Record = Annotated[
    Header | PersonRecord | ProjectRecord | TaskRecord | EventRecord | DeliverableRecord
    | AbTestRecord,
    Field(discriminator="type"),
]


class Bundle(BaseModel):
    """Everything one export file holds, validated and cross-checked."""

    people: list[PersonRecord] = []
    projects: list[ProjectRecord] = []
    tasks: list[TaskRecord] = []
    events: list[EventRecord] = []
    deliverables: list[DeliverableRecord] = []
    ab_tests: list[AbTestRecord] = []


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
