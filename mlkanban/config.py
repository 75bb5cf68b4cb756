"""Settings: where data lives, which database, holidays and key bindings.

Settings come from a TOML file (``MLKANBAN_CONFIG`` or ``config.toml`` in the
user config directory), then environment variables, then command-line flags. Paths
are resolved lazily: importing this module creates nothing on disk.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from mlkanban.domain.errors import BadInput

APP_NAME = "mlkanban"


@dataclass(frozen=True)
class Settings:
    """Everything a user can configure; every front end gets one of these.

    A plain dataclass, so that commands run without a config file never import pydantic;
    a config file is validated against it with pydantic (``load_settings``).
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


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    env = os.environ.get("MLKANBAN_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


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
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"cannot read config file {path}: {_one_line(exc)}") from None
    if not raw:
        return Settings()
    _check_names(path, raw)
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(Settings).validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadInput(f"config file {path}: {where}: {first['msg']}") from None


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
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container
        return "unknown"
