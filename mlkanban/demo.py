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

from mlkanban.domain.clock import FixedClock, as_utc
from mlkanban.domain.errors import BadInput
from mlkanban.domain.phases import Phase
from mlkanban.domain.workdays import WorkCalendar
from mlkanban.store.service import Service

#: Working days of history before today.
HISTORY_DAYS = 30
SEED = 20260
R, D, M, P, A, S = (
    Phase.RESEARCH,
    Phase.DATA_EXPLORATION,
    Phase.MODELING,
    Phase.PRODUCTIZATION,
    Phase.AB_TESTING,
    Phase.RESULTS_ANALYSIS,
)

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


def _short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


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
    _search(s)
    _fraud(s)
    _demand(s)
    _churn(s)


def _search(s: _Script) -> None:
    """Search ranking: through its A/B test, now in Results Analysis."""
    s.done("priya", "SEARCH", R, "Survey learning-to-rank approaches for catalog search",
           3, -30, -28)
    s.done("priya", "SEARCH", R, "Execution plan: data sources, baselines and phase estimates",
           3, -27, -25, deliver=("Execution plan for search ranking",
                                 "docs/search/execution-plan.md"))
    s.done("jonas", "SEARCH", D, "Query log EDA: head vs tail queries, click position bias",
           5, -27, -23,
           deliver=("Query log exploration report", "notebooks/search/01_query_log_eda.ipynb"))
    s.done("priya", "SEARCH", M, "Train LambdaMART ranker on click-through labels", 5, -24, -20)
    s.done("jonas", "SEARCH", M, "Ranking features: BM25 score, freshness, popularity",
           3, -22, -19)
    s.done("priya", "SEARCH", M, "Offline eval: NDCG@10 vs BM25", 3, -19, -16,
           deliver=("Offline evaluation: NDCG@10 +4.1% over BM25",
                    "notebooks/search/03_offline_eval.ipynb"))
    s.done("jonas", "SEARCH", P, "Package the ranker as a scoring service behind a flag",
           4, -18, -15)
    s.done("jonas", "SEARCH", P, "Load test the ranker service at 2x peak QPS", 2, -14, -12,
           deliver=("Ranker service merged, with latency and score metrics",
                    "https://git.example.com/ml/search-ranker/pull/412"))
    s.done("priya", "SEARCH", A, "A/B test design: LambdaMART vs BM25 at 20% traffic",
           2, -12, -11, deliver=("Test design: 20% of traffic, search conversion, one week",
                                 "docs/search/ab-test-design.md"))
    run = s.started("priya", "SEARCH", A, "Run A/B test: LambdaMART ranker vs BM25", 1,
                    (-10, "09:35"))
    days = (s.date(-4) - s.date(-10)).days
    s.change("priya", s.at((-10, "09:50")), "set_ab_test", run,
             started_at=s.at((-10, "10:00")), duration_days=days, traffic_share=20,
             control="BM25 ordering", metric="search conversion rate")
    ends = s.date(-10) + timedelta(days=days - 1)
    s.change("priya", s.at((-10, "10:10")), "wait", run,
             f"A/B test collecting traffic, 20% split, until {_short(ends)}")
    s.change("priya", s.at((-4, "09:30")), "done", run)
    s.done("priya", "SEARCH", P, "Ranking latency dashboard: p95 by shard", 2, -6, -5)
    s.done("priya", "SEARCH", S, "Pull A/B metrics and check for sample ratio mismatch",
           2, (-4, "10:20"), -2)
    s.started("priya", "SEARCH", S, "Results readout: CTR and NDCG@10 by query segment", 3, -1)
    s.todo("priya", "SEARCH", S, "Error analysis: why did tail queries not improve?", 2, -2,
           owner="priya")
    s.todo("priya", "SEARCH", D, "Relabel 200 tail queries with the search quality team",
           2, -3)


