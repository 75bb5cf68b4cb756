"""``mlkanban serve``: the board in a web browser, behind a token, with no password in sight."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mlkanban.commands.serve import (
    board_command,
    board_url,
    exposure_warning,
    favicon_png,
    is_loopback,
    session_environment,
)
from mlkanban.domain.phases import Phase
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service

START_TIMEOUT = 60.0  # a loaded machine starts a Python process slowly
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
URL = re.compile(r" on (http://\S+) \(Ctrl\+C to stop\)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return process.stdout.read() if process.stdout else ""


class Served:
    """A running ``mlkanban serve``: its process, the lines it printed first, its URL."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.url = ""

    @property
    def token(self) -> str:
        return parse_qs(urlsplit(self.url).query)["token"][0]


def _start(db: str, *args: str, env: dict[str, str] | None = None) -> Served:
    """``mlkanban serve`` on a free port, as alice, the database given in MLKANBAN_DB (so
    that no test's own command line holds it); returns once the server answers."""
    port = _free_port()
    environment = {**os.environ, "MLKANBAN_DB": db, "MLKANBAN_USER": "alice", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "mlkanban", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment,
    )
    server = Served(process, port)
    for line in process.stdout:  # warnings first, then the line with the URL
        server.lines.append(line.rstrip("\n"))
        if found := URL.search(line):
            server.url = found.group(1)
            break
    else:
        pytest.fail(f"the server printed no URL: {server.lines} {_stop(process)}")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return server
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not start: {_stop(process)}")


@pytest.fixture
def served(team, db_path) -> Iterator[Served]:
    """A server for a small board; stopped (and reaped) afterwards."""
    team.add_task("CHURN", "Train LightGBM baseline", Phase.MODELING, owner="alice", estimate=3)
    server = _start(str(db_path))
    try:
        yield server
    finally:
        _stop(server.process)


def _get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


async def _read_board(url: str, *, cookie_from: str | None = None, **headers: str) -> str:
    """What a browser's websocket receives, as text, until the board shows (or it ends)."""
    import aiohttp

    seen = ""
    jar = aiohttp.CookieJar(unsafe=True)  # keep cookies set by an IP address
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        if cookie_from:
            async with session.get(cookie_from) as page:
                assert page.status == 200
        async with session.ws_connect(url, headers=headers) as ws:
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and not ("Research" in seen and "CHURN-1" in seen):
                try:
                    message = await ws.receive(timeout=deadline - time.monotonic())
                except TimeoutError:
                    break
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += ANSI.sub("", message.data.decode("utf-8", "replace"))
                elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    break
    return seen


def _handshake_status(url: str, **headers: str) -> int:
    import aiohttp

    async def connect() -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(url, headers=headers):
                    return 101
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    return asyncio.run(connect())


# ---------------------------------------------------------------- the token


def test_the_printed_url_carries_a_token_and_opens_the_board(served, db_path):
    line = served.lines[-1]
    assert line.startswith(f"Serving the board of {db_path} as alice on ")
    assert served.url.startswith(f"http://127.0.0.1:{served.port}/?token=")
    assert len(served.token) >= 32  # random, from secrets
    status, headers, body = _get(served.url)
    assert status == 200
    page = body.decode("utf-8")
    assert "mlkanban" in page  # the application's name on the page
    assert f"ws://127.0.0.1:{served.port}/ws" in page  # where the browser gets the board
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, _ = _get(f"{served.base}/static/js/textual.js", Cookie=cookie)
    assert status == 200  # the page's own script comes with the cookie
    status, headers, icon = _get(f"{served.base}/favicon.ico", Cookie=cookie)
    assert (status, headers["Content-Type"]) == (200, "image/png")
    assert icon == favicon_png()


def test_every_route_refuses_a_request_without_the_right_token(served):
    for path in ("/", "/ws", "/static/js/textual.js", "/favicon.ico", "/download/x"):
        url = f"{served.base}{path}"
        assert _get(url)[0] == 401, path
        assert _get(f"{url}?token=not-the-token")[0] == 403, path
        assert _get(url, Cookie=f"mlkanban-token-{served.port}=nope")[0] == 403, path
        assert _get(url, Authorization="token nope")[0] == 403, path
        expected = {"/ws": 400, "/download/x": 404}.get(path, 200)  # 400: not a websocket
        assert _get(url, Authorization=f"token {served.token}")[0] == expected, path


def test_a_fresh_token_each_time_unless_one_is_given(team, db_path):
    first = _start(str(db_path))
    _stop(first.process)
    second = _start(str(db_path), env={"MLKANBAN_TOKEN": "our-team-token"})
    try:
        assert second.token == "our-team-token"
        assert second.token != first.token
        assert _get(second.url)[0] == 200
    finally:
        _stop(second.process)


def test_the_websocket_streams_the_board_only_with_the_token(served):
    """Without the token the handshake fails; with it (the cookie the page set, as a
    browser sends it, or the header) the board arrives, acting as the server's person."""
    pytest.importorskip("mlkanban.tui.app", reason="the board app is not built yet")
    ws = f"ws://127.0.0.1:{served.port}/ws?width=160&height=40"
    assert _handshake_status(ws) == 401
    assert _handshake_status(ws, Authorization="token wrong") == 403
    evil = {"Origin": "http://evil.example", "Authorization": f"token {served.token}"}
    assert _handshake_status(ws, **evil) == 403  # another site's page cannot drive it

    text = asyncio.run(_read_board(ws, cookie_from=served.url))
    assert "Research" in text, text[-2000:]
    assert "Modeling" in text
    assert "CHURN-1" in text  # the task in the served database
    assert "@alice" in text  # the header names who the browser acts as

    text = asyncio.run(_read_board(ws, Authorization=f"token {served.token}"))
    assert "CHURN-1" in text


