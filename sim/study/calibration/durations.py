"""Call durations: a lognormal when it passes a KS test, else the empirical distribution.

Why both: a lognormal is two numbers a planner can read and change, so it is
used when the data do not reject it (Kolmogorov-Smirnov at 5 %, parameters
from the logs' mean and sd: a test that, with fitted parameters, rejects less
often than its nominal 5 %). Otherwise the durations are written as the
empirical distribution: ``EMPIRICAL_VALUES_MAX`` equally weighted quantiles,
which need no test (they are the data, thinned) and keep the short calls that
the per-minute rounding up makes dear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EMPIRICAL_VALUES_MAX = 200
"""Quantiles an empirical duration keeps."""
KS_LEVEL = 0.05
"""A lognormal is used when the KS test's p-value is at least this."""
MINUTE_DECIMALS = 3
"""Durations are written to the thousandth of a minute (0.06 s)."""


@dataclass(frozen=True)
class DurationFit:
    """A ``duration_min`` table and how it was chosen."""

    spec: dict[str, object]
    method: str
    calls: int
    ks_p: float | None

    @property
    def mean_min(self) -> float:
        spec = self.spec
        if spec["dist"] == "lognormal":
            return float(spec["mean"])  # type: ignore[arg-type]
        return float(np.mean(spec["values"]))  # type: ignore[call-overload]


def fit_durations(duration_s: np.ndarray) -> DurationFit:
    """The duration distribution (minutes) of ``duration_s`` (at least one call)."""
    minutes = np.asarray(duration_s, dtype=float) / 60.0
    positive = minutes[minutes > 0]
    p_value = None
    if len(positive) == len(minutes) and len(minutes) >= 2:
        logs = np.log(positive)
        mu, sigma = float(logs.mean()), float(logs.std(ddof=1))
        if sigma > 0:
            from scipy import stats  # noqa: PLC0415  (0.8 s and 45 MB: only when a fit runs)

            p_value = float(stats.kstest(positive, "lognorm", args=(sigma, 0, math.exp(mu))).pvalue)
            if p_value >= KS_LEVEL:
                mean = math.exp(mu + sigma**2 / 2)
                sd = mean * math.sqrt(math.expm1(sigma**2))
                return DurationFit(
                    {"dist": "lognormal", "mean": _round(mean), "sd": _round(sd)},
                    f"lognormal (KS p = {p_value:.2f} >= {KS_LEVEL})",
                    len(minutes),
                    p_value,
                )
    count = min(EMPIRICAL_VALUES_MAX, len(minutes))
    values = np.quantile(minutes, (np.arange(count) + 0.5) / count)
    why = (
        f"empirical, {count} quantiles (lognormal rejected: KS p = {p_value:.3f})"
        if p_value is not None
        else f"empirical, {count} quantiles"
    )
    return DurationFit(
        {"dist": "empirical", "values": [_round(v) for v in values]}, why, len(minutes), p_value
    )


def _round(value: float) -> float:
    return round(float(value), MINUTE_DECIMALS)
