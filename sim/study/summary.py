"""A sweep's summary as types: what summary.json holds, read through attributes.

Why types: the summary is read by the printout, the report, the dashboard
and the CLI; through ``dict[str, Any]`` a misspelt key was a KeyError at the
far end of a sweep, and nothing said which keys exist. ``to_dict`` writes
exactly the JSON of before (key order included), so summary.json keeps its
bytes; nothing reads a summary back from disk, so there is no ``from_dict``.

Figures hold the values as stored (rounded to 6 places, ``Estimate.rounded``):
what a view shows of a summary is what the file says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sim.study.experiment import Levers
from sim.study.first_guess import FirstGuess
from sim.study.grid import Grid
from sim.study.recommend import CostModel, Score
from sim.study.run_summary import levers_dict
from sim.study.stats import Estimate
from sim.study.widen import Widening
from sim.world.scenario import Scenario

REFERENCE_NAMES = {
    "documented_example": "the documented example",
    "rule_of_thumb": "the rule of thumb",
}
COST_BASIS = (
    "per year, in major units: (forfeited + mean balance x cost_of_capital_per_year x years "
    "+ recharges x cost_per_recharge + outage hours x cost_per_outage_hour "
    "+ blocked minutes x penalty_per_blocked_min) / years, "
    "years = horizon_months / 12"
)
RISK_BASIS = (
    "the probability that a year of operation has at least one outage: each replication's "
    "12-month windows of the horizon (the last one ending with the horizon) are trials, one with "
    "an outage is a hit; Wilson 95 % interval (docs/model.md#outage-risk)"
)


@dataclass(frozen=True)
class SweepPolicy:
    """One evaluated policy: its levers, whether the grid holds it, which references it is."""

    levers: Levers
    in_grid: bool
    references: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``T400/A1000/I1000``."""
        return self.levers.label()

    def with_reference(self, name: str) -> SweepPolicy:
        """The same policy, also known as reference ``name``."""
        return replace(self, references=(*self.references, name))

    def column(self, name: str) -> object:
        """Its value in a runs.parquet policy column (amounts as floats, for plotting)."""
        if name == "label":
            return self.label
        if name == "in_grid":
            return self.in_grid
        value: Decimal | None = getattr(self.levers, name)
        return None if value is None else float(value)


@dataclass(frozen=True)
class SweepHead:
    """What was swept: nothing here varies from one invocation to the next."""

    scenario: str
    currency: str
    horizon_months: int
    replications: int
    seed: int
    engine: str
    grid: Grid

    def to_dict(self) -> dict[str, Any]:
        """The head of summary.json."""
        return {
            "scenario": self.scenario,
            "currency": self.currency,
            "horizon_months": self.horizon_months,
            "replications": self.replications,
            "seed": self.seed,
            "engine": self.engine,
            "grid": self.grid.to_dict(),
        }


@dataclass(frozen=True)
class Objective:
    """The scenario's ``[objective]`` in force: the risk limit and the prices of the cost."""

    max_outage_risk_per_year: float
    cost_of_capital_per_year: float
    cost_per_recharge: float
    cost_per_outage_hour: float
    penalty_per_blocked_min: float
    max_recharges_per_month: float | None

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Objective:
        """The scenario's objective as floats, the currency's defaults filled in."""
        prices = CostModel.from_scenario(scenario)
        return cls(
            max_outage_risk_per_year=float(scenario.objective.max_outage_risk_per_year),
            cost_of_capital_per_year=prices.cost_of_capital_per_year,
            cost_per_recharge=prices.cost_per_recharge,
            cost_per_outage_hour=prices.cost_per_outage_hour,
            penalty_per_blocked_min=prices.penalty_per_blocked_min,
            max_recharges_per_month=prices.max_recharges_per_month,
        )

    def to_dict(self) -> dict[str, float | None]:
        """summary.json's ``objective``."""
        return {
            "max_outage_risk_per_year": self.max_outage_risk_per_year,
            "cost_of_capital_per_year": self.cost_of_capital_per_year,
            "cost_per_recharge": self.cost_per_recharge,
            "cost_per_outage_hour": self.cost_per_outage_hour,
            "penalty_per_blocked_min": self.penalty_per_blocked_min,
            "max_recharges_per_month": self.max_recharges_per_month,
        }


