"""Every done and dropped task, newest first, to find one and put it back on the board.

The board shows done cards for a week and never shows dropped ones; this list holds all
of them (the board reads them in a worker and hands them over). Typing filters the
list; Enter reopens the highlighted task (back to to do, in the same phase and lane).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from mlkanban.domain.statuses import Status
from mlkanban.store.views import TaskView


def _when(task: TaskView) -> str:
    moment = task.done_at if task.status is Status.DONE and task.done_at else task.status_at
    return f"{moment.astimezone():%d %b %Y}"


def row(task: TaskView) -> Text:
    """One line: mark, key, title, then status, date, owner and phase (dimmed)."""
    owner = f"@{task.owner}" if task.owner else "unassigned"
    why = f" — {task.reason}" if task.status is Status.DROPPED and task.reason else ""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{task.status.marker} ", "bold")
    text.append(f"{task.key:<10} ", "bold")
    text.append(task.title)
    text.append(f"   {task.status.label} {_when(task)} · {owner} · {task.phase.title}{why}",
                "dim")
    return text


class ClosedTasksScreen(ModalScreen[str | None]):
    """Returns the key of the task to reopen, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="closed.close", tooltip="Back to the board"),
        Binding("down", "cursor(1)", "Next", show=False, id="closed.down",
                tooltip="The next task in the list"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="closed.up",
                tooltip="The previous task in the list"),
    ]

    def __init__(self, tasks: list[TaskView], *, focus: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.tasks = sorted(tasks, key=_recency, reverse=True)
        self.wanted = focus

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="closed-tasks"):
            yield Label(f"Done and dropped tasks ({len(self.tasks)})", classes="dialog-title")
            yield Input(placeholder="type to find: key, title, @owner, phase, reason",
                        id="closed-filter")
            yield OptionList(id="closed-list")
            yield Static("Enter reopens the highlighted task (back to to do); "
                         "Esc goes back to the board.", classes="dialog-explanation")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#closed-filter", Input).focus()

    def shown(self) -> list[str]:
        """Keys of the tasks listed, in order."""
        options = self.query_one("#closed-list", OptionList).options
        return [str(option.id) for option in options if option.id]

    def _fill(self, text: str) -> None:
        terms = text.lower().split()
        listed = self.query_one("#closed-list", OptionList)
        listed.clear_options()
        matching = [t for t in self.tasks if all(term in _haystack(t) for term in terms)]
        if matching:
            listed.add_options(Option(row(task), id=task.key) for task in matching)
            keys = [task.key for task in matching]
            listed.highlighted = keys.index(self.wanted) if self.wanted in keys else 0
        else:
            what = f" matches «{text.strip()}»" if terms else " is done or dropped yet"
            listed.add_option(Option(f"No task{what}.", disabled=True))

    @on(Input.Changed, "#closed-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_cursor(self, step: int) -> None:
        listed = self.query_one("#closed-list", OptionList)
        listed.action_cursor_down() if step > 0 else listed.action_cursor_up()

    @on(Input.Submitted, "#closed-filter")
    def _submitted(self) -> None:
        listed = self.query_one("#closed-list", OptionList)
        if listed.highlighted is not None:
            option = listed.get_option_at_index(listed.highlighted)
            if option.id:
                self.dismiss(str(option.id))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(str(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _recency(task: TaskView):
    return task.done_at if task.status is Status.DONE and task.done_at else task.status_at


def _haystack(task: TaskView) -> str:
    owner = f"@{task.owner}" if task.owner else "@unassigned"
    return " ".join((task.key, task.title, owner, task.phase.value, task.phase.title,
                     task.status.label, task.reason or "")).lower()