def _fraud(s: _Script) -> None:
    """Fraud detection: its A/B test is collecting traffic; Diego waits on it."""
    s.done("diego", "FRAUD", R, "Literature and vendor scan: graph vs tabular fraud models",
           3, -30, -28)
    s.done("diego", "FRAUD", R, "Execution plan: labels, features and phase estimates",
           2, -27, -26, deliver=("Execution plan for fraud detection",
                                 "docs/fraud/execution-plan.md"))
    s.done("mei", "FRAUD", R, "Review fraud labels: chargebacks and manual review outcomes",
           2, -30, -29)
    s.done("mei", "FRAUD", D, "Chargeback delay and fraud profiles by merchant category",
           5, -28, -24)
    device = s.started("diego", "FRAUD", D, "Device and IP features: coverage and leakage check",
                       3, (-25, "09:40"))
    s.change("diego", s.at((-25, "14:10")), "wait", device,
             "Waiting for access to the payments warehouse (ticket DATA-2231)")
    s.done("diego", "FRAUD", R, "Interview fraud ops about the manual review workflow",
           1, (-24, "09:30"), -24)
    s.change("diego", s.at((-23, "09:25")), "start", device)
    s.change("diego", s.at((-22, "16:05")), "done", device)
    s.deliverable("diego", "FRAUD", D, s.at((-22, "16:05")), "Fraud data exploration report",
                  "notebooks/fraud/02_device_features.ipynb")
    s.done("mei", "FRAUD", M, "Train LightGBM baseline on the 2025 transaction cohort",
           4, -23, -20)
    s.done("diego", "FRAUD", M, "Offline eval: recall at 0.5% review rate vs rules engine",
           4, -21, -17, deliver=("Offline evaluation: +18% recall at equal review rate",
                                 "notebooks/fraud/04_offline_eval.ipynb"))
    s.done("mei", "FRAUD", M, "Calibrate scores and pick the threshold at 0.5% review rate",
           2, -19, -17)
    s.done("diego", "FRAUD", P, "Port scoring features to the streaming pipeline", 5, -16, -12)
    s.done("mei", "FRAUD", P, "Shadow-mode scoring on live transactions", 5, -16, -12)
    s.done("diego", "FRAUD", P, "Scorer service: review fixes and latency metrics", 2, -11, -10,
           deliver=("Fraud scorer merged behind a flag, with metrics",
                    "https://git.example.com/ml/fraud-scorer/pull/87"))
    s.done("diego", "FRAUD", A, "A/B test design: GBM scorer vs rules engine, 50/50",
           3, -9, -7, deliver=("Test design: 50/50 split, fraud loss bps, two weeks",
                               "docs/fraud/ab-test-design.md"))
    run = s.started("diego", "FRAUD", A, "Run A/B test: GBM scorer vs rules engine", 1,
                    (-6, "09:30"))
    s.change("diego", s.at((-6, "09:50")), "set_ab_test", run,
             started_at=s.at((-6, "10:00")), duration_days=14, traffic_share=50,
             control="rules engine v3", metric="fraud loss in bps at 0.5% review rate")
    ends = s.date(-6) + timedelta(days=13)
    s.change("diego", s.at((-6, "10:15")), "wait", run,
             f"A/B test collecting traffic, 50% split, until {_short(ends)}")
    s.done("diego", "FRAUD", S, "Readout template: fraud loss bps, false positives, review load",
           3, -5, -3)
    s.todo("diego", "FRAUD", S, "Readout: fraud loss bps and false-positive rate", 3, -3,
           owner="diego")
    s.todo("diego", "FRAUD", R, "Next iteration: graph features for mule accounts", None, -2,
           owner="diego")
    s.todo("diego", "FRAUD", P, "Add a SHAP summary to the fraud model card", 1, -9)
    hotfix = s.new("diego", "FRAUD", P, "Fix drift alert thresholds in the fraud scorer",
                   s.at((-1, "09:05")), estimate=2)
    s.change("diego", s.at((-1, "09:20")), "assign", hotfix, "mei")
    s.change("mei", s.at((-1, "10:05")), "start", hotfix,
             override="Drift alert pages on-call every hour; the fix cannot wait for the "
                      "reconciliation work")


