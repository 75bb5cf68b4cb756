"""Checks on what people type, shared by every command that takes it and by ``import``:
a record in an export file passes exactly the checks its command would have.
"""

from __future__ import annotations

import re

from mlkanban.domain.errors import BadInput

HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
PROJECT_KEY_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
TASK_KEY_RE = re.compile(r"^([A-Z][A-Z0-9]{1,9})-([1-9][0-9]{0,8})$")
MAX_TITLE = 200
MAX_TEXT = 10_000
#: The longest argument read at all (a description may be up to ``MAX_TEXT``).
MAX_ARGUMENT = 100_000

#: Control characters that have no place in stored text: all of C0 but tab, newline
#: and carriage return, DEL, C1, and the bidi embeddings, overrides and isolates that
#: would make a line read other than it is (right-to-left letters need none of them).
#: Text stored before this check is still shown safely (``domain.text``).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def shown(value: str, limit: int = 40) -> str:
    """``value`` quoted for a message: undecodable bytes as ``\\xff``, controls
    escaped, long values cut."""
    cut = value if len(value) <= limit else value[: limit - 1] + "…"
    return "'" + "".join(map(_shown_char, cut)) + "'"


def _shown_char(char: str) -> str:
    if char.isprintable():
        return char
    if "\udc80" <= char <= "\udcff":  # an undecodable byte, as the OS passed it on
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def argument(value: str, what: str = "an argument") -> str:
    """Any text that came from the command line or the environment: it must be UTF-8
    (the OS hands undecodable bytes over as surrogates), hold no NUL, and be of a
    length anything could use."""
    _readable(value, what)
    if len(value) > MAX_ARGUMENT:
        raise BadInput(f"{what} is {len(value)} characters long; the limit is {MAX_ARGUMENT}")
    return value


def _readable(value: str, what: str) -> None:
    if _SURROGATE.search(value):
        raise BadInput(f"{what} is not valid UTF-8 text: {shown(value)}")
    if "\x00" in value:
        raise BadInput(f"{what} contains a NUL character: {shown(value)}")


def clean(value: str, what: str) -> str:
    """Refuse text that cannot be stored and shown as it is: undecodable bytes, NUL
    and other control characters (tab and newlines are fine)."""
    _readable(value, f"the {what}")
    bad = _CONTROL.search(value)
    if bad:
        raise BadInput(
            f"the {what} contains a control character (U+{ord(bad.group()):04X}): {shown(value)}"
        )
    return value


def handle(text: str, option: str = "") -> str:
    """A person's handle; ``option`` names where it came from (``--as``)."""
    value = text.strip().lower()
    if not HANDLE_RE.match(value):
        where = f" ({option})" if option else ""
        raise BadInput(
            f"invalid handle {shown(text)}{where}: use 1-40 lower-case letters, digits, "
            "'.', '_' or '-'"
        )
    return value


def project_key(text: str) -> str:
    value = text.strip().upper()
    if not PROJECT_KEY_RE.match(value):
        raise BadInput(
            f"invalid project key {shown(text)}: use 2-10 upper-case letters or digits, "
            "starting with a letter (e.g. CHURN)"
        )
    return value


def task_key(text: str) -> str:
    value = text.strip().upper()
    if not TASK_KEY_RE.match(value):
        raise BadInput(f"invalid task key {shown(text)}: expected PROJECT-N, e.g. CHURN-12")
    return value


def title(text: str, what: str = "title") -> str:
    value = " ".join(clean(text, what).split())
    if not value:
        raise BadInput(f"the {what} cannot be empty")
    if len(value) > MAX_TITLE:
        raise BadInput(f"the {what} is {len(value)} characters long; keep it under {MAX_TITLE}")
    return value


def reason(text: str | None, what: str = "reason") -> str:
    if text is None or not text.strip():
        raise BadInput(f"a {what} is required")
    value = clean(text, what).strip()
    if len(value) > MAX_TEXT:
        raise BadInput(f"the {what} is too long ({len(value)} characters)")
    return value


def text(value: str | None, what: str = "text") -> str:
    value = clean(value or "", what).strip()
    if len(value) > MAX_TEXT:
        raise BadInput(f"the {what} is too long ({len(value)} characters)")
    return value


def wip_limit(value: int) -> int:
    if not 1 <= value <= 20:
        raise BadInput(f"a WIP limit must be between 1 and 20, not {value}")
    return value


def weeks(value: float, phase: str) -> float:
    if not (value == value) or value < 0 or value > 104:  # NaN, negative, absurd
        raise BadInput(f"planned weeks for {phase} must be between 0 and 104, not {value}")
    return float(value)
