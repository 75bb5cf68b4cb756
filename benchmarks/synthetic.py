"""A large synthetic board for benchmarks: a year of a big team, in seconds.

The schema is made by the app's own migrations; the rows are then bulk-inserted through
the stdlib driver (``executemany``) instead of going through the service (which would
take hours at a million events), and the work logs are rebuilt once at the end, as
imports do. They are the rows the service would have written:
the same keys, timestamps and event conventions, every task's events in time order,
each person working on one task at a time (two where a ``wip_override`` event says
why), and each task's status matching its last status event.

    python benchmarks/synthetic.py PATH [--tasks 10000] [--events 100000] [--days 365]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mlkanban.domain.phases import PHASES, Phase
from mlkanban.store import work_logs
from mlkanban.store.engine import make_engine, remove_sqlite_database
from mlkanban.store.models import Event, Person, PhasePlan, Project, Task
from mlkanban.store.schema import ensure_schema

FIRST = (
    "alice", "bob", "chen", "dana", "emil", "farah", "gita", "hugo", "ines",
    "jamal", "kai", "lena", "mateo", "nora", "omar", "petra", "quinn", "rosa",
    "sven", "tara", "umar", "vera", "wei", "ximena", "yusuf", "zoe", "amir",
    "bea", "carl", "dilan",
)
LAST = (
    "Martin", "Chen", "Okafor", "Berg", "Tanaka", "Rossi", "Raman", "Silva", "Novak",
    "Kim", "Haddad", "Larsen", "Moreau", "Nguyen", "Costa", "Weber", "Ito", "Ahmed",
    "Fischer", "Lopez",
)
PROJECT_WORDS = (
    "CHURN", "FRAUD", "DEMAND", "SEARCH", "RECS", "PRICING", "ETA", "LTV", "ADS",
    "CTR", "SPAM", "TOXIC", "OCR", "ASR", "NER", "SENTIMENT", "ANOMALY", "ROUTING",
    "UPLIFT", "CREDIT", "RISK", "KYC", "TRIAGE", "DEDUP", "MATCH", "GEO", "IMAGE",
    "CAPTION", "TRANSLATE", "QA", "SUMMARY", "EMBED", "RANK", "BIDDING", "SUPPLY", "RETAIN",
    "ONBOARD", "FORECAST", "LEADS", "INVOICE",
)
TITLES = {
    Phase.RESEARCH: ("Literature review: {t}", "Execution plan and estimates for {t}",
                     "Interview stakeholders about {t}"),
    Phase.DATA_EXPLORATION: ("EDA of {t} inputs, batch {n}", "Label leakage audit for {t}",
                             "Missing values and outliers in {t} data"),
    Phase.MODELING: ("Train LightGBM baseline for {t}, v{n}", "Offline eval of {t} vs baseline",
                     "Hyperparameter sweep for {t} ({n} trials)"),
    Phase.PRODUCTIZATION: ("Package the {t} model as a service", "Monitoring for {t} drift",
                           "Backfill {t} features, part {n}"),
    Phase.AB_TESTING: ("A/B test design for {t}", "Run A/B test {n} for {t}",
                       "Ramp-up checks for {t} at {n}% traffic"),
    Phase.RESULTS_ANALYSIS: ("Readout of {t} test {n}", "Segment analysis of {t} results",
                             "Why did {t} underperform? Hypotheses"),
}
WAIT_REASONS = (
    "A/B test collecting traffic, 50% split",
    "Waiting for access to the data warehouse",
    "Waiting for code review",
    "GPU quota request pending",
    "Waiting for labels from the annotation team",
)
PHASE_WEIGHTS = (1, 3, 4, 3, 1, 1)


@dataclass
class _Plan:
    """What happens to one task, decided before any of its events is written."""

    project: int
    phase: Phase
    title: str
    created: datetime
    creator: int
    owner: int | None
    estimate: int | None
    worker: int | None = None
    began: datetime | None = None
    ended: datetime | None = None
    final: str = "todo"
    override: bool = False
    extras: int = 0

    def base_events(self) -> int:
        """Events the plan needs before any extra moves, estimates, edits or waits."""
        if self.worker is None:
            return 1 + (self.final == "dropped")
        return (2 + (self.estimate is None) + (self.owner is None) + self.override
                + (self.final != "in_progress"))


@dataclass
class _Task:
    """A task's row while its events are written, field for field as the service keeps it."""

    plan: _Plan
    phase: Phase
    owner: int | None
    estimate: int | None
    status: str = "todo"
    reason: str | None = None
    wip_override: str | None = None
    description: str = ""
    started: datetime | None = None
    status_at: datetime | None = None
    done: datetime | None = None
    updated: datetime | None = None
    events: list[dict] = field(default_factory=list)