def _demand(s: _Script) -> None:
    """Demand forecasting: modelling goes on while the data platform work lags."""
    s.done("marco", "DEMAND", R, "Survey of forecasting baselines: ETS, Prophet, LightGBM",
           3, -29, -27)
    s.done("jonas", "DEMAND", R, "Inventory of sales, promo and weather data sources",
           2, -29, -28)
    s.done("marco", "DEMAND", R, "Execution plan and phase estimates for demand forecasting",
           2, -26, -25, deliver=("Execution plan for demand forecasting",
                                 "docs/demand/execution-plan.md"))
    s.done("marco", "DEMAND", D, "Seasonality and holiday effects by category", 3, -24, -22)
    s.done("marco", "DEMAND", D, "Stockouts: how often do sales hit the inventory cap?",
           3, -21, -18, deliver=("Demand data exploration report",
                                 "notebooks/demand/02_stockouts.ipynb"))
    s.done("marco", "DEMAND", M, "Baselines and backtest harness: seasonal naive, ETS, 8 folds",
           5, -17, -13)
    s.done("marco", "DEMAND", M, "Train global LightGBM with promo and price features",
           5, -12, -8)
    s.done("mei", "DEMAND", M, "Price elasticity features from promo history", 3, -11, -9)
    s.done("mei", "DEMAND", M, "Quantile loss for P90 forecasts", 4, -8, -4)
    s.done("jonas", "DEMAND", P, "Containerize the forecasting job for the batch scheduler",
           3, -11, -8)
    horizon = s.started("marco", "DEMAND", M,
                        "Agree forecast horizon and error budget with supply chain", 1,
                        (-7, "09:35"))
    s.change("marco", s.at((-7, "11:20")), "wait", horizon,
             "Waiting for sign-off from supply-chain planning on the 4-week horizon")
    s.done("marco", "DEMAND", M, "Hyperparameter sweep for LightGBM (Optuna, 50 trials)",
           3, (-7, "13:30"), -4)
    s.started("marco", "DEMAND", M, "Offline backtest: WAPE by category vs seasonal naive",
              4, -3)
    s.started("mei", "DEMAND", M, "Reconcile store and category forecasts hierarchically",
              4, -3)
    backfill = s.started("jonas", "DEMAND", P,
                         "Backfill three years of store-level sales into the feature store",
                         3, -7)
    s.change("jonas", s.at((-2, "14:00")), "split", backfill,
             "Reconcile backfilled row counts with the finance ledger", estimate=2)
    s.todo("jonas", "DEMAND", P, "Forecast API: serve P50/P90 by store and category", 4, -5,
           owner="jonas")
    s.todo("marco", "DEMAND", A, "A/B test design: forecast-driven replenishment in 20 stores",
           2, -4, owner="marco")
    s.todo("mei", "DEMAND", M, "Quantile calibration check on holdout weeks", 2, -4,
           owner="mei")
    s.todo("marco", "DEMAND", P, "Nightly retraining with data quality gates", None, -6)


def _churn(s: _Script) -> None:
    """Churn prediction: a too-good AUC sends a task back to Data Exploration."""
    s.done("aisha", "CHURN", R, "Churn prediction: prior work and retention levers",
           2, -26, -25)
    s.done("aisha", "CHURN", R, "Define the churn label: 30-day inactivity vs cancellation",
           2, -24, -23, deliver=("Execution plan for churn prediction",
                                 "docs/churn/execution-plan.md"))
    s.done("aisha", "CHURN", D, "Usage feature inventory from the product event stream",
           4, -22, -19)
    s.done("priya", "CHURN", D, "Cohort retention curves by signup month", 3, -15, -13)
    s.done("aisha", "CHURN", D, "Missing values and outliers in billing data", 3, -18, -15,
           deliver=("Churn data exploration report (v1)", "notebooks/churn/01_eda.ipynb"))
    s.done("aisha", "CHURN", M, "Train LightGBM baseline on the 2025 cohort", 4, -14, -11)
    s.done("priya", "CHURN", D, "Sanity-check the event tables for duplicate sessions",
           3, -9, -7)
    s.done("aisha", "CHURN", M, "Offline eval: AUC and lift@10% vs a logistic baseline",
           3, -10, -8)
    gru = s.todo("aisha", "CHURN", M, "Train a GRU on clickstream sequences", 4, -8,
                 owner="aisha")
    s.done("aisha", "CHURN", M, "SHAP analysis of the LightGBM churn model", 2, -7, -5)
    audit = s.new("aisha", "CHURN", M,
                  "Explain the 0.97 AUC: suspicious lift from days_since_last_login",
                  s.at((-5, "15:50")), owner="aisha", estimate=3)
    s.done("aisha", "CHURN", D, "Feature freshness: when is each usage feature computed?",
           1, -4, -4)
    s.change("aisha", s.at(-3, "09:20", 60), "start", audit)
    s.change("aisha", s.at((-2, "11:00")), "move", audit, D)
    s.change("aisha", s.at((-2, "11:05")), "edit", audit,
             title="Label leakage audit of the churn features")
    s.change("aisha", s.at((-2, "11:10")), "estimate", audit, 5)
    s.change("aisha", s.at((-2, "11:30")), "drop", gru,
             "Pivot: the leakage audit comes first; sequence models wait for clean features")
    s.project("aisha", s.at((-2, "11:40")), "pivot", "CHURN",
              "Back to Data Exploration: days_since_last_login is computed after the "
              "cancellation date and leaks the label, so the 0.97 AUC is not real")
    s.todo("aisha", "CHURN", D, "Rebuild usage features with as-of-date joins", 4, -2,
           owner="aisha")
    s.todo("aisha", "CHURN", M, "Retrain LightGBM on the leakage-free features", 3, -2,
           owner="aisha")
    s.todo("aisha", "CHURN", R, "Literature scan: uplift models for retention offers", None, -2)


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
