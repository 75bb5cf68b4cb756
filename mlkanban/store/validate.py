"""Checks on what people type, shared by every command that takes it."""

from __future__ import annotations

import re

from mlkanban.domain.errors import BadInput

HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
PROJECT_KEY_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
TASK_KEY_RE = re.compile(r"^([A-Z][A-Z0-9]{1,9})-([1-9][0-9]{0,8})$")
MAX_TITLE = 200
MAX_TEXT = 10_000


def handle(text: str) -> str:
    value = text.strip().lower()
    if not HANDLE_RE.match(value):
        raise BadInput(
            f"invalid handle {text!r}: use 1-40 lower-case letters, digits, '.', '_' or '-'"
        )
    return value


def project_key(text: str) -> str:
    value = text.strip().upper()
    if not PROJECT_KEY_RE.match(value):
        raise BadInput(
            f"invalid project key {text!r}: use 2-10 upper-case letters or digits, "
            "starting with a letter (e.g. CHURN)"
        )
    return value


def task_key(text: str) -> str:
    value = text.strip().upper()
    if not TASK_KEY_RE.match(value):
        raise BadInput(f"invalid task key {text!r}: expected PROJECT-N, e.g. CHURN-12")
    return value


def title(text: str, what: str = "title") -> str:
    value = " ".join(text.split())
    if not value:
        raise BadInput(f"the {what} cannot be empty")
    if len(value) > MAX_TITLE:
        raise BadInput(f"the {what} is {len(value)} characters long; keep it under {MAX_TITLE}")
    return value


def reason(text: str | None, what: str = "reason") -> str:
    if text is None or not text.strip():
        raise BadInput(f"a {what} is required")
    value = text.strip()
    if len(value) > MAX_TEXT:
        raise BadInput(f"the {what} is too long ({len(value)} characters)")
    return value


def text(value: str | None, what: str = "text") -> str:
    value = (value or "").strip()
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
