"""Holdout: the last N whole months' actual spend against the scenario fitted without them.

Why: a fitted scenario is only worth planning on if it would have foreseen
spend it was not shown. The fit leaves out the last N whole calendar months,
the fitted scenario's demand generator (``sim.world.demand``, no ledger: what
is spent does not depend on the policy) draws those months
``replications`` times, and each (month, service) compares the actual spend
with the simulated mean and the 90 % band (5th to 95th percentile). A month
is inside when its total is inside the band of simulated totals; the total's
error is (simulated mean - actual) / actual over the N months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from sim.account.money import Currency
from sim.world.demand import generate
from sim.world.load import LoadedScenario

BAND = (5.0, 95.0)
"""Percentiles of the simulated spend that make the 90 % band."""
TOTAL = "total"
"""The service name of a month's all-services row."""


@dataclass(frozen=True)
class HoldoutCell:
    """One (month, service): actual spend against the simulated distribution (minor units)."""

    month: str
    service: str
    actual_minor: int
    mean_minor: float
    p5_minor: float
    p95_minor: float

    @property
    def inside(self) -> bool:
        return self.p5_minor <= self.actual_minor <= self.p95_minor


@dataclass(frozen=True)
class Holdout:
    """The holdout's cells, per month and service, plus each month's total."""

    cells: tuple[HoldoutCell, ...]
    period: HoldoutCell  # the N months' total against the band of simulated N-month totals
    currency: Currency
    replications: int
    fitted_until: str

    @property
    def months(self) -> tuple[str, ...]:
        return tuple(cell.month for cell in self.cells if cell.service == TOTAL)

    @property
    def months_inside(self) -> int:
        return sum(cell.inside for cell in self.cells if cell.service == TOTAL)

    @property
    def total_error_pct(self) -> float:
        totals = [cell for cell in self.cells if cell.service == TOTAL]
        actual = sum(cell.actual_minor for cell in totals)
        simulated = sum(cell.mean_minor for cell in totals)
        return 100.0 * (simulated - actual) / actual if actual else float("nan")

    def to_dict(self) -> dict[str, object]:
        """Money in major units of the currency."""
        scale = self.currency.minor_per_major
        return {
            "fitted_until": self.fitted_until,
            "replications": self.replications,
            "currency": self.currency.code,
            "months": list(self.months),
            "months_inside": self.months_inside,
            "total_error_pct": self.total_error_pct,
            "period": _cell_dict(self.period, scale),
            "cells": [_cell_dict(c, scale) for c in self.cells],
        }

    def to_text(self) -> str:
        """A table for the CLI, one line per (month, service)."""
        scale = self.currency.minor_per_major
        cur = self.currency.code
        lines = [
            f"Holdout: fitted on the data until {self.fitted_until}, {self.replications} "
            f"simulations of the {len(self.months)} month(s) after (actual vs simulated, {cur}):",
            f"  {'month':<8} {'service':<22} {'actual':>11} {'mean':>11} {'90 % band':>23}",
        ]
        for c in self.cells:
            band = f"{c.p5_minor / scale:,.2f} to {c.p95_minor / scale:,.2f}"
            lines.append(
                f"  {c.month:<8} {c.service:<22} {c.actual_minor / scale:>11,.2f} "
                f"{c.mean_minor / scale:>11,.2f} {band:>23} {'inside' if c.inside else 'OUTSIDE'}"
            )
        p = self.period
        lines.append(
            f"  all {len(self.months)} months: actual {p.actual_minor / scale:,.2f}, simulated "
            f"{p.mean_minor / scale:,.2f} ({p.p5_minor / scale:,.2f} to "
            f"{p.p95_minor / scale:,.2f}) {'inside' if p.inside else 'OUTSIDE'}"
        )
        lines.append(
            f"  months inside the band: {self.months_inside} of {len(self.months)}; "
            f"error of the total: {self.total_error_pct:+.1f} %"
        )
        return "\n".join(lines)


