"""``mlkanban serve``: the board in a web browser, on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkanban.commands.serve import board_command, board_url
from mlkanban.domain.phases import Phase

START_TIMEOUT = 20.0
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mlkanban(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "mlkanban", "--db", str(db), "--as", "alice", *args]


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
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.first_line = ""


@pytest.fixture
def served(team, db_path) -> Iterator[Served]:
    """A server on a free port for a small board; stopped (and reaped) afterwards."""
    team.add_task("CHURN", "Train LightGBM baseline", Phase.MODELING, owner="alice", estimate=3)
    port = _free_port()
    process = subprocess.Popen(
        _mlkanban(db_path, "serve", "--port", str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy(),
    )
    server = Served(process, port)
    try:
        server.first_line = process.stdout.readline()  # printed once it listens
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(server.url, timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the server did not start: {_stop(process)}")
        yield server
    finally:
        _stop(process)


def test_the_page_is_served_on_localhost(served):
    assert served.first_line.startswith("Serving the board of ")
    assert served.first_line.rstrip().endswith(f"on {served.url} (Ctrl+C to stop)")
    with urllib.request.urlopen(served.url, timeout=5) as response:
        assert response.status == 200
        page = response.read().decode("utf-8")
    assert "mlkanban" in page  # the application's name on the page
    assert f"ws://127.0.0.1:{served.port}/ws" in page  # where the browser gets the board
    with urllib.request.urlopen(f"{served.url}/static/js/textual.js", timeout=5) as response:
        assert response.status == 200


def test_the_browser_session_runs_the_board(served):
    """The websocket a browser opens streams this database's board: columns and a card."""
    pytest.importorskip("mlkanban.tui.app", reason="the board app is not built yet")
    import aiohttp

    async def read_board() -> str:
        seen = ""
        url = f"ws://127.0.0.1:{served.port}/ws?width=160&height=40"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
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

    text = asyncio.run(read_board())
    assert "Research" in text
    assert "Modeling" in text
    assert "CHURN-1" in text  # the task in the served database


def test_a_port_in_use_is_one_line(team, db_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            _mlkanban(db_path, "serve", "--port", str(port)),
            capture_output=True, text=True, timeout=30,
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"mlkanban: cannot listen on http://127.0.0.1:{port}")
    assert "Traceback" not in result.stderr


def test_the_served_command_uses_the_same_database_and_person(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    command = shlex.split(board_command("my boards/team.db", "josé"))
    assert command == [sys.executable, "-m", "mlkanban", "--db",
                       str(tmp_path / "my boards" / "team.db"), "--as", "josé"]
    url = "postgresql+psycopg://board@db.example/ml"
    assert shlex.split(board_command(url, "bob"))[4] == url


def test_urls_for_ipv6_hosts():
    assert board_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert board_url("::1", 8080) == "http://[::1]:8080"
