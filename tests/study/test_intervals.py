"""No interval leaves its quantity's range (issue 13): a property over every figure.

Counts and money that cannot be negative once read ``blocked_charge -$0.03 to
$0.10``: a Student-t bound below zero from a sample of mostly zeros. Every KPI
and every metric of a run is checked on such samples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.study.kpis import KPIS, Replications, kpi
from sim.study.recommend import CostModel
from sim.study.run_summary import table_estimates
from sim.study.stats import Estimate, mean_ci

METRICS = (
    "forfeited", "mean_balance", "recharges", "outage_hours", "outage_episodes",
    "blocked_minutes", "blocked_calls", "blocked_charge", "consumed", "funded",
    "failed_recharges", "emails.recharge_succeeded", "emails.recharge_failed",
    "emails.balance_depleted", "blocked_by_service.toll_free_dial_in.calls",
    "blocked_by_service.toll_free_dial_in.charge", "calls", "credit_billed_calls",
)  # fmt: skip
PRICES = CostModel(
    cost_of_capital_per_year=0.05, cost_per_recharge=10.0, cost_per_outage_hour=100.0,
    penalty_per_blocked_min=0.5, horizon_months=24,
)  # fmt: skip

# Mostly zeros with the odd large value: the sample that pulls a t bound below zero.
VALUE = st.one_of(st.just(0.0), st.floats(0.0, 1e6, allow_nan=False, allow_subnormal=False))
sparse = st.lists(VALUE, min_size=2, max_size=60)
FEW = st.sampled_from([0.0, 0.0, 0.0, 0.25, 7.5, 1e4])
"""Few distinct values, so that a table of 20 columns stays small for hypothesis."""


def within(est: Estimate, low: float | None, high: float | None = None) -> bool:
    bounds = [est.estimate] + [b for b in (est.ci_low, est.ci_high) if b is not None]
    ordered = est.ci_low is None or est.ci_low <= est.estimate <= est.ci_high  # type: ignore[operator]
    return ordered and all(
        (low is None or b >= low) and (high is None or b <= high) for b in bounds
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data(), size=st.integers(2, 30))
def test_every_kpi_stays_in_its_range(data: st.DataObject, size: int) -> None:
    columns = {name: data.draw(st.lists(FEW, min_size=size, max_size=size)) for name in METRICS}
    years = [2.0] * size
    hits = data.draw(st.lists(st.sampled_from([0.0, 1.0, 2.0]), min_size=size, max_size=size))
    rows = pd.DataFrame({**columns, "years": years, "years_with_outage": hits})
    replications = Replications(rows, 24, PRICES)
    for entry in KPIS.values():
        est = entry.estimate(replications)
        if entry.unit == "probability":
            assert within(est, 0.0, 1.0), (entry.name, est)
        else:
            assert within(est, entry.floor), (entry.name, est)
    for name, est in table_estimates(rows).items():
        assert within(est, kpi(name).floor), (name, est)


@settings(max_examples=60, deadline=None)
@given(values=sparse)
def test_a_mean_of_what_cannot_be_negative_never_has_a_negative_bound(values: list[float]) -> None:
    est = mean_ci(values, floor=0.0)
    assert within(est, 0.0)


def test_the_t_interval_stands_where_it_stays_in_range_and_the_bootstrap_is_reproducible() -> None:
    spread = np.array([10.0, 12.0, 11.0, 13.0, 9.0])
    assert mean_ci(spread, floor=0.0) == mean_ci(spread)  # nothing to mend
    rare = np.zeros(200)
    rare[[3, 50]] = [5.0, 3.0]
    t = mean_ci(rare)
    assert t.ci_low is not None and t.ci_low < 0  # what used to be printed
    boot = mean_ci(rare, floor=0.0)
    assert boot.ci_low == 0.0 and boot.ci_high is not None and boot.ci_high > boot.estimate
    assert mean_ci(rare, floor=0.0) == boot  # the bootstrap's seed is fixed: same bits
