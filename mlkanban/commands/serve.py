"""``mlkanban serve``: the board in a web browser, through textual-serve.

Each browser tab runs its own ``python -m mlkanban`` on the same database, so the
board in the browser and the one in a terminal follow each other's changes.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from mlkanban.commands.common import AppContext, pass_app
from mlkanban.domain.errors import BadInput


def board_command(db: str, actor: str) -> str:
    """The shell command each browser session runs: this interpreter, this database."""
    if "://" not in db:
        db = str(Path(db).expanduser().resolve())
    return shlex.join([sys.executable, "-m", "mlkanban", "--db", db, "--as", actor])


def board_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 shares the board with the whole network.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@pass_app
def serve(app: AppContext, host, port) -> None:
    """Serve the board in a web browser (Ctrl+C to stop)."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise BadInput("serving needs textual-serve: pip install textual-serve") from None

    class BoardServer(Server):
        async def on_startup(self, _app) -> None:
            click.echo(f"Serving the board of {app.db} on {self.public_url} (Ctrl+C to stop)")

    db = app.db
    _ = app.service  # opens (and migrates) the database: a bad one fails here, not in a browser
    url = board_url(host, port)
    server = BoardServer(
        board_command(db, app.actor), host=host, port=port, title="mlkanban", public_url=url
    )
    try:
        server.serve()
    except OSError as exc:
        raise BadInput(f"cannot listen on {url}: {exc.strerror or exc}") from None


COMMANDS = [serve]
