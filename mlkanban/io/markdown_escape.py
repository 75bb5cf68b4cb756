"""Text people typed, escaped for where it goes in GitHub-flavoured Markdown.

What needs escaping depends on the place: a table cell must escape ``|`` (GFM splits
cells on it, even inside code and links), a list item, a paragraph or a heading must
not (there ``\\|`` stays a backslash, and GitHub's autolinker puts it into the link:
``http://example.com/x%5C%7Cy``). Everywhere, the characters that start emphasis,
code, links or headings are escaped, HTML is turned into entities, and the text is one
line with no terminal controls (``domain.text.terminal_safe``).

A URL in the text (``https://``, ``http://``, ``ftp://`` or ``www.``, where GFM's
autolinker takes it) is left as it is, so that it stays a working link: GitHub and
GitLab take the whole run up to a space or ``<`` into the link, backslashes included
(a ``>`` in it is no tag without a ``<``).
In a table cell its ``|`` is still escaped; GFM removes that backslash before it
links. Link text is escaped whole: a link cannot hold another.
"""

from __future__ import annotations

import re

from mlkanban.domain.text import terminal_safe

_SPECIAL = re.compile(r"([\\`*_\[\]#~])")
_SPECIAL_IN_CELL = re.compile(r"([\\`*_\[\]#~|])")
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

#: A URL as GFM's extended autolinker finds it: a scheme not glued to a letter (or
#: "www." at the start or after a space, "(", "*", "_" or "~"), a domain, then anything
#: up to a space or "<". GFM itself leaves trailing punctuation out of the link.
_URL = re.compile(
    r"(?:(?<![A-Za-z])(?i:https?|ftp)://|(?:(?<=[\s(*_~])|^)www\.)"
    r"(?P<domain>[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)[^\s<]*"
)
_LINK_TARGET = re.compile(r"^https?://[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*[^\s<>]*$")


def _one_line(value: str | None) -> str:
    if not value:
        return ""
    return " ".join(terminal_safe(value).split())


def _escaped(part: str, special: re.Pattern[str]) -> str:
    """Markdown characters escaped, HTML made entities, and any ``://`` or ``www.``
    left broken up, so that GFM links nothing that is not left as a whole URL."""
    out = special.sub(r"\\\1", part).translate(_HTML)
    return out.replace("://", ":\\/\\/").replace("www.", "www\\.")


def _link_end(url: str) -> int:
    """Where GFM ends the link it makes of ``url``: trailing punctuation, an
    entity-like ``&name;`` and an unbalanced ``)`` are left out (cmark-gfm's rules)."""
    end = len(url)
    while end:
        last = url[end - 1]
        if last in "?!.,:*_~'\"":
            end -= 1
        elif last == ";":
            start = end - 2
            while start > 0 and url[start].isascii() and url[start].isalpha():
                start -= 1
            end = start if start < end - 2 and url[start] == "&" else end - 1
        elif last == ")" and url.count(")", 0, end) > url.count("(", 0, end):
            end -= 1
        else:
            break
    return end


def _is_link(match: re.Match[str], flat: str) -> bool:
    """Whether GFM makes a link of exactly this text. It links a domain with no ``_``
    in its last two parts (cmark-gfm's ``check_domain``). A URL glued to a
    ``<``, or whose left-out tail holds an ``&`` (an entity) or ``*``, ``_``, ``~``
    (emphasis), would not read back as typed: it is shown as text instead."""
    url = match.group()
    parts = match.group("domain").split(".")
    if "_" in "".join(parts[-2:]) or flat.startswith("<", match.end()):
        return False
    tail = url[_link_end(url):]
    return not any(char in tail for char in "&*_~")


#: Text that is already one line of plain Markdown (most titles): nothing in it to
#: escape, no control, no link; a report has thousands.
_PLAIN = re.compile(r"[A-Za-z0-9,.;'?!()+=/-]+(?: [A-Za-z0-9,.;'?!()+=/-]+)*")


def text(value: str | None, *, table: bool = False) -> str:
    """User text for a list item, a paragraph or a heading (``table=True``: a cell)."""
    if value and _PLAIN.fullmatch(value) and "www." not in value:
        return value
    return _text(value, table=table)


def _text(value: str | None, *, table: bool = False) -> str:
    """``text`` the long way, for any text."""
    flat = _one_line(value)
    special = _SPECIAL_IN_CELL if table else _SPECIAL
    out, done = [], 0
    for match in _URL.finditer(flat):
        if not _is_link(match, flat):
            continue
        out.append(_escaped(flat[done:match.start()], special))
        url = match.group()
        out.append(url.replace("|", "\\|") if table else url)
        done = match.end()
    out.append(_escaped(flat[done:], special))
    return "".join(out)


def cell(value: str | None) -> str:
    """User text for a table cell: ``|`` escaped as well."""
    return text(value, table=True)


def link_text(value: str | None, *, table: bool = False) -> str:
    """User text inside ``[...]``: everything escaped, URLs broken up (no link in a
    link)."""
    return _escaped(_one_line(value), _SPECIAL_IN_CELL if table else _SPECIAL)


def link(label: str | None, target: str | None, *, table: bool = False) -> str:
    """``[label](<target>)`` when the target is a web address; otherwise the label and
    the target as text (a notebook path is no link from a wiki page)."""
    shown = _one_line(target)
    if shown and _LINK_TARGET.match(shown):
        destination = shown.replace("|", "%7C") if table else shown
        return f"[{link_text(label, table=table)}](<{destination}>)"
    if not shown:
        return text(label, table=table)
    return f"{text(label, table=table)} ({text(shown, table=table)})"
