"""A sweep's metric estimates for every policy at once equal a run's, policy by policy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.study.kpis import Replications
from sim.study.recommend import COST_PARTS, CostModel
from sim.study.run_summary import table_estimates
from sim.study.sweep_estimates import chunk_tables
from sim.study.sweep_summary import policy_table, table_figures
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
            replications_of = Replications(table)
            for name in [*tables.names, "not_reported"]:
                column = tables.column(name)[position]
                assert np.array_equal(column, replications_of.column(name)), name


def test_the_figures_per_year_are_the_same_as_from_each_table(tiny: LoadedScenario) -> None:
    """Risk, cost and its parts, recharges a month: equal to the bit, intervals included
    (the skewed parts take the bootstrap), whatever the number of replications."""
    costs = CostModel.from_scenario(tiny.scenario)
    for replications in (1, 2, 7, 20):
        raw = rows(replications)
        # with one replication the gap empties a policy's column, which a table refuses to cost
        raw["forfeited"] = raw["forfeited"].fillna(0.0)
        tables = chunk_tables(raw, LABELS)
        assert tables is not None
        for label, figures in zip(LABELS, tables.figures(costs), strict=True):
            table = policy_table(raw[raw["label"] == label])
            assert figures == table_figures(table, costs), (replications, label)
            assert list(figures.cost_parts) == list(COST_PARTS)


def test_the_cost_is_the_sum_of_its_parts_as_pandas_adds_them() -> None:
    """``ChunkTables.figures`` adds the parts one after another; ``CostModel.per_year`` lets
    pandas add each row: the same floats, on values of very different magnitudes."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        parts = rng.standard_normal((5, 40)) * 10.0 ** rng.integers(-9, 9, (5, 1))
        frame = pd.DataFrame(dict(zip(COST_PARTS, parts, strict=True)))
        summed = frame[list(COST_PARTS)].sum(axis=1).to_numpy()
        assert np.array_equal(summed, (((parts[0] + parts[1]) + parts[2]) + parts[3]) + parts[4])


def test_rows_not_laid_out_policy_by_policy_are_left_to_the_table_path() -> None:
    raw = rows(5)
    assert chunk_tables(raw.iloc[::-1], LABELS) is None  # another order
    assert chunk_tables(raw.iloc[:-1], LABELS) is None  # a policy short of a replication
    assert chunk_tables(raw, LABELS[:2]) is None
