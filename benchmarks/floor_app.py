"""The floor of the board's first paint: a bare Textual app that shows one label.

    python benchmarks/floor_app.py [--sqlmodel]

``--sqlmodel`` imports sqlmodel first, as every board paid for until now.
"""

import sys

if "--sqlmodel" in sys.argv:
    import sqlmodel  # noqa: F401

from textual.app import App, ComposeResult
from textual.widgets import Label

MARKER = "mlkanban floor"


class Floor(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(MARKER)


if __name__ == "__main__":
    Floor().run()
