"""Which policy to choose: expected cost, outage risk per year, Pareto frontier, recommendation.

The planner's question is "which (trigger, amount) minimises forfeited funds
plus cash tied up, with outage risk under 1 % a year?"
(docs/model.md#the-questions-planners-ask). So:

- **cost per year** of one replication = (forfeited + mean balance x cost of
  capital x years + recharges x fee + blocked minutes x penalty) / years, in
  major units; its mean over the replications is the expected cost (t interval);
- **outage risk per year** is the one definition (``sim.study.kpis.outage_risk``,
  docs/model.md#outage-risk): the share of the replications' 12-month windows
  with an outage, with a Wilson interval;
- a policy **qualifies** when the Wilson *upper* bound of its outage risk per
  year is within the limit: "under 1 %" must hold with 95 % confidence, not
  just on average, so 20 lucky replications cannot qualify a risky policy;
  with ``max_recharges_per_month``, its mean recharges a month must also be
  within that cap (a finance team's own rule: card charges and emails);
- the **recommendation** is the cheapest qualifying policy (ties: the lower
  upper bound, then grid order); if none qualifies, the lowest-risk policy,
  with a warning.

Everything here works on plain numbers (``Score``), so it is tested on
hand-built tables without running a simulation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from scipy import special

from sim.account.format import percent
from sim.account.outcome import year_count
from sim.study.stats import CONFIDENCE, Estimate
from sim.world import costs
from sim.world.scenario import Scenario

WEEKS_PER_YEAR = 52
COST_PARTS = ("forfeited", "capital", "fees", "outages", "penalties")
"""The terms of the expected cost a year, in the order they are shown."""


@dataclass(frozen=True)
class CostModel:
    """The ``[objective]`` prices that turn a run's outcome into a cost per year."""

    cost_of_capital_per_year: float
    cost_per_recharge: float
    cost_per_outage_hour: float
    penalty_per_blocked_min: float
    horizon_months: int
    max_recharges_per_month: float | None = None

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> CostModel:
        """The scenario's ``[objective]`` (the currency's defaults where it is silent)."""
        objective = scenario.objective
        cap = objective.max_recharges_per_month
        return cls(
            cost_of_capital_per_year=float(objective.cost_of_capital_per_year),
            cost_per_recharge=float(costs.cost_per_recharge(scenario)),
            cost_per_outage_hour=float(costs.cost_per_outage_hour(scenario)),
            penalty_per_blocked_min=float(objective.penalty_per_blocked_min),
            horizon_months=scenario.scenario.horizon_months,
            max_recharges_per_month=None if cap is None else float(cap),
        )

    @property
    def years(self) -> float:
        """The horizon in years."""
        return self.horizon_months / 12

    def per_year(self, runs: pd.DataFrame) -> pd.DataFrame:
        """Per replication: each cost part per year and their ``total``.

        ``runs`` has the run metrics ``forfeited``, ``mean_balance``,
        ``recharges``, ``outage_hours`` and ``blocked_minutes`` (major units,
        hours, minutes). Forfeited funds count at face value.
        """
        parts = pd.DataFrame(self.parts(lambda name: runs[name].to_numpy(dtype=float)))
        parts["total"] = parts[list(COST_PARTS)].sum(axis=1)
        return parts

    def parts(self, column: Callable[[str], np.ndarray]) -> dict[str, np.ndarray]:
        """Each cost part per year (``COST_PARTS``, in order) from the run metrics ``column``
        gives, arrays of any one shape: a policy's replications (``per_year``), or every
        policy's of a sweep at once (``sim.study.sweep_estimates``)."""
        years = self.years
        return {
            "forfeited": column("forfeited") / years,
            "capital": column("mean_balance") * self.cost_of_capital_per_year,
            "fees": column("recharges") * self.cost_per_recharge / years,
            "outages": column("outage_hours") * self.cost_per_outage_hour / years,
            "penalties": column("blocked_minutes") * self.penalty_per_blocked_min / years,
        }


