"""Add a person (a swimlane) or change their name and WIP limit, from the board.

The fields are checked with the same rules, and worded with the same messages, as
``mlkanban person add``; the service checks again when the board saves.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label

from mlkanban.domain.errors import BadInput
from mlkanban.store import validate
from mlkanban.store.views import PersonView
from mlkanban.tui.project.dialog import FormDialog


@dataclass(frozen=True)
class PersonForm:
    """What the person dialog returns."""

    handle: str
    name: str
    wip_limit: int


def parse_wip_limit(text: str) -> int:
    """The WIP limit typed; empty means the default of 1."""
    text = text.strip()
    if not text:
        return 1
    try:
        value = int(text)
    except ValueError:
        raise BadInput(f"a WIP limit must be a whole number, not {text!r}") from None
    return validate.wip_limit(value)


class PersonFormScreen(FormDialog[PersonForm]):
    """A new person (``person`` is None) or an existing one's name and WIP limit."""

    def __init__(self, person: PersonView | None = None, *, handle: str = "") -> None:
        super().__init__()
        self.person = person
        self.suggested = handle
        """The handle to offer for a new person (the acting one, not on the board yet)."""
        self.heading = f"Edit @{person.handle}" if person else "Add a person"
        self.explanation = (
            "Each person is a swimlane. The WIP limit is how many tasks they may have "
            "in progress at once (1 unless there is a reason)."
        )

    def fields(self) -> ComposeResult:
        person = self.person
        with Horizontal(classes="field-row"):
            with Vertical():
                yield Label("Handle (lower case, e.g. alice)", classes="field-label")
                yield Input(person.handle if person else self.suggested, id="handle",
                            placeholder="alice", disabled=person is not None)
            with Vertical():
                yield Label("Display name", classes="field-label")
                yield Input(person.name if person else "", id="name",
                            placeholder="Alice Martin")
        yield Label("WIP limit (tasks in progress at once)", classes="field-label")
        yield Input(str(person.wip_limit) if person else "1", id="wip", placeholder="1",
                    classes="wip-limit")

    def on_mount(self) -> None:
        self.query_one("#name" if self.person else "#handle", Input).focus()

    def collect(self) -> PersonForm:
        handle = validate.handle(self.query_one("#handle", Input).value)
        name = validate.text(self.query_one("#name", Input).value, "name")
        limit = parse_wip_limit(self.query_one("#wip", Input).value)
        return PersonForm(handle, name or handle, limit)
