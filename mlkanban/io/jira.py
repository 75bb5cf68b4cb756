"""Reading Jira's "Export CSV (all fields)" the way Jira really writes it.

UTF-8 with a byte-order mark, CRLF line ends, quoted multi-line descriptions, the
same header repeated for multi-valued fields (``Labels``, ``Sprint``), custom fields
as ``Custom field (Name)`` and dates such as ``12/Mar/24 9:41 AM``.

Pure: text in, issues and problems out. Every problem names its CSV line and issue
key, so a user can fix the file and try again; nothing is decided about the
database here (see ``jira_import``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mlkanban.domain.clock import as_utc
from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import PHASES, Phase, parse_phase
from mlkanban.domain.statuses import Status

#: Jira dates as the export writes them (English month names), oldest style first.
DATE_FORMATS = (
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%Y %H:%M",
    "%d/%b/%y %I:%M:%S %p",
    "%d/%b/%Y %H:%M:%S",
    "%d/%b/%y",
    "%d/%b/%Y",
)
EARLIEST_YEAR = 1990
#: How far ahead of the clock a date may be (clocks disagree a little).
CLOCK_SKEW = timedelta(minutes=1)
MAX_TITLE = 200

JIRA_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]*-[1-9][0-9]*$")

_TODO = {"to do", "todo", "open", "backlog", "selected for development", "new", "reopened",
         "ready", "ready for development"}
_IN_PROGRESS = {"in progress", "in review", "review", "code review", "in development",
                "in testing", "testing", "in qa"}
_DONE = {"done", "closed", "resolved", "complete", "completed", "released"}
_WAITING = {"blocked", "on hold", "waiting", "impeded", "paused"}
_DROPPED = {"won't do", "wont do", "won't fix", "cancelled", "canceled", "rejected",
            "declined", "abandoned", "obsolete"}
_CATEGORY = {"to do": Status.TODO, "new": Status.TODO, "in progress": Status.IN_PROGRESS,
             "done": Status.DONE, "complete": Status.DONE}
#: Resolutions that mean "closed without doing it".
_DROPPING_RESOLUTIONS = {"won't do", "won't fix", "duplicate", "cannot reproduce", "declined",
                         "cancelled", "canceled", "obsolete", "incomplete", "rejected"}


@dataclass(frozen=True)
class Problem:
    """Why one row cannot be imported."""

    line: int
    key: str
    message: str

    def __str__(self) -> str:
        key = self.key if self.key.isprintable() else repr(self.key)
        where = f"line {self.line}" + (f" ({key})" if key else "")
        return f"{where}: {self.message}"


@dataclass
class JiraIssue:
    """One row of the export, read and checked."""

    line: int
    key: str
    issue_id: str
    type: str
    summary: str
    status: Status
    reason: str | None
    jira_status: str
    assignee: str | None
    reporter: str | None
    created: datetime
    updated: datetime | None
    resolved: datetime | None
    status_changed: datetime | None
    parent: str
    epic_link: str
    epic_name: str
    description: str
    story_points: float | None
    phase: Phase | None
    labels: list[str] = field(default_factory=list)
    sprints: list[str] = field(default_factory=list)

    @property
    def is_epic(self) -> bool:
        return self.type.strip().lower() == "epic"

    @property
    def prefix(self) -> str:
        """The Jira project key: ``ML`` for ``ML-123``."""
        return self.key.rsplit("-", 1)[0]

    @property
    def title(self) -> str:
        """The summary on one line, cut to what a card title may hold."""
        text = " ".join(self.summary.split())
        return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"

    @property
    def last_change(self) -> datetime:
        return max(t for t in (self.created, self.updated, self.resolved, self.status_changed) if t)


@dataclass
class JiraFile:
    issues: list[JiraIssue]
    problems: list[Problem]
    phase_column: str | None


class _Row:
    """Cells of one record by header name; repeated headers give several cells."""

    def __init__(self, columns: dict[str, list[int]], cells: list[str]) -> None:
        self._columns = columns
        self._cells = cells

    def all(self, *names: str) -> list[str]:
        for name in names:
            indexes = self._columns.get(name.lower(), ())
            values = [self._cells[i].strip() for i in indexes if i < len(self._cells)]
            if any(values):
                return [v for v in values if v]
        return []

    def get(self, *names: str) -> str:
        values = self.all(*names)
        return values[0] if values else ""


def custom(name: str) -> tuple[str, str]:
    """A field's two spellings: ``Custom field (Phase)`` and plain ``Phase``."""
    return (f"custom field ({name.lower()})", name.lower())


