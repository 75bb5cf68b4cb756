"""Reading Jira's "Export CSV (all fields)" the way Jira really writes it.

UTF-8 with a byte-order mark, CRLF line ends, quoted multi-line descriptions, the
same header repeated for multi-valued fields (``Labels``, ``Sprint``, ``Comment``),
custom fields as ``Custom field (Name)`` and dates such as ``12/Mar/24 9:41 AM``, all
in the exporting user's language (``jira_locale``).

Pure: text in, issues and problems out. Every problem names its CSV line and issue
key, so a user can fix the file and try again; nothing is decided about the
database here (see ``jira_import``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mlkanban.domain.clock import as_utc
from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import Phase, parse_phase
from mlkanban.domain.statuses import Status
from mlkanban.io.jira_locale import english_column, parse_localized
from mlkanban.io.jira_status import map_status, normal

EARLIEST_YEAR = 1990
#: How far ahead of the clock a date may be (clocks disagree a little).
CLOCK_SKEW = timedelta(minutes=1)
MAX_TITLE = 200

JIRA_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]*-[1-9][0-9]*$")

#: Columns whose values the import does not keep: counted, so the summary says so.
LEFT_OUT = (
    ("sprint", "sprint values"), ("log work", "work logs"),
    ("time spent", "time-spent values"), ("priority", "priority values"),
    ("due date", "due dates"), ("component/s", "component values"),
    ("fix version/s", "fix-version values"), ("affects version/s", "affected-version values"),
    ("attachment", "attachments"), ("watchers", "watchers"),
)
#: A working day of Jira's time tracking (its default), for ``Original Estimate``.
SECONDS_PER_DAY = 8 * 3600

#: How a problem shared by many rows is told once, with the option that fixes it.
PHASE, STATUS = "phase", "status"


@dataclass(frozen=True)
class Problem:
    """Why one row cannot be imported. ``kind`` groups problems told once for the file
    (``PHASE``: it names no phase; ``STATUS``: ``detail`` is an unknown Jira status)."""

    line: int
    key: str
    message: str
    kind: str = ""
    detail: str = ""

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
    parent_key: str = ""
    """``Parent key`` (newer exports), else the key of ``Parent`` when it is one."""
    project_name: str = ""
    epic_status: str = ""
    original_estimate: int | None = None
    """Seconds, as Jira's time tracking exports it."""
    comments: list[str] = field(default_factory=list)
    """The raw cells: ``12/Mar/24 9:41 AM;author;text``."""
    status_category: str = ""

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
    def full_description(self) -> str:
        """The description, after the whole summary when the title had to be cut."""
        text = " ".join(self.summary.split())
        if len(text) <= MAX_TITLE:
            return self.description
        return text + ("\n\n" + self.description if self.description else "")

    @property
    def number(self) -> int:
        return int(self.key.rsplit("-", 1)[1])

    @property
    def parent_ref(self) -> str:
        """Its direct parent in Jira (a story for a sub-task, an epic for a story)."""
        return self.parent_key or self.parent or self.epic_link

    @property
    def last_change(self) -> datetime:
        return max(t for t in (self.created, self.updated, self.resolved, self.status_changed) if t)


@dataclass
class JiraFile:
    issues: list[JiraIssue]
    problems: list[Problem]
    phase_column: str | None
    left_out: Counter = field(default_factory=Counter)
    """What the import does not keep: "sprint values" -> how many."""
    names_by_id: dict[str, str] = field(default_factory=dict)
    """Account id (or user name) -> display name, from the ``... Id`` columns."""
    cleaned: int = 0
    """Cells whose control characters (terminal escapes, bidi marks) were taken out."""


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
    try:
        parsed = parse_localized(value)
    except ValueError:
        raise ValueError(f"cannot read the date {text!r}") from None
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


