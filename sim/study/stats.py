"""Monte Carlo statistics: means with confidence intervals, probabilities, bands.

Replications are independent draws of the same world, so a metric's mean
gets a Student-t interval, and the probability of an outage (a yes/no per
replication) a Wilson score interval, which behaves at 0 % and 100 % where
the normal approximation does not. Everything here is deterministic: the same
replications give the same numbers to the last bit.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

CONFIDENCE = 0.95
BAND_PERCENTILES = (5, 25, 50, 75, 95)
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with a confidence interval (None when n < 2)."""

    estimate: float
    ci_low: float | None
    ci_high: float | None

    def rounded(self, digits: int = 6) -> Estimate:
        """Each number rounded as JSON stores it (rounding again changes nothing)."""
        return Estimate(
            round(self.estimate, digits), _round(self.ci_low, digits), _round(self.ci_high, digits)
        )

    def as_mean(self, digits: int = 6) -> dict[str, float | None]:
        """JSON shape of a metric: ``mean``, ``ci_low``, ``ci_high``."""
        return {
            "mean": _round(self.estimate, digits),
            "ci_low": _round(self.ci_low, digits),
            "ci_high": _round(self.ci_high, digits),
        }

    def as_probability(self, digits: int = 6) -> dict[str, float | None]:
        """JSON shape of a probability: ``estimate``, ``ci_low``, ``ci_high``."""
        return {
            "estimate": _round(self.estimate, digits),
            "ci_low": _round(self.ci_low, digits),
            "ci_high": _round(self.ci_high, digits),
        }


BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261201
"""The bootstrap's own fixed seed: the same replications give the same interval, to the bit."""


