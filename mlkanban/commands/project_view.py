"""``project show``: a project's record gathered from the service, as data and as text."""

from __future__ import annotations

from collections import Counter

from mlkanban.commands.common import local_time
from mlkanban.domain import phases as phase_values
from mlkanban.domain import statuses as status_values
from mlkanban.domain.phases import PHASES
from mlkanban.domain.statuses import OPEN_STATUSES, Status

_OF_PROJECT = " JOIN project p ON {}.project_id = p.id WHERE p.key = ?"


def project_record(service, key: str) -> dict:
    """Everything a lead wants to know about one project, JSON-ready.

    Counted and picked in SQL, not from every task and event of the project as views:
    a big project holds thousands of tasks and tens of thousands of events.
    """
    from mlkanban.store import queries
    from mlkanban.store.sql import moment
    from mlkanban.store.views import iso_text

    project = service.require_project(key)
    with service.read() as sql:
        counts = Counter({
            (phase_values.BY_VALUE[phase], status_values.BY_VALUE[status]): count
            for phase, status, count in sql.rows(
                "SELECT t.phase, t.status, count(*) FROM task t" + _OF_PROJECT.format("t")
                + " GROUP BY t.phase, t.status", (project.key,))
        })
        # the one started last is where the project is now (the first such, in key order)
        running = sql.rows("SELECT t.phase, t.status_at FROM task t" + _OF_PROJECT.format("t")
                           + " AND t.status = 'in_progress' ORDER BY t.number", (project.key,))
        pivots = sql.rows("SELECT e.at, e.actor, e.new FROM event e" + _OF_PROJECT.format("e")
                          + " AND e.kind = 'pivot' ORDER BY e.at, e.id", (project.key,))
        deliverables = queries.deliverables(sql, project.key)
    phases = []
    for phase in PHASES:
        phases.append({
            "phase": phase.value,
            "title": phase.title,
            "planned_weeks": project.plan.get(phase),
            "open": sum(
                counts[(phase, s)] for s in (Status.TODO, Status.IN_PROGRESS, Status.WAITING)
            ),
            "done": counts[(phase, Status.DONE)],
        })
    current = max(running, key=lambda row: moment(row[1]), default=None)
    return {
        "key": project.key,
        "name": project.name,
        "status": project.status,
        "owner": project.owner,
        "description": project.description,
        "hypothesis": project.hypothesis,
        "metric": project.metric,
        "outcome": project.outcome,
        "outcome_why": project.outcome_why,
        "jira_key": project.jira_key,
        "current_phase": current[0] if current else None,
        "phases": phases,
        "deliverables": [
            {"phase": d.phase.value, "title": d.title, "link": d.link,
             "reached_at": d.reached_at.isoformat()}
            for d in deliverables
        ],
        "pivots": [{"at": iso_text(at), "actor": actor, "text": text}
                   for at, actor, text in pivots],
        "tasks": {"total": sum(counts.values()),
                  "open": sum(n for (_, status), n in counts.items() if status in OPEN_STATUSES),
                  "done": sum(n for (_, status), n in counts.items() if status is Status.DONE)},
    }


def render_project(record: dict) -> str:
    from datetime import datetime

    lines = [f"{record['key']}  {record['name']}  [{record['status']}]"]
    if record["owner"]:
        lines.append(f"  owner       {record['owner']}")
    lines.append(f"  hypothesis  {record['hypothesis'] or '(none stated)'}")
    lines.append(f"  metric      {record['metric'] or '(none stated)'}")
    if record["outcome"]:
        lines.append(f"  outcome     {record['outcome']} — {record['outcome_why']}")
    tasks = record["tasks"]
    lines.append(
        f"  tasks       {tasks['open']} open, {tasks['done']} done, {tasks['total']} in all"
    )
    lines += ["", "Plan (weeks) and tasks per phase"]
    delivered = {d["phase"] for d in record["deliverables"]}
    for phase in record["phases"]:
        plan = f"{phase['planned_weeks']:g}w" if phase["planned_weeks"] is not None else "-"
        mark = "✓" if phase["phase"] in delivered else " "
        current = "  ← now" if phase["phase"] == record["current_phase"] else ""
        lines.append(
            f"  {mark} {phase['title']:<17} plan {plan:>5}   {phase['open']} open, "
            f"{phase['done']} done{current}"
        )
    if record["deliverables"]:
        lines += ["", "Deliverables"]
        for item in record["deliverables"]:
            when = local_time(datetime.fromisoformat(item["reached_at"]), "%Y-%m-%d")
            link = f"  {item['link']}" if item["link"] else ""
            lines.append(f"  ✓ {when}  {item['phase']:<17} {item['title']}{link}")
    if record["pivots"]:
        lines += ["", "Pivots"]
        for pivot in record["pivots"]:
            when = local_time(datetime.fromisoformat(pivot["at"]), "%Y-%m-%d")
            lines.append(f"  {when}  {pivot['text']}")
    return "\n".join(lines)