def parse_jira_date(text: str) -> datetime:
    """A Jira export date (local time unless it says otherwise), as aware UTC."""
    value = " ".join(text.split())
    parsed = None
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"cannot read the date {text!r}") from None
    if parsed.year < EARLIEST_YEAR:
        raise ValueError(f"the date {text!r} is before {EARLIEST_YEAR}")
    try:
        return as_utc(parsed)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"cannot read the date {text!r}") from None


def map_status(
    jira_status: str, category: str = "", resolution: str = ""
) -> tuple[Status, str | None]:
    """Jira's status (and resolution) as ours, with the reason waiting and dropped need."""
    status = _normal(jira_status)
    result: Status | None = None
    if status in _TODO:
        result = Status.TODO
    elif status in _IN_PROGRESS:
        result = Status.IN_PROGRESS
    elif status in _DONE:
        result = Status.DONE
    elif status in _WAITING or status.startswith("waiting"):
        return Status.WAITING, f"{jira_status.strip()} in Jira"
    elif status in _DROPPED:
        return Status.DROPPED, f"{jira_status.strip()} in Jira"
    else:
        result = _CATEGORY.get(_normal(category))
    if result is None:
        raise ValueError(
            f"unknown Jira status {jira_status.strip()!r}; known: To Do, In Progress, In Review, "
            "Done, Closed, Blocked, On Hold, Won't Do, Cancelled (or a Status Category column)"
        )
    if result is Status.DONE and _normal(resolution) in _DROPPING_RESOLUTIONS:
        return Status.DROPPED, f"resolved in Jira as {resolution.strip()}"
    return result, None


