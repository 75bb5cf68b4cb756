"""The config file: read when there is one, validated, and a bad one is one line."""

from __future__ import annotations

import pytest

from mlkanban.config import Settings, load_settings
from mlkanban.domain.errors import BadInput


def test_no_file_gives_the_defaults(tmp_path):
    assert load_settings(tmp_path / "missing.toml") == Settings()


def test_a_file_is_read_and_its_values_converted(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('db = "team.db"\nholidays = ["2026-12-25", 2026-12-26]\n'
                    'keymap = {"board.start" = "S"}\npoll_seconds = 2\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.db == "team.db"
    assert [str(day) for day in settings.holidays] == ["2026-12-25", "2026-12-26"]
    assert settings.keymap == {"board.start": "S"}
    assert settings.poll_seconds == 2.0


@pytest.mark.parametrize(("text", "where"), [
    ('holidays = ["christmas"]\n', "holidays.0"),
    ('poll_seconds = "often"\n', "poll_seconds"),
    ("keymap = [1, 2]\n", "keymap"),
    ('keymap = {"board.start" = 5}\n', "keymap.board.start"),
    ("holidays = 2026-12-25\n", "holidays"),
    ("holidays = [2026-12-25T10:00:00]\n", "holidays.0"),
    ("poll_seconds = 0\n", "poll_seconds"),
    ("poll_seconds = -1.5\n", "poll_seconds"),
    ("poll_seconds = true\n", "poll_seconds"),
    ("poll_seconds = nan\n", "poll_seconds"),
    ("db = 3\n", "db"),
    ("user = [\"x\"]\n", "user"),
])
def test_a_bad_value_is_named_on_one_line(tmp_path, text, where):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as error:
        load_settings(path)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"config file {path}: {where}: should be ")


def test_a_file_that_is_not_toml_is_one_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("holidays = [\n", encoding="utf-8")
    with pytest.raises(BadInput, match="cannot read config file"):
        load_settings(path)


def test_settings_are_read_without_pydantic(tmp_path):
    """A config file is common (holidays), and the board reads it before its first
    paint: reading one, or finding the data directory, imports nothing heavy."""
    import subprocess
    import sys

    path = tmp_path / "config.toml"
    path.write_text('holidays = ["2026-12-25"]\npoll_seconds = 0.5\n', encoding="utf-8")
    probe = ("import sys; from pathlib import Path; from mlkanban.config import load_settings;"
             f" s = load_settings(Path({str(path)!r}));"
             " from mlkanban.config import data_dir; data_dir();"
             " print(s.poll_seconds, s.holidays[0], 'pydantic' in sys.modules,"
             " 'platformdirs' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True).stdout
    assert shown == "0.5 2026-12-25 False False\n"


@pytest.mark.parametrize("kind", ["data", "config", "cache"])
def test_the_user_dirs_are_where_platformdirs_puts_them(kind, monkeypatch, tmp_path):
    import platformdirs

    from mlkanban.config import user_dir

    expected = getattr(platformdirs, f"user_{kind}_path")
    for value in (str(tmp_path / kind), "", "  "):
        monkeypatch.setenv(f"XDG_{kind.upper()}_HOME", value)
        assert user_dir(kind) == expected("mlkanban", appauthor=False), value
    monkeypatch.delenv(f"XDG_{kind.upper()}_HOME")
    assert user_dir(kind) == expected("mlkanban", appauthor=False)
