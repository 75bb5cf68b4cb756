"""Estimating an ML project the way experienced leads do: start from a base estimate
and double it for each complicating factor; read anything over 20 working days as a
sign that the work is bigger still and must be split.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlkanban.domain.errors import BadInput

WARN_ABOVE_DAYS = 20


@dataclass(frozen=True)
class Factor:
    name: str
    description: str


FACTORS: dict[str, Factor] = {
    f.name: f
    for f in (
        Factor("complex-data", "the data is complex (many sources, joins, semantics)"),
        Factor("big-data", "the data is big (does not fit one machine's memory)"),
        Factor("dirty-data", "the data is dirty (missing, inconsistent, mislabelled)"),
        Factor("unstructured-data", "the data is unstructured (text, images, audio)"),
        Factor("distributed", "training or serving needs a distributed compute platform"),
        Factor("multiple-models", "several models must be built or combined"),
        Factor("complex-evaluation", "evaluation is complicated (offline/online gaps, proxies)"),
        Factor("review", "an ethics, privacy or security review is needed"),
        Factor("documentation", "heavy documentation is required"),
    )
}


def parse_factor(text: str) -> Factor:
    key = text.strip().lower().replace("_", "-").replace(" ", "-")
    factor = FACTORS.get(key)
    if factor is None:
        names = ", ".join(FACTORS)
        raise BadInput(f"unknown factor {text!r}; choose from: {names}")
    return factor


@dataclass(frozen=True)
class Estimate:
    base_days: float
    factors: tuple[Factor, ...]

    @property
    def days(self) -> float:
        return self.base_days * 2 ** len(self.factors)

    @property
    def weeks(self) -> float:
        return self.days / 5

    @property
    def too_big(self) -> bool:
        return self.days > WARN_ABOVE_DAYS

    def steps(self) -> list[str]:
        """The reasoning, one doubling per line, for people to check."""
        lines = [f"base estimate: {_num(self.base_days)} working days"]
        running = self.base_days
        for factor in self.factors:
            running *= 2
            lines.append(f"× 2 for {factor.name} ({factor.description}): {_num(running)} days")
        return lines


def estimate(base_days: float, factor_names: list[str] | tuple[str, ...]) -> Estimate:
    if not base_days == base_days or base_days <= 0 or base_days > 1000:
        raise BadInput(f"a base estimate must be a positive number of days, not {base_days}")
    factors = tuple(parse_factor(name) for name in factor_names)
    seen = set()
    for factor in factors:
        if factor.name in seen:
            raise BadInput(f"factor {factor.name} given twice; each factor doubles once")
        seen.add(factor.name)
    return Estimate(float(base_days), factors)


def _num(value: float) -> str:
    return f"{value:g}"
