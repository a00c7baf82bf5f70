"""Growth of a service's calls: a log-linear fit to its business days' daily counts.

Why daily counts and not the months' means: a month's mean hides how its
calls fell within the month, and a least-squares line through 14 means
spends 12 degrees of freedom estimating its own noise (a t interval with 12
degrees of freedom is wide). Each business day's count ``n`` is taken as
negative binomial, mean ``mu = exp(a + b t) w`` (``t`` the day's position in
months, the month's middle at its index; ``w`` the weekday's share from the
hour-of-week profile) and variance ``mu + c^2 mu^2`` (``c`` the daily level's
CV, by the method of moments on a Poisson first fit); ``a`` and ``b`` by
iteratively reweighted least squares, their covariance from the information
matrix times the Pearson scale when that is above 1 (quasi-likelihood, so a
wrong ``c`` widens the interval rather than narrowing it). Growth a month is
``e^b - 1``; the calls per business day at month ``m`` are ``e^(a + b m)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.study.calibration.days import Days

GROWTH_MIN_MONTHS = 3
"""Months (with enough business days) a growth line needs."""
MONTH_MIN_BUSINESS_DAYS = 5
"""A month's business days enter the growth fit from this many days on."""
IRLS_STEPS = 50
"""Most reweighting steps of the fit (it converges in a handful)."""
IRLS_TOLERANCE = 1e-10
"""The fit stops when no coefficient moves more than this."""


@dataclass(frozen=True)
class GrowthLine:
    """log(calls per business day) = intercept + slope x month, with the fit's covariance."""

    intercept: float
    slope: float
    covariance: np.ndarray  # 2 x 2, of (intercept, slope)

    def mean_at(self, month: np.ndarray | float) -> np.ndarray:
        return np.exp(self.intercept + self.slope * np.asarray(month, dtype=float))

    @property
    def slope_se(self) -> float:
        return math.sqrt(max(float(self.covariance[1, 1]), 0.0))

    def log_se_at(self, month: float) -> float:
        """Standard error of ``intercept + slope x month``."""
        row = np.array([1.0, float(month)])
        return math.sqrt(max(float(row @ self.covariance @ row), 0.0))


def month_position(days: Days) -> np.ndarray:
    """Each day's position in months since the first month, its month's middle at its index."""
    dates = pd.date_range(days.first, periods=days.count, freq="D")
    within = (dates.day.to_numpy() - 0.5) / dates.days_in_month.to_numpy()
    return days.month + within - 0.5


def fit_growth_line(
    counts: np.ndarray, days: Days, business: np.ndarray, weekday_share: np.ndarray
) -> GrowthLine | None:
    """The negative-binomial log-linear line of the business days' counts (module doc).

    None when fewer than ``GROWTH_MIN_MONTHS`` months have ``MONTH_MIN_BUSINESS_DAYS``
    business days, or those days hold no call.
    """
    months = [
        month
        for month in range(days.months())
        if (business & (days.month == month)).sum() >= MONTH_MIN_BUSINESS_DAYS
    ]
    keep = business & np.isin(days.month, months) & (weekday_share[days.weekday] > 0)
    if len(months) < GROWTH_MIN_MONTHS or counts[keep].sum() <= 0:
        return None
    n = counts[keep].astype(float)
    x = np.column_stack([np.ones(len(n)), month_position(days)[keep]])
    offset = np.log(weekday_share[days.weekday[keep]])
    beta = _irls(n, x, offset, np.array([math.log(n.mean()), 0.0]), 0.0)
    mu = np.exp(x @ beta + offset)
    cv2 = max(float(((n - mu) ** 2 - n).sum() / (mu**2).sum()), 0.0)
    beta = _irls(n, x, offset, beta, cv2)
    mu = np.exp(x @ beta + offset)
    variance = mu + cv2 * mu**2
    pearson = float(((n - mu) ** 2 / variance).sum()) / max(len(n) - 2, 1)
    information = x.T @ (x * (mu**2 / variance)[:, None])
    covariance = np.linalg.inv(information) * max(pearson, 1.0)
    return GrowthLine(float(beta[0]), float(beta[1]), covariance)


def _irls(
    n: np.ndarray, x: np.ndarray, offset: np.ndarray, beta: np.ndarray, cv2: float
) -> np.ndarray:
    """Maximum likelihood of the log-linear mean, variance ``mu + cv2 mu^2`` (Fisher scoring)."""
    for _ in range(IRLS_STEPS):
        eta = x @ beta + offset
        mu = np.exp(eta)
        weight = mu / (1 + cv2 * mu)
        working = eta - offset + (n - mu) / mu
        step = np.linalg.solve(x.T @ (x * weight[:, None]), x.T @ (weight * working))
        moved = float(np.abs(step - beta).max())
        beta = step
        if moved < IRLS_TOLERANCE:
            break
    return beta
