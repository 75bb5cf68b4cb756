"""A realistic demo team, built afresh relative to "now".

Six weeks of a four-project ML team are replayed through the service layer with a
clock that moves forward, so every card, event, metric and report on the demo board
is real history. The story is a script (who did what on which working day); a
seeded random number only jitters the minutes, so the same ``now`` always gives the
same database.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine

from mlkanban import demo_stories
from mlkanban.demo_stories import A, D, M, P, R, S
from mlkanban.domain.clock import FixedClock, as_utc
from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import Phase
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store.service import Service

#: Working days of history before today.
HISTORY_DAYS = 30
SEED = 20260

#: (handle, name, WIP limit)
#: Who the demo board acts as unless ``--as`` or ``MLKANBAN_USER`` says otherwise, so
#: that starting a task in the demo works for whoever tries it.
DEMO_ACTOR = "priya"

PEOPLE = (
    ("priya", "Priya Raman", 1),
    ("marco", "Marco Rossi", 2),
    ("aisha", "Aisha Okafor", 1),
    ("jonas", "Jonas Berg", 1),
    ("mei", "Mei Tanaka", 1),
    ("diego", "Diego Álvarez", 1),
)


@dataclass(frozen=True)
class ProjectSpec:
    key: str
    name: str
    owner: str
    kickoff: int
    description: str
    hypothesis: str
    metric: str
    plan: dict[Phase, float]


PROJECTS = (
    ProjectSpec(
        "SEARCH", "Search ranking", "priya", -30,
        "Replace BM25 ordering of catalog search results with a learned ranker.",
        "A LambdaMART ranker trained on click logs improves NDCG@10 and search "
        "conversion over BM25.",
        "Search conversion rate in the A/B test; NDCG@10 offline",
        {R: 1, D: 1, M: 2, P: 1.5, A: 1.5, S: 1},
    ),
    ProjectSpec(
        "FRAUD", "Fraud detection", "diego", -30,
        "Score card payments in real time so that manual review sees the riskiest ones.",
        "A gradient-boosted scorer catches more fraud than the rules engine at the same "
        "manual review rate.",
        "Fraud loss in basis points at a 0.5% review rate",
        {R: 1, D: 1.5, M: 1.5, P: 2, A: 2, S: 1},
    ),
    ProjectSpec(
        "DEMAND", "Demand forecasting", "marco", -29,
        "Daily store x category forecasts that drive replenishment orders.",
        "A global LightGBM model with promo and price features beats seasonal-naive "
        "forecasts by 15% WAPE at store-category level.",
        "WAPE on an 8-fold rolling-origin backtest",
        {R: 1, D: 1.5, M: 3, P: 2, A: 3, S: 1},
    ),
    ProjectSpec(
        "CHURN", "Churn prediction", "aisha", -26,
        "Predict which subscribers will cancel in the next 30 days, for retention offers.",
        "Drops in weekly product usage predict cancellation 30 days ahead well enough "
        "to target retention offers.",
        "Lift@10% on the holdout month; retention offer uptake",
        {R: 1, D: 1.5, M: 2, P: 2, A: 2, S: 1},
    ),
)

#: When a day is given as a number it is "working days before today" (-1 is the last
#: working day before today); a tuple adds an exact local time "HH:MM".
Day = int | tuple[int, str]


@dataclass
class _Ref:
    """A task's key, known once the step that creates it has run."""

    key: str = ""


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    actor: str = field(compare=False)
    run: Callable[[Service, datetime], object] = field(compare=False)


