"""What the command line costs with nothing but Python and its sqlite3 module: the
reference that ``bench_cli.py`` measures ``mlkanban`` against.

Each command runs the query that its ``mlkanban`` namesake needs and prints the same
table (or JSON, or line), converting values only where it shows them:

    python benchmarks/plain_sqlite.py DB ls [--all] [--json]
    python benchmarks/plain_sqlite.py DB show KEY
    python benchmarks/plain_sqlite.py DB wait KEY REASON   (one transaction: the task's
    python benchmarks/plain_sqlite.py DB start KEY          row, its work log, an event)
    python benchmarks/plain_sqlite.py DB report

``report`` prints this week's per-person and per-project tables (from the tasks alive
this week and the week's events); it draws no charts, so it is a lower bound.
No A/B test progress, holidays or terminal-width truncation either.
"""

import json
import os
import sqlite3
import sys
import uuid
from datetime import UTC, date, datetime, timedelta

OPEN = ("todo", "in_progress", "waiting")
MARKS = {"todo": "○ to do", "in_progress": "▶ in progress", "waiting": "‖ waiting",
         "done": "✓ done", "dropped": "✗ dropped"}
TASKS = """
SELECT t.key, t.title, p.key, t.phase, o.handle, t.status, t.estimate, t.reason,
       t.wip_override, t.created_at, t.started_at, t.done_at, t.jira_key, t.labels
FROM task t JOIN project p ON p.id = t.project_id LEFT JOIN person o ON o.id = t.owner_id
{where} ORDER BY p.key, t.number
"""


def moment(text):
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def iso(text):
    """A stored timestamp (UTC, always with microseconds) as the JSON shows it."""
    return None if text is None else f"{text[:10]}T{text[11:]}+00:00"


_OFFSETS: dict[str, timedelta] = {}


def local_date(text: str) -> date:
    """The local date of a stored timestamp; the UTC offset is looked up once an hour."""
    hour = text[:13]
    offset = _OFFSETS.get(hour)
    if offset is None:
        offset = _OFFSETS[hour] = moment(hour + ":00:00").astimezone().utcoffset()
    return (datetime.fromisoformat(text[:19]) + offset).date()


def working_days(first: date, last: date) -> int:
    """Monday to Friday from ``first`` to ``last``, both counted."""
    if last < first:
        return 0
    weeks, extra = divmod((last - first).days + 1, 7)
    days = weeks * 5
    for offset in range(extra):
        if (first.weekday() + offset) % 7 < 5:
            days += 1
    return days


def age(row, today: date):
    started, done, status = row[10], row[11], row[5]
    if started is None:
        return None
    last = local_date(done) if done and status == "done" else today
    return working_days(local_date(started), last)


def table(headers, rows) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [headers, *rows]]
    return "\n".join(lines)


def ls(conn, show_all: bool, as_json: bool) -> None:
    where = "" if show_all else f"WHERE t.status IN {OPEN}"
    today = date.today()
    cursor = conn.execute(TASKS.format(where=where))
    if as_json:  # streamed, a thousand tasks at a time
        out, chunk = sys.stdout, []
        out.write("[")
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for i, row in enumerate(cursor):
            days = age(row, today)
            chunk.append(("," if i else "") + encode({
                "key": row[0], "title": row[1], "project": row[2], "phase": row[3],
                "owner": row[4], "status": row[5], "estimate": row[6], "reason": row[7],
                "wip_override": row[8], "created_at": iso(row[9]), "started_at": iso(row[10]),
                "done_at": iso(row[11]), "jira_key": row[12], "parent": None,
                "labels": row[13].split() if row[13] else [], "age": days,
                "over_size": row[5] == "in_progress" and days is not None
                and days > min(row[6] or 5, 5),
            }))
            if len(chunk) == 1000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk) + "]\n")
        return
    rows = []
    for row in cursor:
        days = age(row, today)
        flags = []
        if row[5] == "in_progress" and days is not None and days > min(row[6] or 5, 5):
            flags.append("OVER SIZE")
        if row[8] and row[5] == "in_progress":
            flags.append("WIP OVERRIDE")
        if row[7]:
            flags.append(row[7])
        rows.append([row[0], MARKS[row[5]], row[3], row[4] or "-",
                     str(row[6]) if row[6] else "?", f"{days}d" if days is not None else "",
                     row[1] + (f"  [{'; '.join(flags)}]" if flags else "")])
    print(table(["KEY", "STATUS", "PHASE", "OWNER", "EST", "AGE", "TITLE"], rows))


