"""A throwaway PostgreSQL server for the tests, from the distribution's binaries.

Each test process starts its own server on first use (so every pytest-xdist worker has
one), on a free port of 127.0.0.1, with durability off because nothing in it has to
survive; it is stopped and deleted when the session ends. Every test starts from an
empty database, so tests never see each other's rows.

Without PostgreSQL binaries the tests that need them are skipped, except under CI
(the ``CI`` environment variable), where they fail: CI must never skip them silently.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest

from mlkanban.store.engine import make_engine

#: The database the tests use; emptied before each test.
DATABASE = "mlkanban_test"

SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` (Debian), else ``initdb`` on the PATH."""
    found = [Path(p) for p in glob("/usr/lib/postgresql/*/bin") if Path(p, "initdb").exists()]
    if found:
        return max(found, key=lambda p: _version_key(p.parent.name))
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in a temporary directory, run by the ``postgres`` user."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = 0
        # PostgreSQL refuses to run as root; as root we hand the cluster to `postgres`.
        self._as_postgres = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="mlkanban-pg-"))
        if self._as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        return subprocess.run(  # from a directory the server's user may enter
            [*prefix, *args], cwd=self.root, capture_output=True, text=True, check=False,
            timeout=120,
        )

    def _check(self, result: subprocess.CompletedProcess, what: str) -> None:
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{what} failed:\n{result.stdout}{result.stderr}{tail}")

    def start(self) -> None:
        initdb = self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync",
        )
        self._check(initdb, "initdb")
        for attempt in range(5):  # another process may take the free port first
            self.port = free_port()
            options = " ".join(
                f"-c {name}={value}"
                for name, value in {
                    **SERVER_SETTINGS, "port": self.port, "unix_socket_directories": self.root,
                }.items()
            )
            started = self._run(
                str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data),
                "-l", str(self.root / "server.log"), "-o", options,
            )
            if started.returncode == 0:
                break
            if attempt == 4:
                self._check(started, "pg_ctl start")
        self.execute(f"CREATE DATABASE {DATABASE}")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bindir / "pg_ctl"), "stop", "-m", "immediate", "-w",
                          "-D", str(self.data))
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> object:
        """Run SQL as the superuser, outside a transaction; the first value it returns."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        ) as conn:
            cursor = conn.execute(sql)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None

    def empty_database(self) -> str:
        """The test database, emptied (ten times faster than a new one); its URL."""
        self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{DATABASE}' AND pid <> pg_backend_pid()"
        )
        self.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public", DATABASE)
        return self.url()


def pytest_collection_modifyitems(items) -> None:
    """Mark every test that needs the server, so ``-m "not postgres"`` leaves them out."""
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A running server for this test process (started on first use)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    bindir = find_bindir()
    if bindir is None:
        _unavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
    server = PgServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of an empty database for this test alone."""
    return pg_server.empty_database()


@pytest.fixture
def pg_engine(pg_url: str):
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_engine(request, tmp_path):
    """An engine on an empty database, once on SQLite and once on PostgreSQL.

    A test module opts in by overriding ``engine`` with this fixture.
    """
    if request.param == "sqlite":
        engine = make_engine(str(tmp_path / "board.db"))
    else:
        engine = make_engine(request.getfixturevalue("pg_url"))
    yield engine
    engine.dispose()