class _Writer:
    """Writes one task's events the way the service does, keeping its row in step."""

    def __init__(self, rng: random.Random, handles: list[str]) -> None:
        self.rng = rng
        self.handles = handles

    def event(self, task: _Task, at: datetime, kind: str, actor: int, *, field=None,
              old=None, new=None, reason=None) -> None:
        task.events.append({
            "at": at, "actor": self.handles[actor], "kind": kind, "field": field,
            "old": None if old is None else str(old), "new": None if new is None else str(new),
            "reason": reason,
        })
        task.updated = at

    def status(self, task: _Task, at: datetime, new: str, actor: int, *, reason=None,
               override: str | None = None) -> None:
        if new == "in_progress":
            if override is not None:
                self.event(task, at, "wip_override", actor, field="wip", old=1, new=2,
                           reason=override)
            task.wip_override = override
            task.started = task.started or at
            task.done = None
        elif new == "done":
            task.done = at
        kind = "started" if new == "in_progress" else "status_changed"
        self.event(task, at, kind, actor, field="status", old=task.status, new=new,
                   reason=reason)
        task.status, task.status_at, task.reason = new, at, reason

    def extras(self, task: _Task, count: int, begin: datetime, end: datetime, actor: int,
               *, waits: bool) -> None:
        """``count`` more events between two moments: moves, estimates, edits, waits."""
        times = sorted(begin + (end - begin) * self.rng.random() for _ in range(count))
        i = 0
        while i < len(times):
            at, roll = times[i], self.rng.random()
            if waits and roll < 0.25 and i + 1 < len(times):
                self.status(task, at, "waiting", actor, reason=self.rng.choice(WAIT_REASONS))
                self.status(task, times[i + 1], "in_progress", actor)
                i += 2
                continue
            if roll < 0.5:  # mostly on to the next phase, sometimes back to the one before
                step = 1 if self.rng.random() < 0.7 else -1
                index = task.phase.index + step
                if not 0 <= index < len(PHASES):
                    index = task.phase.index - step
                new = PHASES[index]
                self.event(task, at, "moved_phase", actor, field="phase",
                           old=task.phase.value, new=new.value)
                task.phase = new
            elif roll < 0.7:
                new = self.rng.choice([d for d in (1, 2, 3, 4, 5) if d != task.estimate])
                self.event(task, at, "estimated", actor, field="estimate", old=task.estimate,
                           new=new)
                task.estimate = new
            else:
                text = f"Notes, revision {i + 1}: see the team notebook"
                self.event(task, at, "edited", actor, field="description",
                           old=task.description, new=text)
                task.description = text
            i += 1

    def story(self, plan: _Plan, now: datetime) -> _Task:
        task = _Task(plan, plan.phase, plan.owner, plan.estimate, status_at=plan.created)
        self.event(task, plan.created, "created", plan.creator, new=plan.title)
        if plan.worker is None:  # the backlog: never started
            actor = plan.owner if plan.owner is not None else plan.creator
            until = plan.created + (now - timedelta(minutes=30) - plan.created) * 0.9
            self.extras(task, plan.extras, plan.created, until, actor, waits=False)
            if plan.final == "dropped":
                self.status(task, until + timedelta(minutes=5), "dropped", actor,
                            reason="Out of scope after the quarterly review")
            return task
        worker, began = plan.worker, plan.began
        lead = began - plan.created
        if task.estimate is None:
            task.estimate = self.rng.randint(1, 5)
            self.event(task, plan.created + lead * 0.2, "estimated", worker, field="estimate",
                       new=task.estimate)
        if task.owner is None:
            self.event(task, plan.created + lead * 0.3, "assigned", plan.creator,
                       field="owner", new=self.handles[worker])
            task.owner = worker
        before = plan.extras // 3
        self.extras(task, before, plan.created + lead * 0.4, plan.created + lead * 0.95, worker,
                    waits=False)
        self.status(task, began, "in_progress", worker,
                    override="Production incident; the fix cannot wait" if plan.override
                    else None)
        finish = plan.ended or now - timedelta(minutes=30)
        # Current tasks never paused, so whoever overrode the limit really had two going.
        self.extras(task, plan.extras - before, began + (finish - began) * 0.02,
                    began + (finish - began) * 0.95, worker, waits=plan.final != "in_progress")
        if plan.final != "in_progress":
            reason = (self.rng.choice(WAIT_REASONS) if plan.final == "waiting"
                      else "Dropped after a pivot" if plan.final == "dropped" else None)
            self.status(task, plan.ended, plan.final, worker, reason=reason)
        return task


