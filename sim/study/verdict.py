"""The plain verdict: one paragraph a planner can read out, the same on every screen.

Why one function: ``credsim sweep``, ``report``, ``plan`` and the dashboard
all open with the policy to set and what it will do, and a verdict that
rounds or words a figure differently from the table under it is a verdict
nobody signs. Its figures are the KPIs' own (``sim.study.kpis``: recharges
a year, mean balance, forfeited a year, outage risk a year) taken from the
same estimates the tables show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.account import format as fmt
from sim.account.money import Currency
from sim.study.experiment import Levers
from sim.study.stats import Estimate

FIGURES = ("recharges_per_year", "mean_balance", "forfeited_per_year", "outage_risk_per_year")
"""The KPI names a verdict reads (``sim.study.kpis``)."""


@dataclass(frozen=True)
class Verdict:
    """The policy to set and the four figures that say what it will do, per year."""

    levers: Levers
    recharges_per_year: float
    mean_balance: float
    forfeited_per_year: float
    risk: Estimate
    """Outage risk a year (the one definition, docs/model.md#outage-risk), Wilson bounds."""

    @classmethod
    def from_figures(cls, levers: Levers, figures: Mapping[str, Estimate]) -> Verdict:
        """From estimates keyed by KPI name (KeyError names a missing one)."""
        missing = [name for name in FIGURES if name not in figures]
        if missing:
            raise KeyError(f"a verdict needs the figures {', '.join(missing)}")
        return cls(
            levers,
            figures["recharges_per_year"].estimate,
            figures["mean_balance"].estimate,
            figures["forfeited_per_year"].estimate,
            figures["outage_risk_per_year"],
        )

    @property
    def risk_upper(self) -> float:
        """The 95 % upper bound of the outage risk (the estimate when there is none)."""
        return self.risk.estimate if self.risk.ci_high is None else self.risk.ci_high

    def _recharges(self) -> str:
        """``12 recharges``, ``1 recharge``."""
        shown = fmt.count(self.recharges_per_year, 0)
        return f"{shown} recharge{'' if shown == '1' else 's'}"

    def text(self, cur: Currency) -> str:
        """``Set trigger $400 and amount $1,000. Expect about 12 recharges ...``."""
        levers = self.levers
        if levers.trigger is None or levers.amount is None:
            start = fmt.money_major(levers.initial, cur)
            action = f"Keep auto-recharge off, starting from {start}."
        else:
            action = (
                f"Set trigger {fmt.money_major(levers.trigger, cur)} and amount "
                f"{fmt.money_major(levers.amount, cur)}."
            )
        return (
            f"{action} Expect about {self._recharges()} (card "
            f"charges and emails) a year, about {fmt.money_major(self.mean_balance, cur)} held "
            f"in the balance on average, {fmt.money_major(self.forfeited_per_year, cur)} "
            f"forfeited a year, and a {fmt.percent(self.risk.estimate)} chance a year that paid "
            f"calling stops (95 % upper bound {fmt.percent(self.risk_upper)})."
        )