def _cell_dict(cell: HoldoutCell, scale: int) -> dict[str, object]:
    return {
        "month": cell.month,
        "service": cell.service,
        "actual": cell.actual_minor / scale,
        "simulated_mean": cell.mean_minor / scale,
        "p5": cell.p5_minor / scale,
        "p95": cell.p95_minor / scale,
        "inside": cell.inside,
    }


def period_cell(actual: np.ndarray, simulated: np.ndarray) -> HoldoutCell:
    """The whole holdout's total against the simulated totals of the same months."""
    return _cell("all", TOTAL, int(actual.sum()), simulated.sum(axis=(1, 2)))


def month_edges(start: datetime, months: int) -> tuple[np.ndarray, list[str]]:
    """UTC microseconds of the local month starts from ``start`` (months + 1 edges), labels."""
    first = pd.Timestamp(start)
    edges = [first + pd.DateOffset(months=k) for k in range(months + 1)]
    micros = np.array([edge.tz_convert("UTC").value // 1000 for edge in edges], dtype=np.int64)
    return micros, [f"{edge:%Y-%m}" for edge in edges[:-1]]


def actual_spend(table: pd.DataFrame, edges: np.ndarray, services: list[str]) -> np.ndarray:
    """Credit-billed charges per (month, service) of recorded calls, by start."""
    billed = table[table["credit_billed"]]
    month = np.searchsorted(edges, billed["start_us"].to_numpy(), side="right") - 1
    index = {name: i for i, name in enumerate(services)}
    service = billed["service"].map(index).to_numpy()
    keep = (month >= 0) & (month < len(edges) - 1)
    cells = month[keep] * len(services) + service[keep]
    charges = billed["charge_minor"].to_numpy()[keep]
    spend = np.bincount(cells, weights=charges, minlength=(len(edges) - 1) * len(services))
    return spend.reshape(len(edges) - 1, len(services)).round().astype(np.int64)


def simulated_spend(
    loaded: LoadedScenario,
    edges: np.ndarray,
    services: list[str],
    *,
    replications: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> np.ndarray:
    """Charges per (replication, month, service) drawn from the scenario's demand."""
    months = len(edges) - 1
    spend = np.zeros((replications, months, len(services)), dtype=np.int64)
    index = {name: i for i, name in enumerate(services)}
    for rep, child in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        charged = generate(loaded.scenario, loaded.rates, np.random.default_rng(child)).charged()
        month = np.searchsorted(edges, charged.start_us, side="right") - 1
        # A service the fit has no row for (a big meeting's free dial-ins) is never charged.
        names = np.array([index.get(name, -1) for name in charged.services], dtype=np.int64)
        service = names[charged.service]
        keep = (month >= 0) & (month < months) & charged.credit_billed & (service >= 0)
        cells = month[keep] * len(services) + service[keep]
        counts = np.bincount(
            cells, weights=charged.charge_minor[keep], minlength=months * len(services)
        )
        spend[rep] = counts.reshape(months, len(services)).round().astype(np.int64)
        if progress is not None and (rep + 1) % 50 == 0:
            progress(f"holdout: {rep + 1} of {replications} simulations")
    return spend


def compare(
    actual: np.ndarray,
    simulated: np.ndarray,
    labels: list[str],
    services: list[str],
) -> tuple[HoldoutCell, ...]:
    """Cells per (month, service) then the month's total, months in order."""
    cells: list[HoldoutCell] = []
    for m, label in enumerate(labels):
        for s, name in enumerate(services):
            cells.append(_cell(label, name, int(actual[m, s]), simulated[:, m, s]))
        cells.append(_cell(label, TOTAL, int(actual[m].sum()), simulated[:, m, :].sum(axis=1)))
    return tuple(cells)


def _cell(month: str, service: str, actual_minor: int, draws: np.ndarray) -> HoldoutCell:
    low, high = np.percentile(draws, BAND)
    return HoldoutCell(month, service, actual_minor, float(draws.mean()), float(low), float(high))