def replications_needed(limit_per_year: float, years_per_replication: int) -> int:
    """Fewest replications with which a policy without outages can qualify.

    With 0 outages in n replication-years the Wilson upper bound is
    z^2 / (n + z^2); a replication has ``years_per_replication`` years
    (``sim.account.outcome.year_windows``).
    """
    z = float(special.ndtri(0.5 + CONFIDENCE / 2))  # scipy's stats.norm.ppf, without stats
    trials = math.ceil(z * z * (1.0 - limit_per_year) / limit_per_year)
    return math.ceil(trials / years_per_replication)


@dataclass(frozen=True)
class Score:
    """One policy as the recommendation sees it: outage risk and cost, both per year."""

    label: str
    risk: Estimate
    cost: Estimate
    recharges_per_month: float | None = None
    """Mean recharges a month (None: not known, so no cap can exclude it)."""

    @property
    def risk_upper(self) -> float:
        """The Wilson upper bound of the outage risk per year (the estimate if absent)."""
        return self.risk.estimate if self.risk.ci_high is None else self.risk.ci_high


def pareto_frontier(scores: Sequence[Score]) -> list[int]:
    """Indices of the policies no other beats on both outage risk and expected cost.

    A policy is dominated when another has risk <= and cost <= with one of them
    strictly smaller; exact ties are all kept. In increasing risk (so
    decreasing cost).
    """
    order = sorted(
        range(len(scores)), key=lambda i: (scores[i].risk.estimate, scores[i].cost.estimate, i)
    )
    frontier: list[int] = []
    best_cost = math.inf  # lowest cost among strictly lower risks
    position = 0
    while position < len(order):
        risk = scores[order[position]].risk.estimate
        group = []
        while position < len(order) and scores[order[position]].risk.estimate == risk:
            group.append(order[position])
            position += 1
        cheapest = scores[group[0]].cost.estimate
        if cheapest < best_cost:
            frontier += [i for i in group if scores[i].cost.estimate == cheapest]
            best_cost = cheapest
    return frontier


@dataclass(frozen=True)
class Recommendation:
    """The chosen policy and whether it met the outage-risk limit."""

    index: int
    qualifies: bool
    qualifying: int
    """How many policies met the limit (and the cap)."""
    limit: float
    cap: float | None = None
    """``max_recharges_per_month`` (None: no cap)."""
    capped: tuple[int, ...] = ()
    """Policies within the risk limit that the cap excluded, cheapest first."""


def within_cap(score: Score, cap: float | None) -> bool:
    """Whether a policy's mean recharges a month stay within ``cap`` (no cap: always)."""
    return cap is None or score.recharges_per_month is None or score.recharges_per_month <= cap


def recommend(
    scores: Sequence[Score], limit_per_year: float, cap: float | None = None
) -> Recommendation:
    """Cheapest policy within the risk limit (upper bound) and the cap, else the safest.

    The safest is taken among the policies within the cap when there are any:
    a cap is the finance team's own rule, the risk limit a target.
    """
    if not scores:
        raise ValueError("recommend needs at least one policy")

    def cheapest(i: int) -> tuple[float, float, int]:
        return (scores[i].cost.estimate, scores[i].risk_upper, i)

    safe = [i for i, score in enumerate(scores) if score.risk_upper <= limit_per_year]
    qualifying = [i for i in safe if within_cap(scores[i], cap)]
    capped = tuple(sorted(set(safe) - set(qualifying), key=cheapest))
    if qualifying:
        best = min(qualifying, key=cheapest)
        return Recommendation(best, True, len(qualifying), limit_per_year, cap, capped)
    allowed = [i for i, score in enumerate(scores) if within_cap(score, cap)]
    safest = min(
        allowed or range(len(scores)),
        key=lambda i: (scores[i].risk.estimate, scores[i].risk_upper, scores[i].cost.estimate, i),
    )
    return Recommendation(safest, False, 0, limit_per_year, cap, capped)


def mean_spend_per_month(runs: pd.DataFrame, horizon_months: int) -> float:
    """What the calls cost per month, whatever the policy: consumed + blocked charge.

    Blocked calls are added back so that a policy with outages does not make
    demand look smaller than it is; with common random numbers the sum is the
    same for every policy of a replication.
    """
    spend = runs["consumed"].to_numpy(dtype=float) + runs["blocked_charge"].to_numpy(dtype=float)
    return float(spend.mean()) / horizon_months


