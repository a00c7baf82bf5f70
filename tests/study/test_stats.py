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


def test_the_intervals_equal_scipy_stats_to_the_bit_without_importing_it() -> None:
    """t quantiles, Wilson intervals, the normal quantile and the gamma tail are computed
    from scipy.special (scipy.stats takes a second to import); each equals scipy.stats."""
    from scipy import stats  # noqa: PLC0415  (the reference, here only)

    from sim.study.first_guess import _exceeds  # noqa: PLC0415
    from sim.study.recommend import replications_needed  # noqa: PLC0415
    from sim.study.stats import t_quantile  # noqa: PLC0415

    for df in (*range(1, 60), 99, 199, 999, 9999):
        assert t_quantile(0.975, df) == float(stats.t.ppf(0.975, df)), df
    for trials in (*range(1, 41), 97, 200, 1000, 4000, 123457):
        counts = {0, 1, min(2, trials), trials // 3, trials // 2, trials - 1, trials}
        for successes in sorted(counts):
            ci = stats.binomtest(successes, trials).proportion_ci(method="wilson")
            held = wilson(successes, trials)
            assert (held.ci_low, held.ci_high) == (float(ci.low), float(ci.high)), (
                successes,
                trials,
            )
    z = float(stats.norm.ppf(0.975))
    assert replications_needed(0.05, 2) == int(np.ceil(np.ceil(z * z * 0.95 / 0.05) / 2))
    rng = np.random.default_rng(7)
    for mean, sd, trigger in zip(*rng.uniform(1, 500, (3, 200)), strict=True):
        shape, scale = (mean / sd) ** 2, sd * sd / mean
        expected = float(stats.gamma.sf(trigger, shape, scale=scale))
        assert _exceeds(trigger, mean, sd) == expected
    assert _exceeds(0.0, 10.0, 3.0) == float(stats.gamma.sf(0.0, 100 / 9, scale=0.9)) == 1.0


def test_a_wilson_count_beyond_its_trials_is_refused() -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson(5, 4)


def test_the_bootstrap_interval_equals_scipy_stats_to_the_bit() -> None:
    from scipy import stats  # noqa: PLC0415  (the reference, here only)

    from sim.study.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED  # noqa: PLC0415

    rng = np.random.default_rng(11)
    for trial in range(80):
        size = int(rng.integers(2, 60))
        data = [
            np.where(rng.random(size) < 0.85, 0.0, rng.gamma(1.0, 100.0, size)),
            rng.integers(0, 3, size).astype(float),
            rng.lognormal(0.0, 2.0, size),
            np.round(rng.exponential(5.0, size), 2),
        ][trial % 4]
        reference = stats.bootstrap(
            (data,), np.mean, confidence_level=0.95, n_resamples=BOOTSTRAP_RESAMPLES,
            method="percentile", vectorized=True, rng=np.random.default_rng(BOOTSTRAP_SEED),
        ).confidence_interval  # fmt: skip
        lowest, highest, mean = float(data.min()), float(data.max()), float(data.mean())
        low = min(max(float(reference.low), lowest), mean)
        high = max(min(float(reference.high), highest), mean)
        held = mean_ci(data, floor=1e9)  # a floor above every value: always the bootstrap
        assert (held.ci_low, held.ci_high) == (low, high), trial