def show(conn, key: str) -> None:
    row = conn.execute(TASKS.format(where="WHERE t.key = ?"), (key,)).fetchone()
    if row is None:
        sys.exit(f"no task {key}")
    print(f"{row[0]}  {row[1]}")
    for name, value in (("project", row[2]), ("phase", row[3]), ("status", MARKS[row[5]]),
                        ("owner", row[4] or "-"), ("estimate", row[6])):
        print(f"  {name:<9} {value}")
    events = conn.execute(
        "SELECT e.at, e.actor, e.kind, e.field, e.old, e.new, e.reason FROM event e "
        "JOIN task t ON t.id = e.task_id WHERE t.key = ? ORDER BY e.id", (key,)).fetchall()
    print(f"\nHistory ({len(events)} events)")
    for at, actor, kind, field, old, new, reason in events:
        when = moment(at).astimezone().strftime("%Y-%m-%d %H:%M")
        what = f"{field or kind} {old or ''} → {new or ''}" if field else f"{kind} “{new}”"
        print(f"  {when}  {actor:<9}  {what}" + (f" — {reason}" if reason else ""))


def change_status(conn, key: str, new: str, reason) -> None:
    """One transaction, as the service writes it: the row, its work log, one event."""
    actor = os.environ.get("MLKANBAN_USER", "alice")
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT id, project_id, owner_id, status, phase, work_log FROM task "
                           "WHERE key = ?", (key,)).fetchone()
        task_id, project_id, owner_id, old, phase, log = row
        if new == "in_progress":
            busy, limit = conn.execute(
                "SELECT count(*), (SELECT wip_limit FROM person WHERE id = ?) FROM task "
                "WHERE status = 'in_progress' AND owner_id = ?", (owner_id, owner_id)).fetchone()
            if busy >= limit:
                sys.exit(f"{key}: refused, over the WIP limit")
        pieces = json.loads(log)
        micros = int(now.timestamp() * 1_000_000)
        if new == "in_progress":
            pieces.append([phase, micros, None, 0])
        elif pieces and pieces[-1][2] is None:
            pieces[-1][2] = micros
        conn.execute("UPDATE task SET status = ?, reason = ?, status_at = ?, updated_at = ?, "
                     "work_log = ? WHERE id = ?",
                     (new, reason, stamp, stamp, json.dumps(pieces), task_id))
        conn.execute(
            "INSERT INTO event (uid, at, actor, kind, project_id, task_id, field, old, new, "
            "reason, change) VALUES (?, ?, ?, ?, ?, ?, 'status', ?, ?, ?, ?)",
            (uuid.uuid4().hex, stamp, actor,
             "started" if new == "in_progress" else "status_changed", project_id, task_id,
             old, new, reason, uuid.uuid4().hex))
    print(f"{key}: {MARKS[old][2:]} → {MARKS[new][2:]}")


def report(conn) -> None:
    today = date.today()
    start = today - timedelta(days=today.weekday())
    since = datetime.combine(start, datetime.min.time()).astimezone(UTC)
    since_text = since.strftime("%Y-%m-%d %H:%M:%S.%f")
    people = conn.execute("SELECT id, handle FROM person WHERE active ORDER BY handle").fetchall()
    alive = conn.execute(
        TASKS.format(where="WHERE t.status IN ('todo', 'in_progress', 'waiting') "
                     "OR t.status_at >= ?"), (since_text,)).fetchall()
    week = conn.execute(
        "SELECT e.kind, e.field, e.new, t.key, p.key FROM event e JOIN task t ON t.id = e.task_id "
        "JOIN project p ON p.id = t.project_id WHERE e.at >= ?", (since_text,)).fetchall()
    print(f"# Week of {start.isoformat()}\n\n## People\n")
    rows = []
    for _, handle in people:
        mine = [r for r in alive if r[4] == handle]
        current = next((r for r in mine if r[5] == "in_progress"), None)
        done = [r[0] for r in mine if r[5] == "done"]
        waiting = [f"{r[0]} ({r[7]})" for r in mine if r[5] == "waiting"]
        rows.append([handle, f"{current[0]} {current[3]} {age(current, today)}d" if current
                     else "—", ", ".join(done) or "—", ", ".join(waiting) or "—"])
    print(md(["person", "in progress", "done this week", "waiting"], rows))
    print("\n## Projects\n")
    counts: dict[str, list[int]] = {}
    for kind, field, new, _, project in week:
        c = counts.setdefault(project, [0, 0, 0])
        c[0] += field == "status" and new == "done"
        c[1] += kind == "started"
        c[2] += kind == "moved_phase"
    print(md(["project", "done", "started", "moved"],
             [[p, *map(str, c)] for p, c in sorted(counts.items())]))


def md(headers, rows) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main() -> None:
    if len(sys.argv) < 3 or "--help" in sys.argv or "-h" in sys.argv:
        print(__doc__)
        return
    db, command, *rest = sys.argv[1:]
    conn = sqlite3.connect(db, isolation_level=None if command in ("wait", "start") else "")
    if command == "ls":
        ls(conn, "--all" in rest, "--json" in rest)
    elif command == "show":
        show(conn, rest[0])
    elif command == "wait":
        change_status(conn, rest[0], "waiting", rest[1])
    elif command == "start":
        change_status(conn, rest[0], "in_progress", None)
    elif command == "report":
        report(conn)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
