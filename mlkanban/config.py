"""Settings: where data lives, which database, holidays and key bindings.

Settings come from a TOML file (``MLKANBAN_CONFIG`` or ``config.toml`` in the
user config directory), then environment variables, then command-line flags. Paths
are resolved lazily: importing this module creates nothing on disk.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from mlkanban.domain.errors import BadInput

APP_NAME = "mlkanban"


@dataclass(frozen=True)
class Settings:
    """Everything a user can configure; every front end gets one of these.

    A plain dataclass, so that commands never import pydantic; a config file's values
    are checked and converted by ``load_settings``.
    """

    db: str | None = None
    """Database: a SQLite path, or a SQLAlchemy URL (contains ``://``)."""

    user: str | None = None
    """Handle of the acting person; defaults to ``MLKANBAN_USER`` or the OS user."""

    holidays: list[date] = field(default_factory=list)
    """Days that are not working days, besides weekends (ISO dates)."""

    keymap: dict[str, str] = field(default_factory=dict)
    """Board key remapping: binding id → keys, e.g. ``{"board.done" = "D"}``."""

    poll_seconds: float = 1.0
    """How often the board looks for changes made elsewhere."""


def user_dir(kind: str) -> Path:
    """mlkanban's directory of a kind (``data``, ``config`` or ``cache``) for this user.

    On Linux and the BSDs it is the XDG one (``$XDG_DATA_HOME/mlkanban``, else
    ``~/.local/share/mlkanban``), worked out here as ``platformdirs`` does: importing
    that costs every command, the board included, a hundredth of a second. Elsewhere
    ``platformdirs`` knows the platform's place."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        value = os.environ.get(f"XDG_{kind.upper()}_HOME", "")
        return Path(value if value.strip() else os.path.expanduser(_XDG_HOMES[kind])) / APP_NAME
    import platformdirs

    return getattr(platformdirs, f"user_{kind}_path")(APP_NAME, appauthor=False)


_XDG_HOMES = {"data": "~/.local/share", "config": "~/.config", "cache": "~/.cache"}


def data_dir() -> Path:
    return user_dir("data")


def config_path() -> Path:
    env = os.environ.get("MLKANBAN_CONFIG")
    if env:
        return Path(env).expanduser()
    return user_dir("config") / "config.toml"


def default_db_path() -> Path:
    return data_dir() / "board.db"


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file if there is one; a broken file is a one-line error.

    The default file may be absent; one that ``MLKANBAN_CONFIG`` names must be there (a
    typo there would otherwise silently drop holidays and key bindings).
    """
    named = path is None and bool(os.environ.get("MLKANBAN_CONFIG"))
    path = path or config_path()
    if path.is_dir():
        raise BadInput(f"config file {path} is a directory, not a file")
    if not path.exists():
        if named:
            raise BadInput(f"MLKANBAN_CONFIG names {path}, which does not exist")
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read config file {path}: {_one_line(exc)}") from None
    if not text.strip(" \t\n"):  # nothing set (``/dev/null``): no TOML parser to import
        return Settings()
    import tomllib

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"cannot read config file {path}: {_one_line(exc)}") from None
    if not raw:
        return Settings()
    _check_names(path, raw)
    values = {}
    for name, value in raw.items():
        try:
            values[name] = _CONVERT[name](value)
        except _Invalid as exc:
            where = ".".join([name, *exc.where])
            raise BadInput(f"config file {path}: {where}: {exc.message}") from None
    return Settings(**values)


class _Invalid(Exception):
    """A setting's value that cannot be used: where in the value, and why."""

    def __init__(self, message: str, *where: str) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"should be text, not {_kind(value)}")
    return value


def _day(value: object) -> date:
    """A TOML date (``2026-12-25``) or the same as text."""
    if type(value) is date:
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid(f"should be a date like 2026-12-25, not {value!r}")


def _days(value: object) -> list[date]:
    if not isinstance(value, list):
        raise _Invalid(f"should be a list of dates, not {_kind(value)}")
    days = []
    for i, item in enumerate(value):
        try:
            days.append(_day(item))
        except _Invalid as exc:
            raise _Invalid(exc.message, str(i)) from None
    return days


def _keys(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _Invalid(f"should be a table of binding = keys, not {_kind(value)}")
    keymap = {}
    for name, keys in value.items():
        try:
            keymap[name] = _text(keys)
        except _Invalid as exc:
            raise _Invalid(exc.message, name) from None
    return keymap


def _seconds(value: object) -> float:
    """A positive number of seconds (whole or not), at most an hour."""
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value)
    if number is None:
        raise _Invalid(f"should be a number of seconds, not {value!r}")
    if not 0.05 <= number <= 3600:
        raise _Invalid(f"should be between 0.05 and 3600 seconds, not {value!r}")
    return number


def _kind(value: object) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


#: How each setting's TOML value becomes its ``Settings`` value (pydantic is not
#: needed for five fields, and costs the board a tenth of a second to import).
_CONVERT = {"db": _text, "user": _text, "holidays": _days, "keymap": _keys,
            "poll_seconds": _seconds}


def _one_line(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return " ".join(text.split())


def _check_names(path: Path, raw: dict) -> None:
    """An unknown setting is a mistake worth naming (``holiday`` for ``holidays``)."""
    import difflib

    known = [f.name for f in fields(Settings)]
    for name in raw:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(known)})"
            raise BadInput(f"config file {path}: unknown setting {name!r}{hint}")


def resolve_db(flag: str | None, settings: Settings) -> str:
    """``--db``, else ``MLKANBAN_DB``, else the config file, else the data dir."""
    return flag or os.environ.get("MLKANBAN_DB") or settings.db or str(default_db_path())


def resolve_user(flag: str | None, settings: Settings) -> str:
    """``--as``, else ``MLKANBAN_USER``, else the config file, else the OS user."""
    if flag:
        return flag
    env = os.environ.get("MLKANBAN_USER")
    if env:
        return env
    if settings.user:
        return settings.user
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container
        return "unknown"
