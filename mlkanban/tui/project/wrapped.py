"""Widgets that lay a record out as lines, wrapping long text under its own column."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from mlkanban.tui.project.record import ProjectRecord


def hanging(head: Content, text: Content, width: int, *, indent: Content | None = None
            ) -> list[Content]:
    """``head`` then ``text``; lines after the first start under the text (after
    ``indent`` when given, e.g. a timeline's rail)."""
    room = max(width - head.cell_length, 10)
    pieces = text.wrap(room) or [Content("")]
    pad = indent.pad_right(head.cell_length - indent.cell_length) if indent else Content(
        " " * head.cell_length)
    return [head + pieces[0]] + [pad + piece for piece in pieces[1:]]


class RecordLines(Widget):
    """Shows ``lines(width)`` of the current record; its height follows the wrapping."""

    DEFAULT_CSS = """
    RecordLines { height: auto; }
    """

    record: reactive[ProjectRecord | None] = reactive(None, layout=True)

    def lines(self, record: ProjectRecord, width: int) -> list[Content]:
        raise NotImplementedError

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.lines(self.record, width)) if self.record else 1

    def render(self) -> Content:
        if self.record is None:
            return Content.styled("Loading…", "$text-muted")
        return Content("\n").join(self.lines(self.record, self.size.width))
