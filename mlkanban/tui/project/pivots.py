"""Pivots on a dated timeline, between the project's start and its close (or today)."""

from __future__ import annotations

from textual.content import Content

from mlkanban.tui.project.checklist import day
from mlkanban.tui.project.record import ProjectRecord
from mlkanban.tui.project.wrapped import RecordLines, hanging

RAIL = Content.styled("│", "$primary")


class PivotTimeline(RecordLines):
    """A vertical rail: the start, each pivot (when, who, what), then the close or today."""

    def lines(self, record: ProjectRecord, width: int) -> list[Content]:
        rows: list[Content] = []
        if record.added is not None:
            rows.append(Content.assemble(("● ", "$primary"), (day(record.added.at), "bold"),
                                         (f"  added by {record.added.actor}", "$text-muted")))
        if not record.pivots:
            rows.append(RAIL + Content.styled("  no pivot recorded", "$text-muted italic"))
        for pivot in record.pivots:
            rows.append(RAIL)
            head = Content.assemble(("↻ ", "$warning bold"), (day(pivot.at), "bold"),
                                    (f"  {pivot.actor}  ", "$text-muted"))
            rows += hanging(head, Content(pivot.text), width, indent=RAIL)
        rows.append(RAIL)
        if record.closed_at is not None:
            rows.append(Content.assemble(
                ("■ ", "$primary"), (day(record.closed_at), "bold"),
                ("  closed, outcome ", "$text-muted"), (record.project.outcome or "", "bold"),
            ))
        else:
            rows.append(Content.assemble(("○ ", "$primary"), (day(record.as_of), "bold"),
                                         ("  today", "$text-muted")))
        return rows
