"""``mlkanban serve``: the board in a web browser, through textual-serve, behind a token.

Each browser tab runs its own ``python -m mlkanban`` on the same database, so the
board in the browser and one in a terminal follow each other's changes. The sessions
learn the database and the acting person from their environment, which only their
owner can read, never from their command line, which ``ps`` shows to every user of
the machine (a PostgreSQL URL may hold a password).

Every request needs the token the printed URL carries (as Jupyter does): in the
``token`` query parameter, an ``Authorization: token ...`` header, or the cookie the
page sets on the first visit, which the browser then sends with the websocket.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import shlex
import socket
import struct
import sys
import zlib
from pathlib import Path
from urllib.parse import quote, urlsplit

import click

from mlkanban.commands.common import AppContext, pass_app
from mlkanban.domain.errors import BadInput

#: Where sessions find the database and the acting person (see ``config``).
DB_VARIABLE = "MLKANBAN_DB"
USER_VARIABLE = "MLKANBAN_USER"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def board_command() -> str:
    """The shell command each browser session runs: this interpreter, no arguments (the
    database and the person come from ``session_environment``)."""
    return shlex.join([sys.executable, "-m", "mlkanban"])


def session_environment(db: str, actor: str) -> dict[str, str]:
    """The variables that tell each session which board to open, as whom."""
    if "://" not in db:
        db = str(Path(db).expanduser().resolve())
    return {DB_VARIABLE: db, USER_VARIABLE: actor}


def board_url(host: str, port: int, token: str | None = None) -> str:
    """The URL to open: a wildcard host is named by this machine's name."""
    if host in WILDCARD_HOSTS:
        host = socket.gethostname()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    return f"{url}/?token={quote(token, safe='')}" if token else url


def is_loopback(host: str) -> bool:
    """Whether ``host`` only ever means this machine (127.0.0.1, ::1, localhost)."""
    if host in WILDCARD_HOSTS:
        return False
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return bool(found) and all(
        ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in found
    )


def exposure_warning(host: str, port: int, actor: str) -> str | None:
    """What to tell the person serving when others on the network can reach the port."""
    if is_loopback(host):
        return None
    where = "every network interface" if host in WILDCARD_HOSTS else host
    return (
        f"warning: listening on {where}, beyond this machine: anyone who can reach port "
        f"{port} and has the token acts as {actor} on this board. Share the URL only with "
        "your team, or serve on 127.0.0.1 behind an SSH tunnel."
    )


def token_matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def favicon_png(size: int = 32) -> bytes:
    """The tab's icon: three columns of cards on the page's dark blue, as a PNG."""
    background, column = (12, 24, 31), (33, 58, 74)
    cards = [(94, 150, 214), (240, 178, 62), (96, 190, 120)]
    heights = (3, 2, 1)  # cards per column: work flowing to the right
    rows = []
    for y in range(size):
        row = bytearray([0])  # PNG filter: none
        for x in range(size):
            colour = background
            col, offset = divmod(x - 3, 9)
            if 0 <= col < 3 and offset < 8 and 3 <= y < size - 3:
                colour = column
                slot, line = divmod(y - 5, 6)
                if 0 <= slot < heights[col] and line < 5 and 1 <= offset < 7:
                    colour = cards[col]
            row.extend(colour)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def make_server(*, host: str, port: int, token: str | None, banner: str):
    """A textual-serve server for the board, every route behind ``token`` (if any)."""
    from aiohttp import web
    from textual_serve.server import Server

    cookie = f"mlkanban-token-{port}"
    icon = favicon_png()

    @web.middleware
    async def require_token(request: web.Request, handler):
        if token is None:
            return await handler(request)
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        given = (request.query.get("token") or (value if scheme.lower() == "token" else None)
                 or request.cookies.get(cookie))
        if given is None:
            raise web.HTTPUnauthorized(
                text="This board needs its token: open the URL that `mlkanban serve` printed.\n"
            )
        if not token_matches(given, token):
            raise web.HTTPForbidden(text="Wrong token for this board.\n")
        if request.path == "/ws":
            origin = request.headers.get("Origin")
            if origin and urlsplit(origin).netloc != request.host:
                raise web.HTTPForbidden(text="The websocket opens only from the board's page.\n")
            if request.headers.get("Upgrade", "").lower() != "websocket":
                raise web.HTTPBadRequest(text="This is the board's websocket, for its page.\n")
        response = await handler(request)
        if request.query.get("token") and request.path == "/":
            response.set_cookie(cookie, token, httponly=True, samesite="Strict", path="/")
        return response

    class BoardServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(require_token)
            app.router.add_get("/favicon.ico", self.handle_favicon)
            return app

        async def handle_favicon(self, _request: web.Request) -> web.Response:
            return web.Response(body=icon, content_type="image/png",
                                headers={"Cache-Control": "max-age=86400"})

        async def handle_index(self, request: web.Request):
            # The page tells the browser where its websocket is: at the address the
            # browser came by (a LAN name, 127.0.0.1...), whatever the listening host.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, _app) -> None:
            click.echo(banner, err=False)

    return BoardServer(board_command(), host=host, port=port, title="mlkanban")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 shares the board with the whole network.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", envvar="MLKANBAN_TOKEN", show_envvar=True,
              help="The token the URL must carry (default: a new random one each time).")
@click.option("--no-token", is_flag=True,
              help="Let anyone who reaches the port in, without a token (loopback hosts only).")
@pass_app
def serve(app: AppContext, host, port, token, no_token) -> None:
    """Serve the board in a web browser, behind a token (Ctrl+C to stop).

    Every browser session acts as the person serving (--as or MLKANBAN_USER).
    """
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        raise BadInput("serving needs textual-serve: pip install textual-serve") from None
    if no_token and token:
        raise BadInput("--token and --no-token contradict each other; give one")
    if no_token and not is_loopback(host):
        raise BadInput(
            f"--no-token needs a loopback --host (127.0.0.1, ::1 or localhost), not {host}: "
            "anyone on the network could change the board"
        )
    if token is not None and not token.strip():
        raise BadInput("--token is empty; give one, or leave it out for a random one")
    token = None if no_token else (token or secrets.token_urlsafe(24))
    actor, db = app.actor, app.db
    service = app.service  # opens (and migrates) the database: a bad one fails here
    from mlkanban.commands.data import shown_database

    url = board_url(host, port, token)
    banner = f"Serving the board of {shown_database(db)} as {actor} on {url} (Ctrl+C to stop)"
    warning = exposure_warning(host, port, actor)
    if warning:
        click.secho(warning, fg="yellow", err=True)
    if not any(person.handle == actor for person in service.people()):
        click.secho(f"note: {actor} is not a person on this board; the browser can look but "
                    f"not change anything (mlkanban person add {actor})", fg="yellow", err=True)
    os.environ.update(session_environment(db, actor))
    server = make_server(host=host, port=port, token=token, banner=banner)
    try:
        server.serve()
    except OSError as exc:
        raise BadInput(f"cannot listen on {board_url(host, port)}: {exc.strerror or exc}") from None


COMMANDS = [serve]
