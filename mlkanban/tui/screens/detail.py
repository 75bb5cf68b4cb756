"""One task: its fields, and its history timeline as recorded in events."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from mlkanban.domain.text import plural, terminal_safe
from mlkanban.history.describe import describe_event
from mlkanban.store.board import Card
from mlkanban.store.views import EventView
from mlkanban.tui.widgets.card_text import age_text
from mlkanban.tui.widgets.key_bar import KeyBar


def _when(moment) -> str:
    return moment.astimezone().strftime("%a %Y-%m-%d %H:%M") if moment else "—"


class TaskDetailScreen(Screen[str | None]):
    """Returns ``"edit"`` when the user asks to edit the task, else None."""

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="detail.close", tooltip="Back to the board"),
        Binding("e", "edit", "Edit", id="detail.edit", tooltip="Edit this task"),
    ]

    def __init__(self, card: Card, events: list[EventView]) -> None:
        super().__init__()
        self.card = card
        self.events = events

    def fields(self) -> Table:
        task = self.card.task
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        status = Text(f"{task.status.marker} {task.status.label}")
        if task.reason:
            status.append(f" — {terminal_safe(task.reason)}")
        rows = [
            ("Status", status),
            ("Project", task.project),
            ("Phase", f"{task.phase.title}  ({task.phase.info.deliverable})"),
            ("Owner", f"@{task.owner}" if task.owner else "unassigned"),
            ("Estimate", plural(task.estimate, "working day") if task.estimate else "unknown"),
            ("Age", plural(self.card.age, "working day") if self.card.age else "not started"),
            ("Created", _when(task.created_at)),
            ("Started", _when(task.started_at)),
            ("Done", _when(task.done_at)),
        ]
        if self.card.over_size:
            rows.append(("Flag", Text("⚠ over size: split it or finish it", style="bold")))
        if task.wip_override:
            rows.append(("WIP override", terminal_safe(task.wip_override)))
        if task.jira_key:
            rows.append(("Jira", task.jira_key))
        if task.parent:
            rows.append(("Parent", task.parent))
        if task.labels:
            rows.append(("Labels", " ".join(f"#{label}" for label in task.labels)))
        for name, value in rows:
            table.add_row(name, value if isinstance(value, Text) else Text(str(value)))
        return table

    def timeline(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="dim")
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for event in self.events:
            if event.kind != "commented":
                table.add_row(_when(event.at), terminal_safe(event.actor),
                              Text(terminal_safe(describe_event(event))))
        return table

    def comments(self) -> Table:
        """Comments (imported from Jira) in full: who, when, what."""
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="dim")
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for event in self.events:
            if event.kind == "commented":
                table.add_row(_when(event.at), terminal_safe(event.actor),
                              Text(terminal_safe(event.new or "", multiline=True)))
        return table

    def compose(self) -> ComposeResult:
        task = self.card.task
        with VerticalScroll(id="detail"):
            yield Label(f"{task.key}  {terminal_safe(task.title)}  ({age_text(self.card)})",
                        id="detail-title", markup=False)
            if task.description:
                yield Static(terminal_safe(task.description, multiline=True),
                             id="detail-description", markup=False)
            yield Static(self.fields(), id="detail-fields")
            yield Label(f"History ({plural(len(self.events), 'event')})", classes="section-title")
            yield Static(self.timeline(), id="detail-history")
            comments = sum(1 for event in self.events if event.kind == "commented")
            if comments:
                yield Label(f"Comments ({comments})", classes="section-title")
                yield Static(self.comments(), id="detail-comments")
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        self.dismiss("edit")
