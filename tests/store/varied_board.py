"""A board with a bit of everything, for the read-path tests: built through the
``Service`` (as people build it), plus the Jira links and labels an import leaves.

People active and inactive; projects with and without plans, owners, outcomes and Jira
keys; tasks in every status, with reasons, WIP overrides, estimates, labels and
sub-tasks; done and dropped, old (2025) and recent; deliverables and A/B tests; events
of many kinds. Moments with and without microseconds, and around daylight-saving changes
(given in Paris and New York time, stored in UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from mlkanban.domain.phases import Phase
from mlkanban.store.models import Project, Task
from mlkanban.store.service import Service
from tests.helpers import acting_as

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")

#: A done_at with microseconds, used as an exact boundary by the tests.
RECENT_DONE = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)
#: Paris, the night the clocks went back: 02:30 happened twice (00:30 and 01:30 UTC).
DST_FIRST = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)
DST_SECOND = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS)
#: New York, the night the clocks went back.
NY_FALL_BACK = datetime(2026, 11, 1, 1, 45, 30, 500000, fold=1, tzinfo=NEW_YORK)
#: Paris, one microsecond before the clocks went forward in spring 2025.
SPRING_EDGE = datetime(2025, 3, 30, 1, 59, 59, 999999, tzinfo=PARIS)

#: What a Jira import stores on tasks: (jira_key, jira_id, jira_parent, labels).
JIRA_TASKS = {
    "CHURN-1": ("ML-3", "10003", None, "ml Q1"),
    "CHURN-2": ("ML-4", "10004", None, "Data_Quality 100% analytics"),
    "CHURN-3": (None, None, "ML-3", "a_b"),        # a sub-task of CHURN-1
    "CHURN-4": (None, None, "ML-3", "axb ml"),     # another one
    "CHURN-5": ("ML-7", "10007", "ML-4", "Éval"),  # sub-task of CHURN-2, Jira key ML-7
    "CHURN-6": (None, None, "ML-999", "q1"),      # its parent is not on the board
    "FRAUD-1": ("CHURN-2", None, "10007", "ml"),  # a Jira key that is one of our keys
    "RANK-1": ("ML-8", "10008", None, ""),
}
#: What a Jira import stores on projects: their epic.
JIRA_PROJECTS = {"CHURN": "ML-1", "RANK": "ML"}


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0, *,
       micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, 0, micro, tzinfo=UTC)


def build(service: Service) -> Service:
    """Fill an empty board (``service`` acts as alice; the clock is 2026-11-23 10:00)."""
    s = service
    bob, carol = acting_as(s, "bob"), acting_as(s, "carol")
    s.add_person("alice", name="Alice Martin", wip_limit=2, at=at(2025, 1, 6, 8))
    s.add_person("bob", name="Bob Chen", at=at(2025, 1, 6, 8, micro=1))
    s.add_person("carol", name="Carol Zoë Müller", wip_limit=3, at=at(2025, 1, 6, 8, 5))
    s.add_person("dan", at=SPRING_EDGE)
    s.add_person("erin", name="Erin", at=at(2025, 4, 1))
    s.edit_person("erin", active=False, at=at(2025, 6, 1))
    s.edit_person("bob", wip_limit=2, name="Bob C.", at=at(2025, 6, 2))

    s.add_project("CHURN", "Churn prediction", hypothesis="Usage drops predict churn",
                  metric="recall@10", owner="alice",
                  plan={Phase.RESEARCH: 1, Phase.MODELING: 2.5, Phase.AB_TESTING: 3},
                  at=at(2025, 1, 7))
    s.add_project("FRAUD", "Fraud scores", description="Scores for the payments team",
                  owner="bob", plan={Phase.DATA_EXPLORATION: 0.5}, at=at(2025, 2, 3, 14, 20))
    s.add_project("RANK", "Search ranking", at=SPRING_EDGE)
    s.add_project("IDLE", "Nothing happened yet", at=at(2026, 1, 2))
    s.set_plan("CHURN", {Phase.RESEARCH: 1.5, Phase.MODELING: 0}, at=at(2025, 2, 1))

    # CHURN: one task per status, and then some.
    s.add_task("CHURN", "Frame the question", Phase.RESEARCH, at=at(2025, 1, 8))  # 1 todo
    s.add_task("CHURN", "Train a baseline", Phase.MODELING, owner="alice", estimate=3,
               description="LightGBM on the\nusage features", at=at(2025, 1, 9))  # 2
    s.add_task("CHURN", "Label audit", Phase.DATA_EXPLORATION, owner="bob", estimate=2,
               at=at(2025, 1, 10))  # 3
    s.add_task("CHURN", "Old feature study", Phase.RESEARCH, owner="alice", estimate=1,
               at=at(2025, 1, 13))  # 4
    s.add_task("CHURN", "Recent evaluation", Phase.MODELING, owner="carol", estimate=2,
               at=DST_FIRST)  # 5
    s.add_task("CHURN", "Dead end", Phase.RESEARCH, owner="bob", at=at(2025, 1, 14))  # 6
    s.add_task("CHURN", "Reopened work", Phase.MODELING, owner="alice", estimate=4,
               at=at(2026, 10, 1))  # 7
    s.add_task("CHURN", "Ship the scorer", Phase.AB_TESTING, owner="alice",
               at=at(2026, 11, 2, 8))  # 8

    s.start("CHURN-2", at=at(2025, 1, 13, 9))
    s.move("CHURN-2", Phase.DATA_EXPLORATION, at=at(2025, 1, 14, 10))
    s.move("CHURN-2", Phase.MODELING, at=DST_SECOND)
    bob.start("CHURN-3", at=at(2025, 1, 13, 9, micro=250000))
    bob.wait("CHURN-3", "GPU quota", at=at(2025, 1, 15, 12))
    s.start("CHURN-4", at=SPRING_EDGE)
    s.done("CHURN-4", at=SPRING_EDGE + timedelta(microseconds=1))
    carol.start("CHURN-5", at=DST_SECOND + timedelta(hours=1))
    carol.done("CHURN-5", at=RECENT_DONE)
    s.drop("CHURN-6", "the data does not exist", at=at(2025, 2, 1, 16))
    s.estimate("CHURN-7", 2, at=at(2026, 10, 2))
    s.start("CHURN-7", at=at(2026, 10, 5))
    s.done("CHURN-7", at=NY_FALL_BACK)
    s.reopen("CHURN-7", at=at(2026, 11, 3))
    s.edit_person("alice", wip_limit=1, at=at(2026, 11, 9, 8))
    s.start("CHURN-8", override="prod incident", at=at(2026, 11, 9, 8, 30))  # past her limit
    s.set_ab_test("CHURN-8", started_at=at(2026, 11, 10), duration_days=14, traffic_share=12.5,
                  control="rules v3", metric="retention", at=at(2026, 11, 9, 9))
    s.split("CHURN-2", "Calibrate the baseline", estimate=1, at=at(2026, 11, 16, 11))  # 9
    s.edit("CHURN-1", title="Frame the churn question", description="Which customers?",
           at=at(2026, 11, 17))
    s.assign("CHURN-1", "carol", at=at(2026, 11, 17, 12))
    s.assign("CHURN-1", None, at=at(2026, 11, 18, 12))
    s.deliver("CHURN", Phase.RESEARCH, "Problem statement", link="https://wiki/churn",
              at=at(2025, 1, 20))
    s.deliver("CHURN", Phase.MODELING, "Baseline notebook", at=RECENT_DONE)
    s.pivot("CHURN", "Dropped the survival model", at=at(2026, 11, 19))

    # FRAUD: closed with a negative outcome, its open tasks dropped on the way.
    bob.add_task("FRAUD", "Score drift check", Phase.DATA_EXPLORATION, owner="bob",
                 at=at(2025, 2, 4))
    bob.add_task("FRAUD", "Rule baseline", Phase.MODELING, estimate=5, at=at(2025, 2, 5))
    bob.start("FRAUD-1", at=at(2025, 2, 6))
    bob.done("FRAUD-1", at=at(2025, 3, 3, 17))
    bob.deliver("FRAUD", Phase.DATA_EXPLORATION, "Drift report", link="s3://reports/drift",
                at=at(2025, 3, 3, 17))
    bob.close_project("FRAUD", "negative", "no lift over the rules", drop_open=True,
                      at=at(2025, 3, 4))

    # RANK: no owner, no plan; IDLE: nothing at all.
    carol.add_task("RANK", "Collect judgements", Phase.RESEARCH, owner="carol",
                   at=at(2026, 11, 20, 9))
    carol.start("RANK-1", at=RECENT_DONE)
    s.edit_project("RANK", status="paused", metric="nDCG", at=at(2026, 11, 21))
    s.add_task("CHURN", "Undone on purpose", Phase.RESEARCH, at=at(2026, 11, 22))  # 10
    s.estimate("CHURN-10", 1, at=at(2026, 11, 22, 10))
    s.undo(at=at(2026, 11, 22, 11))
    stamp_jira(service)
    return s


def stamp_jira(service: Service) -> None:
    """The Jira links and labels an import would have written (no Service method sets
    them), through the ORM."""
    with Session(service.engine) as session:
        for task in session.exec(select(Task)):
            if task.key in JIRA_TASKS:
                task.jira_key, task.jira_id, task.jira_parent, task.labels = JIRA_TASKS[task.key]
                session.add(task)
        for project in session.exec(select(Project)):
            if project.key in JIRA_PROJECTS:
                project.jira_key = JIRA_PROJECTS[project.key]
                session.add(project)
        session.commit()
