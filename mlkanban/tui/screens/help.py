"""Help: the keys, generated from the live bindings (so a remapped key shows as
remapped), and what the marks on a card mean."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from mlkanban.domain.statuses import Status


@dataclass(frozen=True)
class KeyHelp:
    """One key of the help: what it does and where."""

    keys: str
    description: str
    tooltip: str
    section: str = ""
    id: str = ""


LEGEND = [
    (f"{Status.IN_PROGRESS.marker}", "in progress (counts toward the WIP limit)"),
    (f"{Status.WAITING.marker}", "waiting on something outside your control (does not count)"),
    (f"{Status.TODO.marker}", "to do"),
    (f"{Status.DONE.marker}", "done in the last 7 days; older ones fold into a count"),
    ("2/3d", "age / estimate, in working days (· not started, ? no estimate)"),
    ("⚠", "over size: in progress longer than its estimate or 5 working days"),
    ("⚑", "started past the WIP limit (the reason is in its history)"),
]


KEYS_WIDTH = 14
NAME_WIDTH = 13
ID_WIDTH = 22

SECTIONS = {
    "board": "The focused card",
    "screen": "This screen",
    "cursor": "Moving around",
    "app": "Anywhere",
}


def key_help(bindings: list[tuple[Binding, str, str]]) -> list[KeyHelp]:
    """One row per action with an id: its keys as displayed, what it does and why.

    ``bindings`` are (binding, key as displayed, section) in the order to show."""
    rows: dict[tuple[str, str], KeyHelp] = {}
    for binding, display, section in bindings:
        if not binding.description or not binding.id:
            continue
        ident = (binding.action, binding.description)
        row = rows.get(ident)
        if row is None:
            rows[ident] = KeyHelp(display, binding.description, binding.tooltip, section,
                                  binding.id)
        elif display not in row.keys.split(" "):
            rows[ident] = KeyHelp(f"{row.keys} {display}", row.description, row.tooltip,
                                  row.section, row.id)
    order = list(SECTIONS)
    return sorted(rows.values(), key=lambda row: order.index(row.section)
                  if row.section in order else len(order))


class HelpScreen(ModalScreen[None]):
    """The keys of the board and the legend of its cards."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close",
                tooltip="Close the help"),
    ]

    def __init__(self, keys: list[KeyHelp]) -> None:
        super().__init__(classes="dialog")
        self.keys = keys

    def compose(self) -> ComposeResult:
        narrow = self.app.size.width < 110
        legend = Table.grid(padding=(0, 2), expand=True)
        legend.add_column(style="bold", no_wrap=True, width=10 if narrow else KEYS_WIDTH)
        legend.add_column(ratio=1)
        for mark, meaning in LEGEND:
            legend.add_row(Text(mark), meaning)
        with Vertical(id="dialog", classes="help -narrow" if narrow else "help"), \
                VerticalScroll():
            for section, title in SECTIONS.items():
                rows = [row for row in self.keys if row.section == section]
                if rows:
                    yield Label(title, classes="dialog-title")
                    yield Static(self._table(rows, narrow=narrow), classes="keys")
            yield Label("On a card", classes="dialog-title")
            yield Static(legend, classes="keys")
            yield Static(
                "ctrl+p opens the command palette (every action, and every task by key). "
                "Keys can be remapped in the config file by their ids (dimmed), "
                f'e.g. [keymap] "board.done" = "D". {self.key_note}',
                classes="dialog-explanation", markup=False,
            )

    key_note = "A key bound twice, or an unknown id, is reported when the board opens."

    @staticmethod
    def _table(rows: list[KeyHelp], *, narrow: bool) -> Table:
        """Keys, name, why and id in the same columns in every section; narrow
        terminals put the id under the explanation, which wraps."""
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(style="bold", no_wrap=True, width=10 if narrow else KEYS_WIDTH)
        table.add_column(no_wrap=True, width=NAME_WIDTH)
        table.add_column(ratio=1)
        if not narrow:
            table.add_column(style="dim", no_wrap=True, width=ID_WIDTH)
        for row in rows:
            if narrow:
                why = Text(row.tooltip)
                why.append(f"\n{row.id}", "dim")
                table.add_row(row.keys, row.description, why)
            else:
                table.add_row(row.keys, row.description, row.tooltip, row.id)
        return table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