#: What stored text may not hold (``store.validate``): C0 controls but tab and newline,
#: DEL, C1 controls and bidi overrides. Jira keeps what was pasted into it.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _storable(cells: list[str]) -> tuple[list[str], int]:
    """The cells as text the board may store (Windows line ends become newlines), and
    how many lost a character on the way."""
    changed = 0
    for i, cell in enumerate(cells):
        if cell.isprintable():  # nothing to take out: the usual case
            continue
        text = cell.replace("\r\n", "\n")
        kept = _UNSTORABLE.sub("", text)
        changed += kept != text
        cells[i] = kept
    return cells, changed


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
    status_map: Mapping[str, Status] | None = None,
    columns: Mapping[str, str] | None = None,
) -> JiraFile:
    """Read a whole export; a file that is not a Jira CSV at all is a ``BadInput``.

    ``status_map`` maps Jira status names (any case) to ours; ``columns`` names a
    column for a field in a language the reader does not know ("issue key" ->
    "Schlüssel"). ``progress`` is called with the number of characters read.
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
    named = {" ".join(h.split()).lower(): f.lower() for f, h in (columns or {}).items()}
    header = [named.get(" ".join(c.split()).lower()) or english_column(c) for c in first[1]]
    by_title: dict[str, list[int]] = {}
    for index, title in enumerate(header):
        by_title.setdefault(title, []).append(index)
    for required in ("issue key", "summary", "created"):
        if required not in by_title:
            raise BadInput(
                f"{name}: no {required.capitalize()!r} column; export the issues from Jira "
                "with 'Export CSV (all fields)', or name the column in your language: "
                f"--column \"{required.capitalize()}=HEADER\""
            )
    phase_names: tuple[str, ...] = ()
    phase_column = None
    if phase_field is not None:
        phase_names = tuple(n for n in custom(phase_field) if n in by_title)
        if not phase_names:
            raise BadInput(f"{name}: no column 'Custom field ({phase_field})' or {phase_field!r}")
    else:
        phase_names = tuple(n for n in custom("Phase") if n in by_title)
    if phase_names:
        phase_column = phase_names[0]
    mapping = {normal(k): v for k, v in (status_map or {}).items()}
    left_out = [(by_title[c], what) for c, what in LEFT_OUT if c in by_title]
    links = [i for t, ix in by_title.items() if "issue link" in t for i in ix]
    ids = [(by_title[n + " id"], by_title[n]) for n in ("assignee", "reporter", "creator")
           if n in by_title and n + " id" in by_title]

    jira = JiraFile([], [], phase_column)
    seen: dict[str, int] = {}
    try:
        for line, cells in records:
            cells, cleaned = _storable(cells)
            jira.cleaned += cleaned
            row = _Row(by_title, cells)
            issue, problem = _read_issue(row, line, now, phase_names, default_phase, mapping)
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                problem = problem or f"{len(cells)} cells but the header has {len(header)}"
            if issue is not None and issue.key in seen and problem is None:
                problem = f"issue key repeated (first on line {seen[issue.key]})"
            if problem is not None:
                if isinstance(problem, str):
                    problem = Problem(line, row.get("issue key"), problem)
                jira.problems.append(problem)
                continue
            assert issue is not None
            seen[issue.key] = line
            jira.issues.append(issue)
            for indexes, what in left_out:
                jira.left_out[what] += sum(1 for i in indexes if i < len(cells) and cells[i])
            jira.left_out["issue links"] += sum(1 for i in links if i < len(cells) and cells[i])
            for id_columns, name_columns in ids:
                for i, j in zip(id_columns, name_columns, strict=False):
                    if i < len(cells) and j < len(cells) and cells[i] and cells[j]:
                        jira.names_by_id.setdefault(cells[i].strip(), cells[j].strip())
    except BadInput as exc:
        raise BadInput(f"{name}, {exc.message}") from None
    return jira


def _read_issue(
    row: _Row,
    line: int,
    now: datetime,
    phase_names: tuple[str, ...],
    default_phase: Phase | None,
    mapping: Mapping[str, Status],
) -> tuple[JiraIssue | None, str | Problem | None]:
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
    jira_status = row.get("status") or "To Do"
    category = row.get("status category")
    try:
        status, reason = map_status(jira_status, category, row.get("resolution"), mapping)
    except ValueError as exc:
        return None, Problem(line, key, str(exc), STATUS, jira_status.strip())
    labels = [part for cell in row.all("labels") for part in cell.split()]
    try:
        phase = _phase_of(row, phase_names, labels)
    except BadInput as exc:
        return None, exc.message
    is_epic = issue_type.strip().lower() in _EPIC_TYPES
    if phase is None and not is_epic:
        phase = default_phase
        if phase is None:
            return None, Problem(line, key, "no phase", PHASE)
    points_text = row.get(*custom("Story Points"), *custom("Story point estimate"))
    points = None
    if points_text:
        try:
            points = float(points_text.replace(",", "."))
        except ValueError:
            return None, f"Story Points {points_text!r} is not a number"
        if not math.isfinite(points) or points < 0:
            return None, f"Story Points {points_text!r} is not a positive number"
    seconds = None
    estimate_text = row.get("original estimate")
    if estimate_text:
        try:
            seconds = int(float(estimate_text))
        except ValueError:
            return None, f"Original Estimate {estimate_text!r} is not a number of seconds"
        if seconds < 0:
            return None, f"Original Estimate {estimate_text!r} is negative"
    assignee = row.get("assignee")
    parent = row.get("parent id", "parent")
    parent_key = row.get("parent key")
    if not parent_key and JIRA_KEY_RE.match(parent):
        parent_key = parent
    return JiraIssue(
        line=line,
        key=key,
        issue_id=row.get("issue id"),
        type="Epic" if is_epic else issue_type,
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
        parent=parent,
        epic_link=row.get(*custom("Epic Link")),
        epic_name=row.get(*custom("Epic Name")),
        description=row.get("description").replace("\r\n", "\n").replace("\r", "\n"),
        story_points=points,
        phase=phase,
        labels=labels,
        sprints=row.all("sprint"),
        parent_key=parent_key,
        project_name=row.get("project name"),
        epic_status=row.get(*custom("Epic Status")),
        original_estimate=seconds,
        comments=row.all("comment"),
        status_category=category,
    ), None


#: Issue types that are epics, in the languages of ``jira_locale``.
_EPIC_TYPES = {"epic", "épica", "epica", "épico", "epos", "эпик", "epic-vorgang"}
