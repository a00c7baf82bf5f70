"""A sweep's metric estimates for every policy at once equal a run's, policy by policy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.study.experiment import scenario_levers, with_overrides
from sim.study.recommend import CostModel
from sim.study.run_summary import table_estimates
from sim.study.summary import SweepPolicy
from sim.study.sweep_estimates import chunk_tables
from sim.study.sweep_summary import _policy_entry, policy_table
from sim.world.load import LoadedScenario

LABELS = ["T0/A100/I100", "T50/A100/I100", "T50/A200/I100"]


def rows(replications: int, seed: int = 4) -> pd.DataFrame:
    """Rows as a sweep lays them out: skewed, integer, negative and partly missing metrics."""
    rng = np.random.default_rng(seed)
    size = len(LABELS) * replications
    raw = pd.DataFrame(
        {
            "label": np.repeat(LABELS, replications),
            "replication": np.tile(np.arange(replications), len(LABELS)),
            "consumed": rng.gamma(2.0, 300.0, size),
            "recharges": rng.integers(0, 9, size),
            "forfeited": np.where(rng.random(size) < 0.9, 0.0, rng.uniform(0, 500, size)),
            "min_balance": rng.normal(-20.0, 50.0, size),
            "mean_balance": rng.uniform(100, 900, size),
            "outage_hours": np.where(rng.random(size) < 0.8, 0.0, rng.uniform(0, 40, size)),
            "blocked_minutes": rng.uniform(0, 5, size) * 1e-3,
            "years": np.full(size, 2),
            "years_with_outage": rng.integers(0, 3, size),
        }
    )
    toll_free = rng.uniform(0, 3, size)
    toll_free[replications:] = np.nan  # only the first policy reported it
    raw["blocked_by_service.toll_free_dial_in.calls"] = toll_free
    raw.loc[1, "forfeited"] = np.nan  # a gap: 0, as in a run's table
    return raw


def test_every_policy_gets_the_estimates_of_its_own_table_to_the_bit() -> None:
    for replications in (1, 2, 7, 20, 41):
        raw = rows(replications)
        tables = chunk_tables(raw, LABELS)
        assert tables is not None
        for position, (label, held) in enumerate(zip(LABELS, tables.estimates(), strict=True)):
            table = policy_table(raw[raw["label"] == label])
            assert list(held) == list(table_estimates(table)), replications
            assert held == table_estimates(table), (replications, label)
            shown = tables.table(position)
            assert list(shown.columns) == list(table.columns)
            assert np.array_equal(shown.to_numpy(float), table.to_numpy(float))


def test_the_figures_per_year_are_the_same_from_either_table(tiny: LoadedScenario) -> None:
    costs = CostModel.from_scenario(tiny.scenario)
    raw = rows(20)
    tables = chunk_tables(raw, LABELS)
    assert tables is not None
    for position, metrics in enumerate(tables.estimates()):
        levers = with_overrides(scenario_levers(tiny.scenario), trigger=position, amount=100)
        policy = SweepPolicy(levers, in_grid=True)
        rows_of = raw[raw["label"] == LABELS[position]]
        before = _policy_entry(policy, policy_table(rows_of), costs)
        assert _policy_entry(policy, tables.table(position), costs, metrics) == before


def test_rows_not_laid_out_policy_by_policy_are_left_to_the_table_path() -> None:
    raw = rows(5)
    assert chunk_tables(raw.iloc[::-1], LABELS) is None  # another order
    assert chunk_tables(raw.iloc[:-1], LABELS) is None  # a policy short of a replication
    assert chunk_tables(raw, LABELS[:2]) is None
