"""Monte Carlo statistics against textbook values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.study.stats import balance_bands, flatten, mean_ci, quantile_table, wilson


def test_mean_ci_is_the_student_t_interval() -> None:
    est = mean_ci([1.0, 2.0, 3.0, 4.0])
    # mean 2.5, sd 1.29099, se 0.645497, t(0.975, 3) = 3.182446
    assert est.estimate == 2.5
    assert est.ci_low == pytest.approx(2.5 - 3.182446 * 0.645497, abs=1e-5)
    assert est.ci_high == pytest.approx(2.5 + 3.182446 * 0.645497, abs=1e-5)
    assert mean_ci([7.0]).ci_low is None
    with pytest.raises(ValueError, match="at least one"):
        mean_ci([])


def test_wilson_interval_known_values() -> None:
    none = wilson(0, 20)
    assert none.estimate == 0 and none.ci_low == pytest.approx(0, abs=1e-12)
    assert none.ci_high == pytest.approx(0.16113, abs=1e-4)
    half = wilson(10, 20)
    assert (half.ci_low, half.ci_high) == (
        pytest.approx(0.29930, abs=1e-4),
        pytest.approx(0.70070, abs=1e-4),
    )
    with pytest.raises(ValueError, match="trials"):
        wilson(0, 0)


def test_balance_bands_are_percentiles_per_day() -> None:
    daily = np.array([[0.0, 10.0], [100.0, 20.0], [50.0, 30.0]])
    bands = balance_bands(daily)
    assert list(bands.columns) == ["day", "p5", "p25", "p50", "p75", "p95"]
    assert bands["day"].tolist() == [1, 2]
    assert bands["p50"].tolist() == [50.0, 20.0]


def test_quantile_table_has_one_row_per_metric() -> None:
    runs = pd.DataFrame({"a": np.arange(101.0), "b": np.zeros(101)})
    table = quantile_table(runs)
    assert table["metric"].tolist() == ["a", "b"]
    assert table.loc[0, "p5"] == 5.0 and table.loc[0, "p95"] == 95.0


def test_flatten_keeps_numbers_with_dotted_keys() -> None:
    nested = {"a": 1, "b": {"c": 2.5, "d": {"e": 3}}, "flag": True, "name": "x"}
    assert flatten(nested) == {"a": 1, "b.c": 2.5, "b.d.e": 3}
