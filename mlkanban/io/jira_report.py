"""What ``import-jira`` tells the user: the summary of an import, and the refusal of a
file, one line per kind of problem (with counts, example keys and the option that
fixes it) rather than one per row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mlkanban.domain.phases import PHASES
from mlkanban.domain.statuses import Status
from mlkanban.io.jira import PHASE, STATUS, Problem
from mlkanban.io.records import Bundle

MAX_LISTED = 20
MAX_LISTED_RECORDS = 20
EXAMPLES = 3


@dataclass
class JiraPlan:
    """What an import adds, as export records, and the numbers to tell the user."""

    bundle: Bundle
    statuses: Counter = field(default_factory=Counter)
    skipped: int = 0
    """Issues already on the board, unchanged since."""
    updated_tasks: int = 0
    """Issues already on the board, changed in Jira since."""
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)
    """Values the board does not keep ("sprint values" -> how many)."""
    rehomes: list[Any] = field(default_factory=list)
    """Tasks of an earlier file that move to their epic's project."""

    def counts(self) -> dict[str, int]:
        return {
            "projects": len(self.bundle.projects),
            "people": len(self.bundle.people),
            "tasks": len(self.bundle.tasks) - self.updated_tasks,
            "events": len(self.bundle.events),
        }

    def summary(self, verb: str = "Would import") -> str:
        counts = self.counts()
        moved = sum(1 for r in self.rehomes if r.key != r.old_key)
        if not any(counts.values()) and not self.updated_tasks and not moved:
            return "Nothing to import: the board already has every issue in the file."
        lines = [f"{verb} " + (", ".join(count_of(n, kind) for kind, n in counts.items() if n)
                               or "no new records")]
        if self.statuses:
            order = list(Status)
            by_status = sorted(self.statuses.items(), key=lambda item: order.index(item[0]))
            lines.append("  tasks: " + ", ".join(f"{n} {s.label}" for s, n in by_status))
        for kind, items in (
            ("project", [(p.key, p.name) for p in self.bundle.projects]),
            ("person", [(p.handle, p.name + ("" if p.active else " (no lane)"))
                        for p in self.bundle.people]),
        ):
            lines += [f"  {kind} {key}: {name}" for key, name in items[:MAX_LISTED_RECORDS]]
            if len(items) > MAX_LISTED_RECORDS:
                lines.append(f"  ... and {len(items) - MAX_LISTED_RECORDS} more")
        if self.updated_tasks:
            changed = count_of(self.updated_tasks, "tasks")
            lines.append(f"  {changed} changed in Jira since the last import, updated")
        if moved:
            lines.append(f"  {count_of(moved, 'tasks')} of earlier files moved to their "
                         "epic's project")
        if self.skipped:
            lines.append(f"  {count_of(self.skipped, 'issues')} already on the board, unchanged")
        if self.left_out:
            kept = ", ".join(count_of(n, what) for what, n in self.left_out.most_common())
            lines.append(f"  left out: {kept}")
        return "\n".join(lines)


def count_of(n: int, plural: str) -> str:
    singular = {"people": "person"}.get(plural, plural.removesuffix("s"))
    return f"{n} {singular if n == 1 else plural}"


def listing(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _examples(problems: list[Problem]) -> str:
    keys = [p.key for p in problems if p.key]
    shown = ", ".join(keys[:EXAMPLES])
    return shown + (", ..." if len(keys) > EXAMPLES else "")


def problems_message(name: str, problems: list[Problem]) -> str:
    """The refusal: a file-wide problem once, with the option that fixes it; other
    problems one per row (up to ``MAX_LISTED``)."""
    no_phase = [p for p in problems if p.kind == PHASE]
    unknown = [p for p in problems if p.kind == STATUS]
    rows = [p for p in problems if not p.kind]
    noun = "problem" if len(problems) == 1 else "problems"
    lines = [f"{name}: {len(problems)} {noun}; nothing was imported:"]
    if no_phase:
        names = ", ".join(p.value for p in PHASES)
        lines.append(
            f"  {count_of(len(no_phase), 'issues')} with no phase ({_examples(no_phase)}): "
            "give --default-phase PHASE, or fill a Phase field (--phase-field NAME) or a "
            f"label naming one ({names})"
        )
    if unknown:
        by_status: dict[str, list[Problem]] = {}
        for problem in unknown:
            by_status.setdefault(problem.detail, []).append(problem)
        listed = "; ".join(f"{status!r}: {count_of(len(items), 'issues')} ({_examples(items)})"
                           for status, items in sorted(by_status.items()))
        first = next(iter(sorted(by_status)))
        lines.append(
            f"  {len(by_status)} unknown Jira status{'es' if len(by_status) > 1 else ''} "
            f"with no Status Category: {listed}; map them with "
            f"--map-status \"{first}=in_progress\" "
            "(todo, in_progress, waiting, done, dropped), or export with all fields"
        )
    lines += [f"  {problem}" for problem in rows[:MAX_LISTED]]
    if len(rows) > MAX_LISTED:
        lines.append(f"  ... and {len(rows) - MAX_LISTED} more")
    return "\n".join(lines)