def build_large_database(
    path: Path | str,
    *,
    tasks: int = 10_000,
    events: int = 100_000,
    open_tasks: int = 1_000,
    people: int = 30,
    projects: int = 40,
    days: int = 365,
    now: datetime,
    seed: int = 1,
) -> dict[str, int]:
    """Write a fresh database at ``path``; return how many rows of each kind it holds."""
    rng = random.Random(seed)
    now = now.astimezone(UTC)
    start = now - timedelta(days=days)
    people = max(1, min(people, tasks // 4))
    projects = max(1, min(projects, tasks))
    open_tasks = max(people + 2, min(open_tasks, tasks // 2))
    handles = _handles(people)

    person_rows = [
        {"id": i + 1, "handle": h, "name": f"{h.capitalize()} {LAST[i % len(LAST)]}",
         "wip_limit": 2 if i % 10 == 9 else 1, "active": True, "created_at": start}
        for i, h in enumerate(handles)
    ]
    head = [_head_event(start, "person_added", row["handle"], person_id=row["id"],
                        new=row["handle"], reason=f"WIP limit {row['wip_limit']}")
            for row in person_rows]
    project_rows, plan_rows = [], []
    for i, key in enumerate(_project_keys(projects)):
        owner, created = handles[i % people], start + timedelta(seconds=10 + i)
        name = f"{key.capitalize()} model"
        project_rows.append({
            "id": i + 1, "key": key, "name": name, "description": "",
            "owner_id": i % people + 1,
            "hypothesis": f"A model improves {key.lower()} outcomes over the current rules",
            "metric": f"{key.lower()} uplift in an A/B test", "status": "active",
            "outcome": None, "outcome_why": None, "next_number": 1,
            "created_at": created, "updated_at": created,
        })
        head.append(_head_event(created, "project_added", owner, project_id=i + 1, new=name))
        for phase in PHASES:
            weeks = rng.choice((0.5, 1.0, 1.5, 2.0, 3.0))
            plan_rows.append({"project_id": i + 1, "phase": phase.value, "weeks": weeks})
            head.append(_head_event(created, "plan_set", owner, project_id=i + 1,
                                    field=phase.value, new=str(weeks)))

    plans = _plans(rng, start, now, people, projects, tasks, open_tasks)
    spare = max(0, events - len(head) - sum(p.base_events() for p in plans))
    for i in rng.choices(range(len(plans)), k=spare):
        plans[i].extras += 1
    writer = _Writer(rng, handles)
    stories = [writer.story(plan, now) for plan in plans]
    return _write(path, person_rows, project_rows, plan_rows, head, stories)


def _plans(rng: random.Random, start: datetime, now: datetime, people: int, projects: int,
           tasks: int, open_tasks: int) -> list[_Plan]:
    """Each person's tasks one after another over the whole history, then a backlog."""
    overriders = [p for p in range(people) if p % 10 != 9][: max(1, people // 15)]
    in_progress = people + len(overriders)
    waiting = max(1, open_tasks // 25)
    todo = max(0, open_tasks - in_progress - waiting)
    closed = max(0, tasks - todo - in_progress - waiting)
    dropped = closed // 100
    body = ["done"] * (closed - dropped) + ["dropped"] * (dropped - dropped // 2)
    rng.shuffle(body)
    lanes: list[list[str]] = [[] for _ in range(people)]
    for i, outcome in enumerate(body):
        lanes[i % people].append(outcome)
    for i in range(waiting):  # waits are recent: just before the current task
        lanes[i % people].append("waiting")
    weights = [rng.random() + 0.2 for _ in range(projects)]

    def new_plan(created: datetime) -> _Plan:
        project = rng.choices(range(projects), weights=weights)[0]
        phase = rng.choices(PHASES, weights=PHASE_WEIGHTS)[0]
        word = PROJECT_WORDS[project % len(PROJECT_WORDS)].lower()
        title = rng.choice(TITLES[phase]).format(t=word, n=rng.randint(1, 9))
        created = max(created, start + timedelta(hours=1))
        estimate = rng.randint(1, 5) if rng.random() < 0.7 else None
        return _Plan(project, phase, title, created, project % people, None, estimate)

    plans = []
    for person, lane in enumerate(lanes):
        lane = lane + ["in_progress"] * (2 if person in overriders else 1)
        span = (now - start - timedelta(hours=3)) / len(lane)
        for j, final in enumerate(lane):
            slot = start + timedelta(hours=2) + span * j
            plan = new_plan(slot - timedelta(days=10 * rng.random()))
            if rng.random() >= 0.2:  # most are written down by their owner
                plan.creator = plan.owner = person
            plan.worker, plan.final = person, final
            plan.began = slot + span * 0.1
            plan.ended = None if final == "in_progress" else slot + span * 0.9
            plan.override = final == "in_progress" and j == len(lane) - 1 and person in overriders
            plans.append(plan)
    for i in range(todo + dropped // 2):
        recent = (now - start) * min(1.0, 60 / max(1, (now - start).days))
        plan = new_plan(now - recent * rng.random() ** 2 - timedelta(hours=1))
        if rng.random() < 0.75:
            plan.owner = rng.randrange(people)
            plan.creator = plan.owner
        plan.final = "dropped" if i < dropped // 2 else "todo"
        plans.append(plan)
    return plans


def _head_event(at: datetime, kind: str, actor: str, **columns) -> dict:
    return {"at": at, "actor": actor, "kind": kind, "task_id": None, "project_id": None,
            "person_id": None, "field": None, "old": None, "new": None, "reason": None,
            **columns}


def _handles(count: int) -> list[str]:
    return [FIRST[i % len(FIRST)] + (str(i // len(FIRST) + 1) if i >= len(FIRST) else "")
            for i in range(count)]


def _project_keys(count: int) -> list[str]:
    keys = []
    for i in range(count):
        word = PROJECT_WORDS[i % len(PROJECT_WORDS)]
        keys.append(word if i < len(PROJECT_WORDS) else f"{word[:7]}{i // len(PROJECT_WORDS)}")
    return keys


def _write(path, person_rows, project_rows, plan_rows, head, stories) -> dict[str, int]:
    """Number tasks per project in creation order, then insert everything in one go."""
    stories.sort(key=lambda task: task.plan.created)
    task_rows, event_rows = [], list(head)
    for task_id, task in enumerate(stories, start=1):
        plan, project = task.plan, project_rows[task.plan.project]
        number = project["next_number"]
        project["next_number"] = number + 1
        project["updated_at"] = max(project["updated_at"], plan.created)
        task_rows.append({
            "id": task_id, "key": f"{project['key']}-{number}", "project_id": project["id"],
            "number": number, "title": plan.title, "description": task.description,
            "phase": task.phase.value,
            "owner_id": None if task.owner is None else task.owner + 1,
            "estimate": task.estimate, "status": task.status, "reason": task.reason,
            "wip_override": task.wip_override, "created_at": plan.created,
            "updated_at": task.updated, "started_at": task.started,
            "status_at": task.status_at, "done_at": task.done,
        })
        for event in task.events:
            event["task_id"], event["project_id"], event["person_id"] = task_id, project["id"], None
            event_rows.append(event)
    event_rows.sort(key=lambda event: event["at"])  # stable: same-moment events keep order
    uids = random.Random(len(event_rows))
    for event_id, event in enumerate(event_rows, start=1):
        event["id"] = event_id
        event["uid"] = uuid.UUID(int=uids.getrandbits(128), version=4).hex

    path = Path(path)
    remove_sqlite_database(path)
    engine = make_engine(str(path))
    try:
        ensure_schema(engine)  # the app's own migrations: a real board
    finally:
        engine.dispose()
    with closing(sqlite3.connect(path)) as conn:  # the driver itself: 1M rows in seconds
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # room for the indexes of 1M events
        with conn:
            for table, rows in ((Person, person_rows), (Project, project_rows),
                                (PhasePlan, plan_rows), (Task, task_rows), (Event, event_rows)):
                _insert_many(conn, table.__table__, rows)
    engine = make_engine(str(path))
    try:
        with engine.begin() as conn:
            work_logs.rebuild(conn)  # once, as the service keeps them, from the events
    finally:
        engine.dispose()
    return {"people": len(person_rows), "projects": len(project_rows),
            "tasks": len(task_rows), "events": len(event_rows)}


def _insert_many(conn: sqlite3.Connection, table, rows: list[dict]) -> None:
    """``executemany`` with values as SQLAlchemy stores them on SQLite (UTC timestamps
    without an offset, always with microseconds)."""
    if not rows:
        return
    names = list(rows[0])
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" * len(names))
    conn.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})',
                     ([_stored(row[name]) for name in names] for row in rows))


def _stored(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=1_000, dest="open_tasks",
                        help="tasks not done (default 1000)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = build_large_database(
        args.path, tasks=args.tasks, events=args.events, open_tasks=args.open_tasks,
        days=args.days, now=datetime.now(UTC), seed=args.seed,
    )
    seconds = time.perf_counter() - started
    print(", ".join(f"{n} {kind}" for kind, n in counts.items()) + f" in {seconds:.1f} s")


if __name__ == "__main__":
    main()
