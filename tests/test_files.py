"""Files on disk: private databases and backups, reading never creates a board, and a
config file that is not there (or not a file, or not right) is one line, exit 2."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mlkanban.commands.common import AppContext
from mlkanban.config import load_settings
from mlkanban.domain.errors import BadInput
from mlkanban.store.engine import make_engine
from mlkanban.store.service import Service
from tests.helpers import run_cli
from tests.test_schema import _first_version_database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The common umask (022), under which a file is world-readable unless made private."""
    old = os.umask(0o022)
    yield
    os.umask(old)


# ---------------------------------------------------------------- private files


def test_a_new_board_is_private_in_a_private_directory(tmp_path, clock, open_umask):
    path = tmp_path / "data" / "mlkanban" / "board.db"
    result = run_cli(path, clock, "person", "add", "alice")
    assert result.exit_code == 0, result.output
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    engine = make_engine(str(path))
    with engine.connect() as conn:  # while a connection is open its WAL files exist
        conn.exec_driver_sql("SELECT count(*) FROM person").scalar_one()
        for companion in (path.with_name("board.db-wal"), path.with_name("board.db-shm")):
            assert mode(companion) == 0o600
    engine.dispose()


def test_an_existing_directory_keeps_its_mode(tmp_path, clock, open_umask):
    (tmp_path / "shared").mkdir(mode=0o755)
    run_cli(tmp_path / "shared" / "board.db", clock, "person", "add", "alice")
    assert mode(tmp_path / "shared") == 0o755  # not ours to change
    assert mode(tmp_path / "shared" / "board.db") == 0o600


@pytest.mark.parametrize("original", [0o600, 0o640])
def test_a_backup_before_a_migration_keeps_the_original_mode(tmp_path, clock, open_umask,
                                                             original):
    path = tmp_path / "old.db"
    _first_version_database(path)
    path.chmod(original)
    Service(make_engine(str(path)), actor="alice", clock=clock)
    (backup,) = tmp_path.glob("old.db.bak-0001-*")
    assert mode(backup) == original
    assert mode(path) == original


# ---------------------------------------------------------------- reading creates nothing


@pytest.mark.parametrize("args", [
    ["ls"], ["show", "CHURN-1"], ["report"], ["export"], ["info"], ["person", "ls"],
    ["project", "ls"], ["project", "show", "CHURN"],
])
def test_reading_a_missing_board_creates_nothing(tmp_path, clock, args):
    path = tmp_path / "typo" / "boards" / "board.db"
    result = run_cli(path, clock, *args)
    assert result.exit_code == 2
    assert result.stderr == f"mlkanban: no board at {path}; `mlkanban person add` creates one\n"
    assert list(tmp_path.iterdir()) == []  # not even the directory


def test_a_missing_board_named_by_url_is_the_same(tmp_path, clock):
    path = tmp_path / "nowhere.db"
    result = run_cli(f"sqlite:///{path}", clock, "ls")
    assert (result.exit_code, path.exists()) == (2, False)


def test_writing_and_the_board_create_the_database(tmp_path, clock):
    path = tmp_path / "new" / "board.db"
    assert run_cli(path, clock, "person", "add", "alice").exit_code == 0
    assert path.exists()
    other = tmp_path / "board" / "board.db"
    _ = AppContext(db=str(other), actor="alice", clock=clock).service  # what the board opens
    assert other.exists()


# ---------------------------------------------------------------- the config file


def _ls(tmp_path, clock, monkeypatch, config: str):
    monkeypatch.setenv("MLKANBAN_CONFIG", config)
    return run_cli(tmp_path / "board.db", clock, "person", "ls")


def test_a_config_file_named_but_missing_is_one_line(tmp_path, clock, monkeypatch):
    missing = tmp_path / "confg.toml"
    result = _ls(tmp_path, clock, monkeypatch, str(missing))
    assert result.exit_code == 2
    assert result.stderr == f"mlkanban: MLKANBAN_CONFIG names {missing}, which does not exist\n"
    assert not (tmp_path / "board.db").exists()


def test_a_config_directory_is_one_line(tmp_path, clock, monkeypatch):
    result = _ls(tmp_path, clock, monkeypatch, str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"mlkanban: config file {tmp_path} is a directory, not a file\n"


@pytest.mark.parametrize(("text", "message"), [
    ("holiday = []\n", "unknown setting 'holiday'; did you mean holidays?"),
    ("colour = 'red'\n", "unknown setting 'colour' (known: db, user, holidays"),
    ("db = \n", "Invalid value"),
    ("poll_seconds = 'often'\n", "poll_seconds:"),
])
def test_config_problems_are_one_line(tmp_path, clock, monkeypatch, text, message):
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    result = _ls(tmp_path, clock, monkeypatch, str(config))
    assert result.exit_code == 2
    assert result.stderr.startswith("mlkanban: ") and result.stderr.count("\n") == 1
    assert message in result.stderr


def test_an_unreadable_config_is_one_line(tmp_path, clock, monkeypatch):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    config = tmp_path / "config.toml"
    config.write_text("db = 'x.db'\n", encoding="utf-8")
    config.chmod(0)
    result = _ls(tmp_path, clock, monkeypatch, str(config))
    assert result.exit_code == 2 and "Permission denied" in result.stderr


def test_the_default_config_may_be_absent_and_an_empty_one_is_the_defaults(
        tmp_path, monkeypatch):
    monkeypatch.delenv("MLKANBAN_CONFIG")
    assert load_settings() == load_settings(Path(os.devnull))
    with pytest.raises(BadInput, match="is a directory"):
        load_settings(tmp_path)