def rule_of_thumb(spend_per_month: float) -> tuple[Decimal, Decimal, Decimal]:
    """(trigger, amount, initial): one week of spend, one month, one month; whole units.

    The amount (and initial balance) is at least 1: an auto-recharge of 0 is no policy.
    """
    month = Decimal(repr(float(spend_per_month)))
    week = month * 12 / WEEKS_PER_YEAR
    trigger = week.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    amount = max(Decimal(1), month.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return trigger, amount, amount


def describe(score: Score, money: Callable[[float], str]) -> str:
    """``$12.34 a year, outage risk 0.0 % a year (upper 0.9 %)``."""
    return (
        f"{money(score.cost.estimate)} a year, outage risk {percent(score.risk.estimate)} "
        f"a year (upper {percent(score.risk_upper)})"
    )


def explain(
    rec: Recommendation,
    scores: Sequence[Score],
    money: Callable[[float], str],
    *,
    references: Mapping[str, Score] | None = None,
    edges: Sequence[str] = (),
    drivers: Sequence[str] = (),
) -> str:
    """The recommendation's reason in words, with the references' figures beside it.

    ``references`` maps a name (``the documented example``) to its score;
    ``edges`` names levers at the edge of the grid (``the lowest trigger``);
    ``drivers`` are sentences on what set the choice (``sim.study.drivers``),
    said right after it.
    """
    chosen = scores[rec.index]
    limit = percent(rec.limit)
    capped = "" if rec.cap is None else f" and whose recharges stay within {rec.cap:g} a month"
    at_most = "" if rec.cap is None else f" with at most {rec.cap:g} recharges a month"
    if rec.qualifies:
        lines = [
            f"{chosen.label} has the lowest expected cost, {money(chosen.cost.estimate)} a year, "
            f"of the {rec.qualifying} of {len(scores)} policies whose outage risk stays within "
            f"{limit} a year at the 95 % upper bound{capped} (its own: "
            f"{percent(chosen.risk.estimate)}, upper {percent(chosen.risk_upper)})."
        ]
    else:
        lines = [
            f"No policy keeps its outage risk within {limit} a year at the 95 % upper bound"
            f"{at_most}; {chosen.label} has the lowest risk, {percent(chosen.risk.estimate)} a "
            f"year (upper {percent(chosen.risk_upper)}), at {money(chosen.cost.estimate)} a year."
        ]
    lines += drivers
    for name, ref in (references or {}).items():
        lines.append(_comparison(name, ref, chosen, rec.limit, money))
    if edges:
        verb = "is" if len(edges) == 1 else "are"
        lines.append(
            f"Its {_join(edges)} {verb} at the edge of the grid: a wider grid may do better."
        )
    return " ".join(lines)


def _join(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _comparison(
    name: str, ref: Score, chosen: Score, limit: float, money: Callable[[float], str]
) -> str:
    if ref.label == chosen.label:
        return f"It is {name}."
    gap = ref.cost.estimate - chosen.cost.estimate
    if gap == 0:
        difference = "the same cost"
    else:
        difference = f"{money(abs(gap))} a year {'more' if gap > 0 else 'less'}"
    text = f"{name[:1].upper()}{name[1:]} ({ref.label}) costs {describe(ref, money)}: {difference}"
    if ref.risk_upper > limit:
        text += f", and its risk's upper bound exceeds {percent(limit)}"
    return text + "."


def warning(rec: Recommendation, replications: int, horizon_months: int) -> str | None:
    """What to do when no policy qualifies (None when one does)."""
    if rec.qualifies:
        return None
    if rec.capped:
        return (
            f"no policy within the outage-risk limit of {percent(rec.limit)} a year stays within "
            f"max_recharges_per_month = {rec.cap:g}; try larger amounts or a higher cap"
        )
    needed = replications_needed(rec.limit, year_count(horizon_months))
    advice = "try higher triggers or amounts, or accept a higher risk limit"
    if replications < needed:
        advice = (
            f"with {replications} replications even a policy that never had an outage has an "
            f"upper bound above the limit: run at least {needed:,} replications, or " + advice
        )
    return f"no policy meets the outage-risk limit of {percent(rec.limit)} a year; {advice}"
