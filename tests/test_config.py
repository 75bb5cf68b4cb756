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
])
def test_a_bad_value_is_named_on_one_line(tmp_path, text, where):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as error:
        load_settings(path)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"config file {path}: {where}:")


def test_a_file_that_is_not_toml_is_one_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("holidays = [\n", encoding="utf-8")
    with pytest.raises(BadInput, match="cannot read config file"):
        load_settings(path)