def mean_ci(
    values: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
    *,
    floor: float | None = None,
) -> Estimate:
    """Sample mean with a Student-t confidence interval, kept at or above ``floor``.

    A t interval whose low end falls below what the quantity can be (a count or
    an amount of money below 0, as ``blocked_charge -$0.03 to $0.10`` once read)
    says the sample is too skewed for t: the interval is then the percentile
    bootstrap of the mean (scipy), which never leaves the values' own range.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("mean_ci needs at least one value")
    mean = float(data.mean())
    if data.size < 2:
        return Estimate(mean, None, None)
    sem = float(data.std(ddof=1)) / math.sqrt(data.size)
    half = t_quantile(0.5 + confidence / 2, data.size - 1) * sem
    return interval(data, mean, half, confidence, floor=floor)


def interval(
    data: np.ndarray, mean: float, half: float, confidence: float, *, floor: float | None
) -> Estimate:
    """``mean_ci``'s interval from its mean and t half-width (a sweep's summary computes
    those for every policy at once, ``sim.study.sweep_estimates``): mean +- half, or the
    bootstrap when that would reach below ``floor``."""
    if floor is None or mean - half >= floor or not np.isfinite(half):
        return Estimate(mean, mean - half, mean + half)
    return _bootstrap(data, mean, confidence)


@lru_cache(maxsize=256)
def t_quantile(probability: float, degrees_of_freedom: int) -> float:
    """Student's t quantile, computed once per (probability, degrees of freedom).

    Why cached: a sweep's summary takes a mean and interval of every metric of
    every policy over the same number of replications, so the same quantile
    thousands of times (4,548 scipy calls for issue 15's sweep,
    docs/performance.md#fixed-costs-of-a-sweep). The value is scipy's ``stats.t.ppf``, which
    is ``special.stdtrit`` (called directly: ``scipy.stats`` takes a second to import).
    """
    return float(special.stdtrit(degrees_of_freedom, probability))


def _bootstrap(data: np.ndarray, mean: float, confidence: float) -> Estimate:
    """Percentile bootstrap interval of the mean (within [min, max] of ``data``).

    scipy's ``stats.bootstrap(method="percentile", vectorized=True)`` to the bit, seeded
    with ``BOOTSTRAP_SEED``: the same resample indices from the same generator, the same
    means along the same axis, and ``stats.quantile``'s default (Hyndman and Fan's type 7,
    ``linear``) computed as scipy computes it. Why not scipy: ``scipy.stats`` takes a
    second or more to import, and a sweep with one skewed metric paid it
    (docs/performance.md#fixed-costs-of-a-sweep); ``tests/study/test_stats.py`` compares
    the two.
    """
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    size = data.shape[-1]
    picks = rng.integers(0, size, (BOOTSTRAP_RESAMPLES, size), dtype=np.int64)
    means = np.sort(np.mean(data[picks], axis=-1))
    alpha = np.asarray((1 - confidence) / 2, dtype=np.float64)
    low, high = (_quantile_linear(means, share) for share in (alpha, 1 - alpha))
    lowest, highest = float(data.min()), float(data.max())  # against rounding at the ends
    return Estimate(mean, min(max(low, lowest), mean), max(min(high, highest), mean))


def _quantile_linear(ordered: np.ndarray, share: np.ndarray) -> float:
    """scipy's ``stats.quantile(values, share)`` (method ``linear``) of sorted values."""
    count = np.float64(len(ordered))
    rank = share * count + (1 - share)
    above = rank // 1
    below = above - 1
    weight = rank % 1
    if below < 0:
        weight = np.float64(0.0)
    below, above = np.clip(below, 0.0, count - 1), np.clip(above, 0.0, count - 1)
    return float((1 - weight) * ordered[int(below)] + weight * ordered[int(above)])


@functools.lru_cache(maxsize=4096)
def wilson(successes: int, trials: int, confidence: float = CONFIDENCE) -> Estimate:
    """Proportion with a Wilson score interval; cached, as a sweep asks for the same few
    counts again and again (an Estimate is immutable).

    The interval is scipy's ``binomtest(successes, trials).proportion_ci(method="wilson")``
    to the bit: the same formula (Newcombe 1998), the same operations in the same order on
    the same types (``z`` a numpy float from ``special.ndtri``), without importing
    ``scipy.stats`` (a second of every sweep's start-up); ``tests/study/test_stats.py``
    compares the two.
    """
    if trials <= 0:
        raise ValueError(f"trials(={trials}) must be > 0")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes(={successes}) must be in [0, trials(={trials})]")
    k, n = int(successes), int(trials)
    p = k / n
    z = special.ndtri(0.5 + 0.5 * confidence)
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    q = 1 - p
    delta = z / denom * math.sqrt(4 * n * p * q + z**2)
    low = 0.0 if k == 0 else center - delta
    high = 1.0 if k == n else center + delta
    return Estimate(successes / trials, float(low), float(high))


def quantile_table(runs: pd.DataFrame, levels: Sequence[float] = QUANTILES) -> pd.DataFrame:
    """Quantiles of every metric column over the replications: one row per metric.

    The spread behind a mean, e.g. the worst 5 % of outage hours.
    """
    values = runs.quantile(list(levels), axis=0, numeric_only=True).T
    values.columns = [f"p{level * 100:g}" for level in levels]
    return values.rename_axis("metric").reset_index()


def balance_bands(daily: np.ndarray, percentiles: Sequence[int] = BAND_PERCENTILES) -> pd.DataFrame:
    """Percentiles of the end-of-day balance across replications, one row per day.

    ``daily`` is replications x days; the result has a ``day`` column and one
    ``p<k>`` column per percentile, for fan charts.
    """
    if daily.ndim != 2 or daily.shape[0] == 0:
        raise ValueError("balance_bands needs a replications x days array")
    values = np.percentile(daily, percentiles, axis=0)
    frame = pd.DataFrame({f"p{p}": values[i] for i, p in enumerate(percentiles)})
    frame.insert(0, "day", np.arange(1, daily.shape[1] + 1))
    return frame


def flatten(nested: Mapping[str, object], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a nested dict with dotted keys (booleans and text dropped)."""
    flat: dict[str, float] = {}
    leaves: Mapping[str, Any] = nested  # narrowed below by type, which mypy cannot follow
    for key, value in leaves.items():
        kind = type(value)
        if kind is int or kind is float:  # most leaves, tested first: a sweep flattens 2,020
            flat[f"{prefix}{key}"] = value
        elif isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[f"{prefix}{key}"] = value
    return flat


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