# ---------------------------------------------------------------- no password anywhere


def _children(pid: int) -> set[int]:
    """Every process descended from ``pid``, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _command_lines() -> dict[int, str]:
    lines = {}
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines[int(path.parent.name)] = path.read_bytes().replace(b"\0", b" ").decode(
                "utf-8", "replace")
        except OSError:
            continue
    return lines


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_no_password_in_output_or_on_any_command_line(pg_url, clock):
    """A PostgreSQL URL with a password: the server never prints it, and the browser
    session it spawns gets the URL in its environment, not on its command line."""
    pytest.importorskip("mlkanban.tui.app", reason="the board app is not built yet")
    secret = "pw-9f3c1e77"
    url = pg_url.replace("postgres@", f"postgres:{secret}@")  # the test server trusts anyone
    engine = make_engine(url)
    board = Service(engine, actor="alice", clock=clock)
    board.add_person("alice")
    board.add_project("CHURN", "Churn prediction")
    board.add_task("CHURN", "Train LightGBM baseline", Phase.MODELING, owner="alice")
    engine.dispose()

    server = _start(url)
    try:
        assert "postgresql+psycopg://postgres:***@" in server.lines[-1]
        seen: dict[int, str] = {}

        async def browse() -> str:
            task = asyncio.ensure_future(_read_board(
                f"ws://127.0.0.1:{server.port}/ws?width=160&height=40",
                Authorization=f"token {server.token}"))
            while not task.done():  # look at every process while the session runs
                lines = _command_lines()
                seen.update({pid: lines[pid] for pid in _children(server.process.pid)
                             if pid in lines})
                await asyncio.sleep(0.05)
            return task.result()

        assert "CHURN-1" in asyncio.run(browse())  # the session reached the database
        sessions = [line for line in seen.values() if "-m mlkanban" in line]
        assert sessions, f"no browser session seen among {seen}"
        assert all(line.split() == [sys.executable, "-m", "mlkanban"] for line in sessions
                   if line.startswith(sys.executable))
        everyone = _command_lines()
        assert not [line for line in everyone.values() if secret in line]
        assert not [line for line in seen.values() if secret in line]
    finally:
        output = _stop(server.process)
    assert secret not in "\n".join(server.lines) + output


# ---------------------------------------------------------------- beyond loopback


def test_listening_beyond_loopback_warns(team, db_path):
    server = _start(str(db_path), "--host", "0.0.0.0")
    try:
        warning = next(line for line in server.lines if line.startswith("warning:"))
        assert "every network interface" in warning and "acts as alice" in warning
        assert server.url.startswith(f"http://{socket.gethostname()}:{server.port}/?token=")
        assert _get(f"{server.base}/")[0] == 401  # and the token is still needed
        assert _get(f"{server.base}/?token={server.token}")[0] == 200
    finally:
        _stop(server.process)


def _serve_once(db_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mlkanban", "--db", str(db_path), "--as", "alice", "serve", *args],
        capture_output=True, text=True, timeout=30,
    )


@pytest.mark.parametrize("args", [
    ["--no-token", "--host", "0.0.0.0"],
    ["--no-token", "--host", "::"],
    ["--no-token", "--token", "abc"],
    ["--token", " "],
])
def test_no_token_only_on_loopback(team, db_path, args):
    result = _serve_once(db_path, *args)
    assert result.returncode == 2
    assert result.stderr.startswith("mlkanban: ") and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_no_token_on_loopback_lets_anyone_on_this_machine_in(team, db_path):
    server = _start(str(db_path), "--no-token")
    try:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert _get(server.url)[0] == 200
    finally:
        _stop(server.process)


def test_a_port_in_use_is_one_line(team, db_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _serve_once(db_path, "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.startswith(f"mlkanban: cannot listen on http://127.0.0.1:{port}")
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- the pieces


def test_sessions_get_the_database_and_person_from_their_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert board_command().split() == [sys.executable, "-m", "mlkanban"]
    assert session_environment("my boards/team.db", "josé") == {
        "MLKANBAN_DB": str(tmp_path / "my boards" / "team.db"), "MLKANBAN_USER": "josé"}
    url = "postgresql+psycopg://board:pw@db.example/ml"
    assert session_environment(url, "bob")["MLKANBAN_DB"] == url


def test_urls_for_ipv6_hosts_and_tokens():
    assert board_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert board_url("::1", 8080) == "http://[::1]:8080"
    assert board_url("127.0.0.1", 8000, "a/b+c") == "http://127.0.0.1:8000/?token=a%2Fb%2Bc"
    assert board_url("0.0.0.0", 80, "t") == f"http://{socket.gethostname()}:80/?token=t"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("::1", True), ("localhost", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("10.0.0.1", False),
])
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback
    assert (exposure_warning(host, 8000, "alice") is None) is loopback


def test_the_favicon_is_a_png():
    icon = favicon_png()
    assert icon.startswith(b"\x89PNG\r\n\x1a\n")
    assert icon[12:16] == b"IHDR" and icon[16:24] == (32).to_bytes(4, "big") * 2
    assert icon.endswith(b"IEND\xaeB`\x82")
