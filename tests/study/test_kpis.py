"""The KPI table: one entry per figure, its unit, its floor, and how it is read."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.account.money import currency
from sim.study import kpis
from sim.study.kpis import KPIS, Kpi, Replications, kpi
from sim.study.stats import Estimate

USD = currency("USD")


def test_names_are_unique_and_the_families_resolve() -> None:
    assert len(KPIS) == len({entry.label for entry in KPIS.values()})  # one label, one figure
    assert kpi("funded_by_source.auto_recharge").label == "Funded by auto-recharge"
    assert kpi("funded_by_source.auto_recharge").unit == "money"
    minutes = kpi("blocked_by_service.toll_free_dial_in.minutes")
    assert (minutes.label, minutes.unit) == ("Blocked toll-free dial-in minutes", "minutes")
    assert kpi(kpis.TOLL_FREE_BLOCKED).label == "Blocked toll-free dial-ins"  # its own entry
    for unknown in ("outage", "blocked_by_service.calls", "funded_by_source.a.b", "forfeit"):
        with pytest.raises(KeyError, match="is not a figure"):
            kpi(unknown)
    per_year = {name for name, entry in KPIS.items() if entry.per_year}
    assert all(name.endswith("_per_year") for name in per_year)


def test_a_figure_is_formatted_by_its_unit() -> None:
    hours = kpi("outage_hours_per_year")
    assert hours.estimate_text(Estimate(3.25, 0.5, 7.0), USD) == "3.2 h (0.5 h to 7.0 h)"
    balance = kpi("min_balance")  # a balance can be below zero
    assert balance.interval_text(Estimate(-1.0, -2.5, 0.5), USD) == "-$2.50 to $0.50"
    risk = kpi("outage_risk_per_year")
    assert risk.change_text(0.015, USD) == "+1.5 pp"
    assert risk.change_text(0.0001, USD) is None  # shows as no change
    assert kpi("forfeited_per_year").change_text(-65.5, USD) == "-$65.50"
    assert kpi("calls").lower_is_better is None


def test_readers_match_the_sweeps_own_arithmetic() -> None:
    rows = pd.DataFrame(
        {"outage_episodes": [0, 2, 0, 1], "outage_hours": [0.0, 5.0, 0.0, 1.0],
         "emails.recharge_succeeded": [1.0, 2.0, 3.0, 4.0], "emails.balance_depleted": [0, 1, 0, 1],
         "years": [1, 1, 1, 1], "years_with_outage": [0, 1, 0, 1]}
    )  # fmt: skip
    six = Replications(rows, horizon_months=6)
    assert kpi("outage_risk_per_year").estimate(six).estimate == 0.5
    assert kpi("outage_hours_per_year").estimate(six).estimate == pytest.approx(3.0)
    assert kpi("emails_per_year").estimate(six).estimate == pytest.approx(6.0)  # 12 in 6 months
    assert kpi("blocked_toll_free_per_year").estimate(six).estimate == 0.0  # none reported: 0
    with pytest.raises(ValueError, match="objective"):
        kpi("cost_per_year").estimate(six)
    with pytest.raises(ValueError, match="horizon"):
        kpi("outage_hours_per_year").estimate(Replications(rows))
    assert (
        Kpi("x", "X", "count").estimate(Replications(rows.assign(x=[1, 2, 3, 4]))).estimate == 2.5
    )
