"""Names the import makes up: handles from display names, project keys from epic
names, and stable event ids (so importing the same issue again finds its events)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from mlkanban.domain.errors import BadInput

_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe",
                       "Œ": "OE", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "ı": "i"})
#: Russian letters in Latin (the usual passport transliteration), so that "Ирина
#: Петрова" is ``irina.petrova``.
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m",
                      "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch",
                      "", "y", "", "e", "iu", "ia"], strict=True))
_FOLD.update(str.maketrans({**_CYRILLIC, **{k.upper(): v.capitalize()
                                           for k, v in _CYRILLIC.items()}}))


def uid(*parts: str) -> str:
    """A stable event id, so importing the same issue again finds its events."""
    return hashlib.md5("|".join(("jira", *parts)).encode("utf-8")).hexdigest()


def fold_handle(name: str) -> str:
    """A handle from a display name: ASCII, lower case, words joined by dots."""
    text = name.split("@", 1)[0] if "@" in name else name
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    handle = re.sub(r"[^a-z0-9]+", ".", ascii_text).strip(".")[:40].strip(".")
    if not handle:
        handle = "user." + hashlib.md5(name.encode("utf-8")).hexdigest()[:8]
    return handle


def project_key_from(name: str) -> str | None:
    """``CHURN`` from "Churn prediction", or None when the name has no usable word."""
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
    words = re.findall(r"[A-Z0-9]+", folded.encode("ascii", "ignore").decode("ascii").upper())
    if not words:
        return None
    while words and words[0][0].isdigit():  # "2024 roadmap" -> ROADMAP
        words.pop(0)
    if not words:
        return None
    key = (words[0] if len(words[0]) >= 2 else "".join(words))[:10]
    return key if len(key) >= 2 else None


def _unique(base: str, taken: set[str], limit: int) -> str:
    if base not in taken:
        return base
    for number in range(2, 10_000):
        suffix = str(number)
        candidate = base[: limit - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise BadInput(f"cannot find a free name like {base!r}")
