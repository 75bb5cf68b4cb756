"""The demo team's four projects, as scripts of who did what on which working day.

Kept apart from ``demo`` (which replays them) because they are data told as code:
long, and read as a story rather than as logic.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from mlkanban.domain.phases import Phase

if TYPE_CHECKING:
    from mlkanban.demo import _Script as Script

R, D, M, P, A, S = (
    Phase.RESEARCH,
    Phase.DATA_EXPLORATION,
    Phase.MODELING,
    Phase.PRODUCTIZATION,
    Phase.AB_TESTING,
    Phase.RESULTS_ANALYSIS,
)


def _short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def search(s: Script) -> None:
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


def fraud(s: Script) -> None:
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


def demand(s: Script) -> None:
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


def churn(s: Script) -> None:
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
