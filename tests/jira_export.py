"""A Jira "Export CSV (all fields)" file as Jira writes it: BOM, CRLF, repeated headers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADER = [
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Priority",
    "Resolution", "Assignee", "Reporter", "Created", "Updated", "Last Viewed", "Resolved",
    "Labels", "Labels", "Sprint", "Sprint", "Description", "Custom field (Epic Link)",
    "Custom field (Epic Name)", "Custom field (Phase)", "Custom field (Story Points)",
    "Parent id", "Status Category",
]

#: One realistic team export: two epics, stories, a sub-task, a bug outside any epic.
ISSUES: list[dict[str, str | list[str]]] = [
    {"Summary": "Churn prediction", "Issue key": "ML-1", "Issue id": "10001",
     "Issue Type": "Epic", "Status": "In Progress", "Assignee": "José Álvarez",
     "Reporter": "Priya Raman", "Created": "02/Mar/24 9:00 AM", "Updated": "20/Mar/24 5:12 PM",
     "Custom field (Epic Name)": "Churn prediction",
     "Description": "Predict which customers leave within 30 days."},
    {"Summary": "Fraud detection v2", "Issue key": "ML-2", "Issue id": "10002",
     "Issue Type": "Epic", "Status": "Done", "Resolution": "Done", "Assignee": "Zoë Müller",
     "Reporter": "Priya Raman", "Created": "01/Mar/24 11:15 AM",
     "Updated": "28/Mar/24 10:00 AM", "Resolved": "28/Mar/24 10:00 AM"},
    {"Summary": "Define churn label", "Issue key": "ML-3", "Issue id": "10003",
     "Issue Type": "Story", "Status": "Done", "Resolution": "Done", "Assignee": "José Álvarez",
     "Reporter": "Priya Raman", "Created": "03/Mar/24 9:41 AM", "Updated": "05/Mar/24 4:30 PM",
     "Resolved": "05/Mar/24 4:30 PM", "Labels": ["ml", "q1"],
     "Custom field (Epic Link)": "ML-1", "Custom field (Phase)": "Research",
     "Custom field (Story Points)": "2.0", "Sprint": ["ML Sprint 1"]},
    {"Summary": "Explore usage logs", "Issue key": "ML-4", "Issue id": "10004",
     "Issue Type": "Story", "Status": "In Progress", "Assignee": "Zoë Müller",
     "Reporter": "José Álvarez", "Created": "06/Mar/24 10:00 AM",
     "Updated": "07/Mar/24 2:00 PM", "Labels": ["analytics", "eda"],
     "Sprint": ["ML Sprint 1", "ML Sprint 2"], "Custom field (Epic Link)": "ML-1",
     "Description": 'Look at:\r\n- "sessions", per day\r\n- events\r\n\r\nThen plot.',
     "Custom field (Story Points)": "3"},
    {"Summary": "Get access to the billing tables", "Issue key": "ML-5", "Issue id": "10005",
     "Issue Type": "Task", "Status": "Blocked", "Assignee": "Zoë Müller",
     "Reporter": "Zoë Müller", "Created": "07/Mar/24 8:05 AM", "Updated": "08/Mar/24 9:00 AM",
     "Custom field (Epic Link)": "ML-1", "Custom field (Phase)": "Data Exploration"},
    {"Summary": "Tune alert thresholds", "Issue key": "ML-6", "Issue id": "10006",
     "Issue Type": "Sub-task", "Status": "To Do", "Reporter": "Priya Raman",
     "Created": "13/Mar/2024 09:00", "Updated": "13/Mar/2024 09:00", "Parent id": "10007",
     "Custom field (Phase)": "modeling"},
    {"Summary": "Train gradient-boosted fraud model", "Issue key": "ML-7", "Issue id": "10007",
     "Issue Type": "Story", "Status": "Won't Do", "Resolution": "Won't Do",
     "Assignee": "José Álvarez", "Reporter": "Priya Raman", "Created": "12/Mar/2024 09:41",
     "Updated": "15/Mar/2024 18:00", "Resolved": "15/Mar/2024 18:00",
     "Custom field (Epic Link)": "ML-2", "Custom field (Phase)": "Modeling",
     "Custom field (Story Points)": "8"},
    {"Summary": "Fix feature leak in the scoring job", "Issue key": "ML-8", "Issue id": "10008",
     "Issue Type": "Bug", "Status": "Selected for Development", "Assignee": "Jose Alvarez",
     "Reporter": "Priya Raman", "Created": "2024-03-14T10:00:00",
     "Updated": "2024-03-14T10:30:00", "Labels": ["prod"]},
]


def render(issues: list[dict], header: list[str] = HEADER) -> bytes:
    """The file's bytes: UTF-8 with a BOM, CRLF line ends, every field quoted as Jira does."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for issue in issues:
        row, used = [], {}
        for name in header:
            value = issue.get(name, "")
            if isinstance(value, list):
                index = used.get(name, 0)
                used[name] = index + 1
                value = value[index] if index < len(value) else ""
            row.append(value)
        writer.writerow(row)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write(path: Path, issues: list[dict] = ISSUES, header: list[str] = HEADER) -> Path:
    path.write_bytes(render(issues, header))
    return path