@dataclass(frozen=True)
class PolicyEntry:
    """One policy's figures: a run's metrics, outage risk and cost per year, its place."""

    policy: SweepPolicy
    metrics: dict[str, Estimate]
    """Every metric of ``credsim run --json``, by name."""
    outage_risk_per_year: Estimate
    cost_per_year: Estimate
    cost_parts_per_year: dict[str, Estimate]
    """``forfeited``, ``capital``, ``fees``, ``outages``, ``penalties`` (``COST_PARTS``)."""
    on_frontier: bool = False
    recommended: bool = False

    @property
    def label(self) -> str:
        """The policy's label."""
        return self.policy.label

    @property
    def levers(self) -> Levers:
        """The policy's levers."""
        return self.policy.levers

    @property
    def in_grid(self) -> bool:
        """Whether the grid holds it (references may lie outside it)."""
        return self.policy.in_grid

    @property
    def score(self) -> Score:
        """Risk and cost per year as the recommendation weighs them (as stored)."""
        return Score(self.label, self.outage_risk_per_year, self.cost_per_year)

    def to_dict(self) -> dict[str, Any]:
        """One item of summary.json's ``policies``."""
        return {
            "label": self.label,
            "policy": levers_dict(self.levers),
            "in_grid": self.in_grid,
            "references": list(self.policy.references),
            "metrics": {name: est.as_mean() for name, est in self.metrics.items()},
            "outage_risk_per_year": self.outage_risk_per_year.as_probability(),
            "cost_per_year": self.cost_per_year.as_mean(),
            "cost_parts_per_year": {
                name: est.as_mean() for name, est in self.cost_parts_per_year.items()
            },
            "on_frontier": self.on_frontier,
            "recommended": self.recommended,
        }


@dataclass(frozen=True)
class Recommended:
    """The chosen grid policy, whether it met the limit, and why (in words)."""

    label: str
    levers: Levers
    qualifies: bool
    qualifying_policies: int
    grid_policies: int
    outage_risk_per_year: Estimate
    cost_per_year: Estimate
    reason: str
    warning: str | None
    verdict: str = ""
    """The plain verdict (``sim.study.verdict``): what every screen opens with."""

    def to_dict(self) -> dict[str, Any]:
        """summary.json's ``recommendation``."""
        return {
            "label": self.label,
            "policy": levers_dict(self.levers),
            "verdict": self.verdict,
            "qualifies": self.qualifies,
            "qualifying_policies": self.qualifying_policies,
            "grid_policies": self.grid_policies,
            "outage_risk_per_year": self.outage_risk_per_year.as_probability(),
            "cost_per_year": self.cost_per_year.as_mean(),
            "reason": self.reason,
            "warning": self.warning,
        }


@dataclass(frozen=True)
class Reference:
    """A policy shown beside the recommendation, never chosen: how it was set and why."""

    key: str
    """``documented_example`` or ``rule_of_thumb`` (``REFERENCE_NAMES``)."""
    label: str
    levers: Levers
    basis: str
    mean_spend_per_month: float | None = None
    """The spend the rule of thumb was sized on (None for the documented example)."""

    @property
    def name(self) -> str:
        """``the documented example``."""
        return REFERENCE_NAMES[self.key]

    @property
    def heading(self) -> str:
        """``The documented example``, to start a line with."""
        return self.name[:1].upper() + self.name[1:]

    def to_dict(self) -> dict[str, Any]:
        """One item of summary.json's ``references``."""
        shown: dict[str, Any] = {
            "label": self.label,
            "policy": levers_dict(self.levers),
            "basis": self.basis,
        }
        if self.mean_spend_per_month is not None:
            shown["mean_spend_per_month"] = self.mean_spend_per_month
        return shown


@dataclass(frozen=True)
class SweepSummary:
    """summary.json: what was swept, every policy, the frontier, the choice, the references."""

    head: SweepHead
    objective: Objective
    policies: tuple[PolicyEntry, ...]
    frontier: tuple[str, ...]
    """Labels of the grid policies no other beats on both risk and cost, by increasing risk."""
    recommendation: Recommended
    references: tuple[Reference, ...]
    widening: Widening | None = None
    """What widening the grid did (None: the sweep was run without it, ``--no-widen``)."""
    first_guess: FirstGuess | None = None
    """The analytic trigger and amount (``sim.study.first_guess``), beside the optimum."""

    def entry(self, label: str) -> PolicyEntry:
        """The policy labelled ``label`` (KeyError if the sweep has none)."""
        for entry in self.policies:
            if entry.label == label:
                return entry
        raise KeyError(f"the sweep has no policy {label!r}")

    def reference(self, key: str) -> Reference:
        """Reference ``documented_example`` or ``rule_of_thumb``."""
        return next(ref for ref in self.references if ref.key == key)

    @property
    def grid_policies(self) -> int:
        """How many policies the grid holds (the references outside it not counted)."""
        return sum(entry.in_grid for entry in self.policies)

    def to_dict(self) -> dict[str, Any]:
        """summary.json, key for key (``first_guess`` and the verdict added in issue 13)."""
        return {
            **self.head.to_dict(),
            "objective": self.objective.to_dict(),
            "cost_basis": COST_BASIS,
            "risk_basis": RISK_BASIS,
            "policies": [entry.to_dict() for entry in self.policies],
            "frontier": list(self.frontier),
            "recommendation": self.recommendation.to_dict(),
            "first_guess": None if self.first_guess is None else self.first_guess.to_dict(),
            "references": {ref.key: ref.to_dict() for ref in self.references},
            **({} if self.widening is None else {"widening": self.widening.to_dict()}),
        }
