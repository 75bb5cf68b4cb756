"""Text people typed, made safe to show in a terminal.

A title or a reason is shown by ``ls``, ``show``, the board, the review and the
Markdown report. Written to a terminal as it is, an ESC sequence in it could set the
window title (OSC), print as something else (CSI, DCS, APC), ring the bell, or a
right-to-left override could make a line read backwards. Rich and Textual strip only
BEL, backspace, VT, FF and CR (``rich.control.strip_control_codes``), so this module
does the rest, for every front end, without importing any of them.

JSON output keeps the exact text: it escapes these characters instead (``json_safe``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# The patterns here are texts, compiled (and kept) by ``re`` when first used: most
# text is printable and never needs them, and compiling them would cost every command.

#: Whole escape sequences, 7-bit and 8-bit: OSC, DCS, APC, PM, SOS up to their
#: terminator (ST, BEL) or the end of the text; CSI with its parameters; two-character
#: escapes. They are removed, payload and all: ``\e]0;pwned\a`` shows nothing.
_SEQUENCES = (
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)

#: Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069):
#: they reorder what follows on the line, so a title could show another text.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

_CONTROL = r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ … ␟
    if code == 0x7F:
        return "␡"
    if char in BIDI_CONTROLS:
        return ""
    return "�"  # C1 controls have no picture


def terminal_safe(text: str, *, multiline: bool = False) -> str:
    """``text`` with escape sequences and bidi controls removed and every other control
    character shown as a visible picture (ESC ``␛``, BEL ``␇``, DEL ``␡``).

    A tab becomes a space; a newline is kept when ``multiline`` (``show``'s
    description), else shown as a space.
    """
    if text.isprintable():  # the usual case: nothing to do, and fast
        return text
    text = re.sub(_SEQUENCES, "", text)
    text = text.replace("\t", " ").replace("\r\n", "\n")
    if not multiline:
        text = text.replace("\n", " ")
        return re.sub(_CONTROL, _visible, text)
    return "\n".join(re.sub(_CONTROL, _visible, line) for line in text.split("\n"))


#: What JSON leaves raw but a terminal would act on: DEL, C1 and bidi controls.
_JSON_UNSAFE = r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]"


def json_safe(encoded: str) -> str:
    """JSON text with the characters ``json.dumps(ensure_ascii=False)`` leaves raw
    escaped (``\\u009b``): the same values once parsed, harmless on a terminal."""
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", encoded)


def suggest(word: str, choices: Iterable[str] | Mapping[str, str]) -> str:
    """`` (did you mean modeling?)`` when ``word`` is close to one of ``choices`` (a
    typo), else ``""``: for a message that refuses ``word``. A mapping's keys are
    compared and its values shown (an alias leads to the name)."""
    from difflib import get_close_matches

    shown = choices if isinstance(choices, Mapping) else {c: c for c in choices}
    options = {key.lower(): str(value) for key, value in shown.items()}
    close = get_close_matches(word.strip().lower(), options, n=1, cutoff=0.6)
    return f" (did you mean {options[close[0]]}?)" if close else ""


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 working day``, ``2 working days``, ``1 person``, ``3 people``."""
    return f"{count} {word if count == 1 else many or word + 's'}"
