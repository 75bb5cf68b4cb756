"""Reading ``--at``: what people type for "when did this happen", in local time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from mlkanban.domain.clock import as_utc
from mlkanban.domain.errors import BadInput

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_AGO = re.compile(r"^(\d+)\s*(m|min|minutes?|h|hours?|d|days?)\s*(ago)?$")


def parse_when(text: str, now: datetime) -> datetime:
    """Parse ``--at``: ISO or free dates, 'yesterday 17:00', 'friday 9am', '2h ago'.

    Naive results are local time with the UTC offset in force on *that* date (a July
    date in Berlin is read as summer time even in December): wall-clock arithmetic is
    done on naive local times and only then resolved by the zone. A weekday name means
    the most recent such day.
    """
    raw = text.strip()
    lowered = raw.lower()
    local_now = now.astimezone().replace(tzinfo=None)
    if not lowered:
        raise BadInput("--at needs a date or time, e.g. '2026-11-20 17:00' or 'yesterday 17:00'")
    if lowered == "now":
        return now
    match = _AGO.match(lowered)
    if match:
        amount, unit = int(match.group(1)), match.group(2)[0]
        try:
            if unit in "mh":  # elapsed time, whatever the wall clock did meanwhile
                return now - timedelta(**{"minutes" if unit == "m" else "hours": amount})
            return as_utc(local_now - timedelta(days=amount))
        except OverflowError:  # more days than a date can go back
            raise BadInput(f"--at {text!r} is too long ago") from None
    base = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    for word, offset in (("yesterday", 1), ("today", 0), ("tomorrow", -1)):
        if lowered.startswith(word):
            base -= timedelta(days=offset)
            lowered = lowered[len(word) :].strip()
            raw = raw[len(word) :].strip()
            if not lowered:
                return as_utc(local_now - timedelta(days=offset))
            break
    from dateutil import parser

    try:
        parsed = parser.parse(raw, default=base)
    except (ValueError, OverflowError):
        raise BadInput(
            f"cannot read --at {text!r}; use e.g. '2026-11-20 17:00', 'yesterday 17:00' "
            "or '3h ago'"
        ) from None
    mentions_weekday = any(day in lowered for day in _WEEKDAYS)
    if mentions_weekday and parsed.tzinfo is None and parsed > local_now:
        parsed -= timedelta(days=7)
    return as_utc(parsed)
