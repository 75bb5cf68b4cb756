"""When a task was in progress, phase by phase: the part of its history that time per
phase is counted from.

A task's status and phase changes (its ``started``, ``status_changed`` and
``moved_phase`` events) fold into *pieces*: each stretch in progress, split where its
phase changed. The store keeps every task's pieces on its row, derived from its events
in the same transaction, so that a report over a year of history reads one row per task
instead of replaying every event; ``history.metrics`` counts working days from them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

IN_PROGRESS = "in_progress"
TODO = "todo"
STATUS_KINDS = ("started", "status_changed")
PHASE_KIND = "moved_phase"
WORK_KINDS = (*STATUS_KINDS, PHASE_KIND)
"""The event kinds a work log is derived from."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """An aware moment as whole microseconds since 1970 UTC: exact, and cheap to compare
    and to turn into a local day for thousands of pieces."""
    return (moment - _EPOCH) // _MICROSECOND


class Piece(NamedTuple):
    """In progress in ``phase`` from ``start`` to ``end`` (None: still in progress), in
    microseconds since 1970 UTC (``micros``).

    ``opens`` is true for the first piece of a stretch in progress, false for a piece
    that began when the task changed phase while in progress.
    """

    phase: str
    start: int
    end: int | None
    opens: bool


def pieces_of(
    statuses: Sequence[tuple[str | None, datetime, datetime | None]],
    phases: Sequence[tuple[str | None, datetime, datetime | None]],
    moment: datetime | None = None,
) -> list[Piece]:
    """The pieces of status spans and phase spans ``(value, start, end)`` in time order,
    up to ``moment`` (None: all of them, open pieces left open).

    A change of phase at the instant a stretch began or ended makes no piece of its own;
    a stretch that began and ended at one instant is one piece of no length, unless it
    went back to do at that instant (a start undone): that was no work at all. Time in
    progress that resumes in the same phase at the instant it stopped (a change undone
    at once) extends the piece it follows.
    """
    result: list[Piece] = []
    first_phase = 0
    for index, (value, start, span_end) in enumerate(statuses):
        if moment is not None and start > moment:
            break
        if value != IN_PROGRESS:
            continue
        end = span_end
        if end == start and index + 1 < len(statuses) and statuses[index + 1][0] == TODO:
            continue  # started and put back to do at once (a start undone): no work
        if moment is not None and (end is None or end > moment):
            end = moment
        # Phase spans are in time order: those over before this stretch began were over
        # before every later stretch too, so each is passed over once per task.
        while first_phase < len(phases) and phases[first_phase][2] is not None \
                and phases[first_phase][2] < start:
            first_phase += 1
        opens = True
        for phase, phase_start, phase_end in phases[first_phase:]:
            if end is not None and phase_start > end:
                break
            lo = start if start > phase_start else phase_start
            if phase_end is None:
                hi = end
            elif end is None:
                hi = phase_end
            else:
                hi = end if end < phase_end else phase_end
            if lo == hi and start != end:
                continue
            lo_micros, hi_micros = micros(lo), None if hi is None else micros(hi)
            if result and result[-1].end == lo_micros and result[-1].phase == (phase or ""):
                # Back in the same phase, or resumed, at the very instant it left (a
                # change undone at once): one piece, as if it had never left.
                result[-1] = result[-1]._replace(end=hi_micros)
            else:
                result.append(Piece(phase or "", lo_micros, hi_micros, opens))
            opens = False
    return result


def clip(pieces: Iterable[Piece], moment: int) -> list[Piece]:
    """The pieces as they stood at ``moment`` (``micros``): ``pieces_of(..., moment)``
    from a log derived without one."""
    result: list = []
    for piece in pieces:
        phase, start, end, opens = piece
        if start > moment:
            break
        if end is None or end > moment:
            if start == moment and not opens:
                continue  # a phase change at that very instant: no time in the new phase
            piece = Piece(phase, start, moment, opens)
        result.append(piece)
    return result


def from_events(
    events: Iterable[tuple[datetime, str, str | None, str | None]], current_phase: str
) -> list[Piece]:
    """A task's pieces from its events ``(at, kind, old, new)`` in the order they
    happened; ``current_phase`` is its phase now (its first, if it never moved)."""
    statuses: list[list] = []
    phases: list[list] = []
    first_phase: str | None = None
    for at, kind, old, new in events:
        if kind in STATUS_KINDS:
            spans = statuses
        elif kind == PHASE_KIND:
            spans = phases
            if first_phase is None:
                first_phase = old
        else:
            continue
        if spans:
            spans[-1][2] = at
        spans.append([new, at, None])
    if not statuses:
        return []
    created = statuses[0][1]
    if phases:
        created = min(created, phases[0][1])
    phase_spans = [(first_phase if first_phase is not None else current_phase, created,
                    phases[0][1] if phases else None)]
    phase_spans += [(value, start, end) for value, start, end in phases]
    return pieces_of([tuple(span) for span in statuses], phase_spans)


def dumps(pieces: Iterable[Piece]) -> str:
    """The log as stored: ``[[phase, start, end or null, opens], ...]``."""
    return json.dumps([[phase, start, end, int(opens)] for phase, start, end, opens in pieces],
                      separators=(",", ":"))


def loads(text: str | None) -> list[Piece]:
    if not text:
        return []
    return [Piece(*piece) for piece in json.loads(text)]


def loads_many(texts: Sequence[str]) -> list[Sequence[Sequence]]:
    """Many logs in one parse. Their pieces stay JSON arrays, in ``Piece``'s field order:
    everything that reads pieces reads them by position."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []
