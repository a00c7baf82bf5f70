"""Sampling the scenario schema's distributions with an explicit Generator.

Why a module of its own: the schema states distributions the way a planner
knows them (the mean and standard deviation of a call's length, not a
lognormal's mu and sigma), so the conversion to numpy's parameters lives here,
once, where it can be tested against scipy. Nothing here holds random state:
every function takes the ``numpy.random.Generator`` to draw from.

- ``Continuous`` (durations, jitters, in the unit of the key, e.g. minutes):
  fixed, exponential(mean), lognormal(mean, sd), gamma(mean, sd),
  empirical(values, weights).
- ``Delay`` (payment delays, hours): fixed, exponential(mean), lognormal(mean,
  sd), sampled as whole microseconds by ``delay_sampler``.
- ``Count`` (participants per meeting): fixed, poisson(mean),
  negative_binomial(mean, sd), empirical. A count is a whole number: fixed
  and empirical values are rounded half-up to integers (2.5 -> 3).
"""

from __future__ import annotations

import math

import numpy as np

from sim.account.clock import MICROS_PER_HOUR
from sim.account.payments import DelaySampler
from sim.limits import DELAY_MAX_H
from sim.world.scenario_types import (
    Continuous,
    Count,
    Delay,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    NegativeBinomial,
    Poisson,
)


def lognormal_params(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of the underlying normal for a lognormal with this mean and sd."""
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def gamma_params(mean: float, sd: float) -> tuple[float, float]:
    """(shape, scale) of a gamma with this mean and sd."""
    return (mean / sd) ** 2, sd**2 / mean


def negative_binomial_params(mean: float, sd: float) -> tuple[float, float]:
    """numpy's (n, p) for counts with this mean and sd (requires sd^2 > mean).

    numpy's negative binomial has mean n(1-p)/p and variance n(1-p)/p^2, so
    p = mean / variance and n = mean^2 / (variance - mean).
    """
    variance = sd**2
    if variance <= mean:
        raise ValueError(f"sd(={sd}) squared must exceed mean(={mean})")
    return mean**2 / (variance - mean), mean / variance


def sample_continuous(dist: Continuous, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` float64 draws from a continuous distribution of the schema."""
    match dist:
        case Fixed():
            return np.full(size, float(dist.value))
        case Exponential():
            return rng.exponential(dist.mean, size)
        case LogNormal():
            mu, sigma = lognormal_params(dist.mean, dist.sd)
            return rng.lognormal(mu, sigma, size)
        case Gamma():
            shape, scale = gamma_params(dist.mean, dist.sd)
            return rng.gamma(shape, scale, size)
        case Empirical():
            return _empirical(dist, size, rng)
    raise TypeError(f"not a continuous distribution: {dist!r}")


def sample_count(dist: Count, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` int64 draws from a count distribution of the schema."""
    match dist:
        case Fixed():
            return np.full(size, _round_half_up(dist.value), dtype=np.int64)
        case Poisson():
            return rng.poisson(dist.mean, size).astype(np.int64)
        case NegativeBinomial():
            n, p = negative_binomial_params(dist.mean, dist.sd)
            return rng.negative_binomial(n, p, size).astype(np.int64)
        case Empirical():
            return np.floor(_empirical(dist, size, rng) + 0.5).astype(np.int64)
    raise TypeError(f"not a count distribution: {dist!r}")


def delay_sampler(dist: Delay) -> DelaySampler:
    """Draws of a payment delay in hours as whole microseconds (``RandomDelay.sample_us``).

    Rounded to the nearest microsecond once, here, so every engine schedules
    the same instants; a draw beyond ``DELAY_MAX_H`` (a lognormal's far tail)
    is cut to it, so an instant plus a delay stays within int64.
    """

    def sample_us(rng: np.random.Generator, size: int) -> np.ndarray:
        hours = np.minimum(sample_continuous(dist, size, rng), DELAY_MAX_H)
        return np.rint(hours * MICROS_PER_HOUR).astype(np.int64)

    return sample_us


def mean_of(dist: Continuous | Count) -> float:
    """The distribution's mean (empirical: weighted mean of the values as given)."""
    if isinstance(dist, Fixed):
        return float(dist.value)
    if isinstance(dist, Empirical):
        return float(np.average(dist.values, weights=dist.weights))
    return float(dist.mean)


def _empirical(dist: Empirical, size: int, rng: np.random.Generator) -> np.ndarray:
    """Resample the observed values, weighted when weights are given."""
    values = np.asarray(dist.values, dtype=np.float64)
    if dist.weights is None:
        return values[rng.integers(0, len(values), size)]
    weights = np.asarray(dist.weights, dtype=np.float64)
    return rng.choice(values, size=size, p=weights / weights.sum())


def _round_half_up(value: float) -> int:
    """The whole number nearest ``value``, halves up (counts are never negative)."""
    return math.floor(value + 0.5)