def _normal(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


def _phase_of(row: _Row, phase_names: tuple[str, ...], labels: list[str]) -> Phase | None:
    """The phase from the phase field, else from the one label that names a phase."""
    if phase_names:
        value = row.get(*phase_names)
        if value:
            return parse_phase(value)  # BadInput for an unknown phase
    found = []
    for label in labels:
        try:
            phase = parse_phase(label)
        except BadInput:
            continue
        if phase not in found:
            found.append(phase)
    if len(found) > 1:
        names = ", ".join(p.value for p in found)
        raise BadInput(f"the labels name more than one phase ({names})")
    return found[0] if found else None


def _records(text: str, progress: Callable[[int], None] | None) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record; newlines inside quotes are kept."""
    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            if progress is not None:
                progress(len(line))
            yield line

    reader = csv.reader(lines())
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadInput(f"line {reader.line_num}: not a readable CSV record ({exc})") from None
        start, last = last + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


def read_jira_csv(
    data: bytes,
    *,
    now: datetime,
    phase_field: str | None = None,
    default_phase: Phase | None = None,
    name: str = "the file",
    progress: Callable[[int], None] | None = None,
) -> JiraFile:
    """Read a whole export; a file that is not a Jira CSV at all is a ``BadInput``.

    ``progress`` is called with the number of characters read, for a progress bar.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{name}: not a UTF-8 text file (export it from Jira as CSV)") from None
    if "\x00" in text:
        raise BadInput(f"{name}: not a text file (it contains NUL bytes)")
    records = _records(text, progress)
    try:
        first = next(records, None)
    except BadInput as exc:
        raise BadInput(f"{name}, {exc.message}") from None
    if first is None:
        raise BadInput(
            f"{name}: empty file; export issues from Jira with 'Export CSV (all fields)'"
        )
    header = [cell.strip().lower() for cell in first[1]]
    columns: dict[str, list[int]] = {}
    for index, title in enumerate(header):
        columns.setdefault(title, []).append(index)
    for required in ("issue key", "summary"):
        if required not in columns:
            raise BadInput(
                f"{name}: no {required.capitalize()!r} column; "
                "is it a Jira 'Export CSV (all fields)'?"
            )
    phase_names: tuple[str, ...] = ()
    phase_column = None
    if phase_field is not None:
        phase_names = tuple(n for n in custom(phase_field) if n in columns)
        if not phase_names:
            raise BadInput(f"{name}: no column 'Custom field ({phase_field})' or {phase_field!r}")
    else:
        phase_names = tuple(n for n in custom("Phase") if n in columns)
    if phase_names:
        phase_column = phase_names[0]

    issues: list[JiraIssue] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    try:
        for line, cells in records:
            row = _Row(columns, cells)
            issue, problem = _read_issue(row, line, now, phase_names, default_phase)
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                problem = problem or f"{len(cells)} cells but the header has {len(header)}"
            if issue is not None and issue.key in seen and problem is None:
                problem = f"issue key repeated (first on line {seen[issue.key]})"
            key = row.get("issue key")
            if problem is not None:
                problems.append(Problem(line, key, problem))
            elif issue is not None:
                seen[issue.key] = line
                issues.append(issue)
    except BadInput as exc:
        raise BadInput(f"{name}, {exc.message}") from None
    return JiraFile(issues, problems, phase_column)


def _read_issue(
    row: _Row,
    line: int,
    now: datetime,
    phase_names: tuple[str, ...],
    default_phase: Phase | None,
) -> tuple[JiraIssue | None, str | None]:
    """One issue, or the first thing wrong with its row."""
    key = row.get("issue key")
    if not key:
        return None, "no Issue key"
    if not JIRA_KEY_RE.match(key):
        return None, f"invalid Issue key {key!r} (expected e.g. ML-123)"
    summary = row.get("summary")
    if not " ".join(summary.split()):
        return None, "empty Summary"
    dates: dict[str, datetime | None] = {}
    for column in ("Created", "Updated", "Resolved", "Status Category Changed"):
        value = row.get(column)
        if not value:
            dates[column] = None
            continue
        try:
            dates[column] = parse_jira_date(value)
        except ValueError as exc:
            return None, f"{column}: {exc}"
        if dates[column] > now + CLOCK_SKEW:
            return None, f"{column} {value!r} is in the future"
    created = dates["Created"]
    if created is None:
        return None, "no Created date"
    for column in ("Updated", "Resolved", "Status Category Changed"):
        moment = dates[column]
        if moment is not None and moment < created:
            return None, f"{column} is before Created"
    issue_type = row.get("issue type") or "Task"
    try:
        status, reason = map_status(
            row.get("status") or "To Do", row.get("status category"), row.get("resolution")
        )
    except ValueError as exc:
        return None, str(exc)
    labels = [part for cell in row.all("labels") for part in cell.split()]
    try:
        phase = _phase_of(row, phase_names, labels)
    except BadInput as exc:
        return None, exc.message
    is_epic = issue_type.strip().lower() == "epic"
    if phase is None and not is_epic:
        phase = default_phase
        if phase is None:
            names = ", ".join(p.value for p in PHASES)
            return None, (
                "no phase: fill the phase field, add a label naming one "
                f"({names}), or give --default-phase"
            )
    points_text = row.get(*custom("Story Points"), *custom("Story point estimate"))
    points = None
    if points_text:
        try:
            points = float(points_text.replace(",", "."))
        except ValueError:
            return None, f"Story Points {points_text!r} is not a number"
        if not math.isfinite(points) or points < 0:
            return None, f"Story Points {points_text!r} is not a positive number"
    assignee = row.get("assignee")
    return JiraIssue(
        line=line,
        key=key,
        issue_id=row.get("issue id"),
        type=issue_type,
        summary=summary,
        status=status,
        reason=reason,
        jira_status=row.get("status"),
        assignee=assignee if assignee and assignee.lower() != "unassigned" else None,
        reporter=row.get("reporter") or None,
        created=created,
        updated=dates["Updated"],
        resolved=dates["Resolved"],
        status_changed=dates["Status Category Changed"],
        parent=row.get("parent id", "parent"),
        epic_link=row.get(*custom("Epic Link")),
        epic_name=row.get(*custom("Epic Name")),
        description=row.get("description").replace("\r\n", "\n").replace("\r", "\n"),
        story_points=points,
        phase=phase,
        labels=labels,
        sprints=row.all("sprint"),
    ), None
