"""``project show``: a project's record gathered from the service, as data and as text."""

from __future__ import annotations

from collections import Counter

from mlkanban.commands.common import local_time
from mlkanban.domain.phases import PHASES
from mlkanban.domain.statuses import Status


def project_record(service, key: str) -> dict:
    """Everything a lead wants to know about one project, JSON-ready."""
    project = service.require_project(key)
    tasks = service.tasks(project=project.key)
    events = service.project_events(project.key)
    counts = Counter((t.phase, t.status) for t in tasks)
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
    open_tasks = [t for t in tasks if t.status.is_open]
    current = max(
        (t for t in open_tasks if t.status is Status.IN_PROGRESS),
        key=lambda t: t.status_at, default=None,
    )
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
        "current_phase": current.phase.value if current else None,
        "phases": phases,
        "deliverables": [
            {"phase": d.phase.value, "title": d.title, "link": d.link,
             "reached_at": d.reached_at.isoformat()}
            for d in service.deliverables(project.key)
        ],
        "pivots": [
            {"at": e.at.isoformat(), "actor": e.actor, "text": e.new}
            for e in events if e.kind == "pivot"
        ],
        "tasks": {"total": len(tasks), "open": len(open_tasks),
                  "done": sum(1 for t in tasks if t.status is Status.DONE)},
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
