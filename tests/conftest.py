"""Shared fixtures: a fixed clock, isolated settings, and databases from memory to file.

Every test runs with no user config and no user environment leaking in, in a fixed
timezone, so that dates and working days are the same on every machine.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest

from mlkanban.domain.clock import FixedClock
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service

pytest_plugins = ["tests.pgserver"]

#: Monday 23 November 2026, 10:00 UTC — every test's "now" unless it says otherwise.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="session")
def _fixed_timezone():
    """Local time is UTC in tests, so ``--at`` and working days never depend on the host."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory):
    """No real user config, database or identity reaches a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    config = home / "config" / "none.toml"  # an empty config file: the defaults
    config.parent.mkdir()
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("MLKANBAN_CONFIG", str(config))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("MLKANBAN_CACHE_DIR", str(home / "cache" / "mlkanban"))
    monkeypatch.delenv("MLKANBAN_DB", raising=False)
    monkeypatch.setenv("MLKANBAN_USER", "tester")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "board.db"


@pytest.fixture
def engine(db_path):
    engine = make_engine(str(db_path))
    yield engine
    engine.dispose()


@pytest.fixture
def service(engine, clock) -> Service:
    return Service(engine, actor="alice", clock=clock)


@pytest.fixture
def team(service: Service) -> Service:
    """Two people and one project: the smallest board on which the rules bite."""
    service.add_person("alice", name="Alice Martin")
    service.add_person("bob", name="Bob Chen", wip_limit=2)
    service.add_project("CHURN", "Churn prediction", hypothesis="Usage drops predict churn")
    return service


@pytest.fixture
def zone(request):
    """Local time set to ``request.param`` (parametrize ``zone`` with zone names), then
    back to the tests' UTC."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    os.environ["TZ"] = old or "UTC"
    time.tzset()