class _Script:
    """Collects the story's changes, then replays them in time order."""

    def __init__(self, days: list[date], rng: random.Random) -> None:
        self.days = days
        self.rng = rng
        self.steps: list[_Step] = []

    # time

    def date(self, day: int) -> date:
        return self.days[day]

    def at(self, day: Day, earliest: str = "09:20", spread: int = 0) -> datetime:
        if isinstance(day, tuple):  # an exact time: no jitter
            day, clock_time = day
            spread = 0
        else:
            clock_time = earliest
        hour, minute = map(int, clock_time.split(":"))
        local = datetime.combine(self.days[day], time(hour, minute))
        if spread:
            local += timedelta(minutes=self.rng.randrange(0, spread, 5))
        return local.astimezone(UTC)  # a naive datetime is read as local time

    def add(self, at: datetime, actor: str, run: Callable[[Service, datetime], object]) -> None:
        self.steps.append(_Step(at, len(self.steps), actor, run))

    # task changes

    def new(
        self,
        actor: str,
        project: str,
        phase: Phase,
        title: str,
        when: datetime,
        *,
        owner: str | None = None,
        estimate: int | None = None,
    ) -> _Ref:
        ref = _Ref()

        def run(service: Service, at: datetime) -> None:
            ref.key = service.add_task(
                project, title, phase, owner=owner, estimate=estimate, at=at
            ).key

        self.add(when, actor, run)
        return ref

    def change(self, actor: str, when: datetime, method: str, ref: _Ref, *args, **kw) -> None:
        self.add(when, actor, lambda s, at: getattr(s, method)(ref.key, *args, at=at, **kw))

    def project(self, actor: str, when: datetime, method: str, key: str, *args, **kw) -> None:
        self.add(when, actor, lambda s, at: getattr(s, method)(key, *args, at=at, **kw))

    def done(
        self,
        owner: str,
        project: str,
        phase: Phase,
        title: str,
        estimate: int | None,
        start: Day,
        end: Day,
        *,
        deliver: tuple[str, str] | None = None,
    ) -> _Ref:
        """The common case: created a few days ahead, started, finished."""
        ref = self.started(owner, project, phase, title, estimate, start)
        finished = self.at(end, "15:10", 150)
        self.change(owner, finished, "done", ref)
        if deliver is not None:
            self.deliverable(owner, project, phase, finished, *deliver)
        return ref

    def started(
        self,
        owner: str,
        project: str,
        phase: Phase,
        title: str,
        estimate: int | None,
        start: Day,
    ) -> _Ref:
        """Created a few days ahead by its owner, and started."""
        begun = self.at(start, "09:20", 80)
        ref = self.new(
            owner, project, phase, title, self._created(project, begun),
            owner=owner, estimate=estimate,
        )
        self.change(owner, begun, "start", ref)
        return ref

    def todo(
        self,
        creator: str,
        project: str,
        phase: Phase,
        title: str,
        estimate: int | None,
        created: int,
        *,
        owner: str | None = None,
    ) -> _Ref:
        return self.new(
            creator, project, phase, title, self.at(created, "09:40", 420),
            owner=owner, estimate=estimate,
        )

    def deliverable(
        self, actor: str, project: str, phase: Phase, when: datetime, title: str, link: str
    ) -> None:
        later = when + timedelta(minutes=10)
        self.project(actor, later, "deliver", project, phase, title, link=link)
        if phase is R:
            plan = next(p.plan for p in PROJECTS if p.key == project)
            self.project(actor, later + timedelta(minutes=5), "set_plan", project, plan)

    def _created(self, project: str, start: datetime) -> datetime:
        """Tasks are written down one to four working days before they start."""
        kickoff = next(p.kickoff for p in PROJECTS if p.key == project)
        start_day = self.days.index(start.astimezone().date()) - len(self.days)
        day = max(start_day - self.rng.randint(1, 4), kickoff)
        if day == start_day:
            return start - timedelta(minutes=15)
        return self.at(day, "09:40", 420)

    def replay(self, engine: Engine, clock: FixedClock, calendar: WorkCalendar) -> None:
        services: dict[str, Service] = {}
        for step in sorted(self.steps):
            clock.set(step.at)
            service = services.get(step.actor)
            if service is None:
                service = services[step.actor] = Service(
                    engine, actor=step.actor, clock=clock, calendar=calendar, migrate=False
                )
            step.run(service, step.at)


def _working_days_before(today: date, count: int, calendar: WorkCalendar) -> list[date]:
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return days[::-1]


def _story(s: _Script) -> None:
    """Who did what, day by day. Each person works on one task at a time."""
    lead = PEOPLE[0][0]  # who sets the board up: only a person on it may add the others
    for i, (handle, name, limit) in enumerate(PEOPLE):
        s.add(s.at((-30, f"08:{30 + i}")), lead,
              lambda svc, at, h=handle, n=name, w=limit: svc.add_person(
                  h, name=n, wip_limit=w, at=at))
    for spec in PROJECTS:
        s.add(s.at((spec.kickoff, "09:00")), spec.owner,
              lambda svc, at, p=spec: svc.add_project(
                  p.key, p.name, description=p.description, hypothesis=p.hypothesis,
                  metric=p.metric, owner=p.owner, at=at))
    demo_stories.search(s)
    demo_stories.fraud(s)
    demo_stories.demand(s)
    demo_stories.churn(s)


def populate_demo(
    engine: Engine, *, now: datetime, calendar: WorkCalendar | None = None
) -> None:
    """Fill an empty, migrated database with six weeks of a team's work up to ``now``."""
    now = as_utc(now)
    calendar = calendar or WorkCalendar()
    clock = FixedClock(now)
    if any(Service(engine, actor="demo", clock=clock, migrate=False).counts().values()):
        raise BadInput("the demo needs an empty database")
    today = now.astimezone().date()
    script = _Script(_working_days_before(today, HISTORY_DAYS, calendar), random.Random(SEED))
    _story(script)
    script.replay(engine, clock, calendar)


def demo_db_path() -> Path:
    """Where ``mlkanban demo`` keeps its database (rebuilt on every run)."""
    from mlkanban.config import data_dir

    return data_dir() / "demo.db"


def create_demo_database(
    path: Path, *, now: datetime, calendar: WorkCalendar | None = None
) -> Path:
    """Replace ``path`` with a fresh demo database relative to ``now``."""
    from mlkanban.store.engine import make_engine, remove_sqlite_database
    from mlkanban.store.schema import ensure_schema

    path = Path(path)
    remove_sqlite_database(path)
    engine = make_engine(str(path))
    try:
        ensure_schema(engine)
        populate_demo(engine, now=now, calendar=calendar)
    finally:
        engine.dispose()
    return path
