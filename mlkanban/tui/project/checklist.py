"""Deliverables as a checklist: one line per deliverable reached, ☐ for a phase without one."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from mlkanban.tui.project.record import ProjectRecord
from mlkanban.tui.project.wrapped import RecordLines, hanging

PHASE_WIDTH = 18


def day(moment: datetime) -> str:
    """A local date as the screen shows it: ``Thu 19 Nov 2026``."""
    local = moment.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y}"


class DeliverableChecklist(RecordLines):
    """✓ title, link and date for each deliverable; ☐ and what is expected otherwise."""

    def lines(self, record: ProjectRecord, width: int) -> list[Content]:
        rows: list[Content] = []
        for line in record.phases:
            title = f"{line.phase.title:<{PHASE_WIDTH}}"
            if not line.deliverables:
                head = Content.assemble(("☐ ", "$text-muted"), (title, ""))
                rows += hanging(head, Content.styled(
                    f"expected: {line.phase.info.deliverable}", "$text-muted italic"), width)
                continue
            for n, item in enumerate(line.deliverables):
                head = Content.assemble(("✓ ", "$success bold"),
                                        (title if n == 0 else " " * PHASE_WIDTH, ""))
                text = Content.assemble(
                    (item.title, "bold"),
                    ("  " + item.link if item.link else "", "$text-secondary"),
                    (f"  {day(item.reached_at)}", "$text-muted"),
                )
                rows += hanging(head, text, width)
        return rows
