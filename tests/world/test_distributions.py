"""Distributions of the scenario schema: the planner's parameters reach numpy intact."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import stats

from sim.world.distributions import (
    gamma_params,
    lognormal_params,
    mean_of,
    negative_binomial_params,
    sample_continuous,
    sample_count,
)
from sim.world.scenario_types import Continuous, Count

CONTINUOUS = TypeAdapter(Continuous)
COUNT = TypeAdapter(Count)
N = 20_000


def continuous(**fields: object) -> Continuous:
    return CONTINUOUS.validate_python(fields)


def count(**fields: object) -> Count:
    return COUNT.validate_python(fields)


def draw(dist: Continuous, seed: int = 7) -> np.ndarray:
    return sample_continuous(dist, N, np.random.default_rng(seed))


def test_exponential_draws_pass_a_ks_test_against_the_stated_mean() -> None:
    values = draw(continuous(dist="exponential", mean=4.0))
    assert stats.kstest(values, stats.expon(scale=4.0).cdf).pvalue > 0.001


def test_lognormal_is_given_by_the_mean_and_sd_of_the_value_itself() -> None:
    values = draw(continuous(dist="lognormal", mean=30.0, sd=20.0))
    mu, sigma = lognormal_params(30.0, 20.0)
    assert stats.kstest(values, stats.lognorm(s=sigma, scale=np.exp(mu)).cdf).pvalue > 0.001
    assert values.mean() == pytest.approx(30.0, rel=0.03)
    assert values.std() == pytest.approx(20.0, rel=0.08)


def test_gamma_is_given_by_its_mean_and_sd() -> None:
    values = draw(continuous(dist="gamma", mean=5.0, sd=2.0))
    shape, scale = gamma_params(5.0, 2.0)
    assert (shape, scale) == pytest.approx((6.25, 0.8))
    assert stats.kstest(values, stats.gamma(a=shape, scale=scale).cdf).pvalue > 0.001


def test_fixed_is_always_its_value() -> None:
    assert set(draw(continuous(dist="fixed", value=2.5)).tolist()) == {2.5}


def test_weighted_empirical_draws_follow_the_weights() -> None:
    values = draw(continuous(dist="empirical", values=[1.0, 2.0, 7.5], weights=[1, 3, 6]))
    observed = [np.sum(values == v) for v in (1.0, 2.0, 7.5)]
    assert stats.chisquare(observed, np.array([0.1, 0.3, 0.6]) * N).pvalue > 0.001


def test_unweighted_empirical_draws_are_uniform_over_the_values() -> None:
    values = draw(continuous(dist="empirical", values=[3.0, 4.0]))
    assert abs(np.mean(values == 3.0) - 0.5) < 0.02


def test_poisson_counts_have_mean_and_variance_equal_to_the_mean() -> None:
    values = sample_count(count(dist="poisson", mean=3.0), N, np.random.default_rng(1))
    assert values.dtype == np.int64
    assert values.mean() == pytest.approx(3.0, rel=0.03)
    assert values.var() == pytest.approx(3.0, rel=0.05)


def test_negative_binomial_counts_have_the_stated_mean_and_sd() -> None:
    values = sample_count(
        count(dist="negative_binomial", mean=4.0, sd=3.0), N, np.random.default_rng(2)
    )
    assert values.mean() == pytest.approx(4.0, rel=0.03)
    assert values.var() == pytest.approx(9.0, rel=0.06)


def test_negative_binomial_parameters_match_numpys_definition() -> None:
    n, p = negative_binomial_params(4.0, 3.0)
    assert n * (1 - p) / p == pytest.approx(4.0)
    assert n * (1 - p) / p**2 == pytest.approx(9.0)
    with pytest.raises(ValueError, match="squared must exceed"):
        negative_binomial_params(4.0, 2.0)


def test_fixed_and_empirical_counts_round_half_up_to_whole_numbers() -> None:
    rng = np.random.default_rng(3)
    assert set(sample_count(count(dist="fixed", value=2.5), 10, rng).tolist()) == {3}
    empirical = count(dist="empirical", values=[1.4, 2.5])
    assert set(sample_count(empirical, 1000, rng).tolist()) == {1, 3}


def test_mean_of_weighs_empirical_values() -> None:
    assert mean_of(continuous(dist="empirical", values=[1.0, 3.0], weights=[3, 1])) == 1.5
    assert mean_of(count(dist="poisson", mean=2.0)) == 2.0
