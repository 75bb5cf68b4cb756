"""The board's two hard rules, as pure functions returning an explicit verdict.

The service layer enforces them; the CLI and the TUI only show the verdict's
message, so every front end refuses the same things in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_ESTIMATE_DAYS = 5
MIN_ESTIMATE_DAYS = 1


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""
    overridden: bool = False
    remedy: str | None = None
    """What to do instead, as ``errors.MlkanbanError.remedy``."""


SPLIT = "split"
"""The remedy for work over the size limit: carve a new task out of it."""


def check_wip(
    handle: str,
    wip_limit: int,
    in_progress: Sequence[tuple[str, str]],
    override_reason: str | None = None,
) -> Verdict:
    """May ``handle`` start one more task, given the (key, title) pairs in progress?"""
    if len(in_progress) < wip_limit:
        return Verdict(True)
    if override_reason is not None and override_reason.strip():
        return Verdict(
            True,
            f"WIP limit overridden for {handle} ({len(in_progress) + 1}/{wip_limit}): "
            f"{override_reason.strip()}",
            overridden=True,
        )
    busy = ", ".join(f"{key} “{title}”" for key, title in in_progress)
    noun = "task" if wip_limit == 1 else "tasks"
    return Verdict(
        False,
        f"{handle} already has {len(in_progress)}/{wip_limit} {noun} in progress: {busy}. "
        "Finish it (done), move it to waiting (wait --reason), or start anyway "
        "with --override REASON.",
    )


def check_estimate(days: int | None) -> Verdict:
    """An estimate is 1-5 working days; bigger work must be split."""
    if days is None:
        return Verdict(True)
    if days > MAX_ESTIMATE_DAYS:
        return Verdict(
            False,
            f"an estimate of {days} working days is over the size limit of "
            f"{MAX_ESTIMATE_DAYS}; split the task so progress shows every week",
            remedy=SPLIT,
        )
    if days < MIN_ESTIMATE_DAYS:
        return Verdict(
            False,
            f"an estimate must be between {MIN_ESTIMATE_DAYS} and {MAX_ESTIMATE_DAYS} "
            "working days",
        )
    return Verdict(True)


def is_over_size(age_working_days: int, estimate: int | None) -> bool:
    """In progress longer than its estimate, or than the size limit."""
    limit = MAX_ESTIMATE_DAYS if estimate is None else min(estimate, MAX_ESTIMATE_DAYS)
    return age_working_days > limit
