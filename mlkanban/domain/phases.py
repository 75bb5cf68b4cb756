"""The six ML phases: the board's columns (DESIGN.md §3).

Phases are not sequential: a task may move back from Modeling to Data Exploration.
The order only decides how columns are laid out and what "moved back" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mlkanban.domain.errors import BadInput


class Phase(StrEnum):
    RESEARCH = "research"
    DATA_EXPLORATION = "data-exploration"
    MODELING = "modeling"
    PRODUCTIZATION = "productization"
    AB_TESTING = "ab-testing"
    RESULTS_ANALYSIS = "results-analysis"

    @property
    def info(self) -> PhaseInfo:
        return PHASE_INFO[self]

    @property
    def title(self) -> str:
        return PHASE_INFO[self].title

    @property
    def index(self) -> int:
        return PHASES.index(self)


@dataclass(frozen=True)
class PhaseInfo:
    title: str
    short: str
    aliases: tuple[str, ...]
    deliverable: str


PHASE_INFO: dict[Phase, PhaseInfo] = {
    Phase.RESEARCH: PhaseInfo(
        "Research",
        "Research",
        (),
        "execution plan: methodology, data sources, effort estimate per phase",
    ),
    Phase.DATA_EXPLORATION: PhaseInfo(
        "Data Exploration",
        "Data Expl.",
        ("eda", "data"),
        "data exploration report (notebook with plots and insights)",
    ),
    Phase.MODELING: PhaseInfo(
        "Modeling",
        "Modeling",
        ("model",),
        "model prototype and an evaluation report against baselines",
    ),
    Phase.PRODUCTIZATION: PhaseInfo(
        "Productization",
        "Product.",
        ("prod",),
        "reviewed production code merged, instrumented with metrics",
    ),
    Phase.AB_TESTING: PhaseInfo(
        "A/B Testing",
        "A/B Test",
        ("ab",),
        "test design: duration, traffic share, control, success metric",
    ),
    Phase.RESULTS_ANALYSIS: PhaseInfo(
        "Results Analysis",
        "Results",
        ("results",),
        "results report, with a hypothesis of why when it disappoints",
    ),
}

PHASES: tuple[Phase, ...] = tuple(Phase)

_LOOKUP: dict[str, Phase] = {}
for _phase in PHASES:
    _LOOKUP[_phase.value] = _phase
    _LOOKUP[_phase.name.lower()] = _phase
    _LOOKUP[_phase.info.title.lower()] = _phase
    for _alias in _phase.info.aliases:
        _LOOKUP[_alias] = _phase


BY_VALUE: dict[str, Phase] = {phase.value: phase for phase in Phase}
"""Phases by stored value: what ``Phase(value)`` finds, without the call (reports map
tens of thousands of rows)."""


def parse_phase(text: str) -> Phase:
    """Turn a CLI name, alias or title (any case, ``_`` or ``-``) into a phase."""
    key = text.strip().lower()
    phase = _LOOKUP.get(key) or _LOOKUP.get(key.replace("_", "-")) or _LOOKUP.get(
        key.replace("-", "_")
    )
    if phase is None:
        from mlkanban.domain.text import suggest

        names = ", ".join(
            p.value + (f" ({', '.join(p.info.aliases)})" if p.info.aliases else "")
            for p in PHASES
        )
        raise BadInput(f"unknown phase {text!r}{suggest(text, _LOOKUP)}; choose one of: {names}")
    return phase
