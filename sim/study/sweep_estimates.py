"""Every policy's metric estimates over a chunk of a sweep's rows, at once.

Why: a sweep's summary gives each policy the mean and 95 % interval of each of
its metrics, as ``credsim run`` does (``sim.study.run_summary.table_estimates``).
Policy by policy that was a table laid out in pandas and a ``mean_ci`` per column:
about 35 ms a policy, 3.5 s of issue 15's sweep
(docs/performance.md#fixed-costs-of-a-sweep). Here the chunk's rows become one
array (policy, metric, replication) and the means and standard deviations are
numpy reductions along its last, contiguous axis: the same pairwise sums as
``mean_ci`` takes of one column, so the same numbers to the last bit (the sweep
tests compare the files byte for byte). Only the interval's choice (t, or the
bootstrap below a floor) is made value by value, by ``sim.study.stats.interval``.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.study.kpis import kpi, outage_risk
from sim.study.recommend import COST_PARTS, CostModel
from sim.study.stats import CONFIDENCE, Estimate, interval, t_quantile


@dataclass(frozen=True)
class ChunkTables:
    """A chunk's rows as arrays: each policy's replications of each metric."""

    labels: list[str]
    names: list[str]
    """The metric columns, sorted by name (the order of a run's table)."""
    values: np.ndarray
    """(policy, metric, replication), floats; a gap (a metric a row lacks) is 0."""
    present: np.ndarray
    """(policy, metric): whether any replication of the policy reported the metric."""
    replications: np.ndarray
    """(policy, replication): the replication numbers, in row order."""

    def estimates(self) -> list[dict[str, Estimate]]:
        """Per policy, ``table_estimates`` of its table: each metric it reported, by name."""
        floors = [kpi(name).floor for name in self.names]
        return _estimates(self.values, self.names, floors, self.present)

    def column(self, name: str) -> np.ndarray:
        """Metric ``name`` of every policy, (policy, replication), as ``Replications.column``
        reads it from each policy's table: zeros where a policy did not report it."""
        if name in self.names:
            return self.values[:, self.names.index(name), :]
        return np.zeros(self.values.shape[::2])

    def figures(self, costs: CostModel) -> list[PolicyFigures]:
        """Every policy's ``sim.study.sweep_summary.table_figures``, at once: the cost parts
        of all replications of all policies in one pass (``CostModel.parts``), their
        estimates as ``estimates`` takes a metric's (about 7 ms a policy when each
        policy's parts were a pandas table of their own)."""
        parts = costs.parts(self.column)
        total = functools.reduce(operator.add, (parts[name] for name in COST_PARTS))
        # ``total`` adds the parts in COST_PARTS' order, one after another, as pandas' row
        # sum does in ``CostModel.per_year`` (tests/study/test_sweep_estimates.py)
        names = ["cost", *COST_PARTS]
        cube = np.ascontiguousarray(np.stack([total, *parts.values()], axis=1))
        floors = [kpi(f"{name}_per_year").floor for name in names]
        costed = _estimates(cube, names, floors, np.ones(cube.shape[:2], dtype=bool))
        risky, years = self.column("years_with_outage"), self.column("years")
        monthly = np.ascontiguousarray(self.column("recharges")).mean(axis=1).tolist()
        return [
            PolicyFigures(
                risk=outage_risk(risky[k], years[k]),
                cost=held.pop("cost"),
                cost_parts=held,
                recharges_per_month=monthly[k] / costs.horizon_months,
            )
            for k, held in enumerate(costed)
        ]


@dataclass(frozen=True)
class PolicyFigures:
    """One policy's figures per year beside its metrics: what the choice weighs."""

    risk: Estimate
    cost: Estimate
    cost_parts: dict[str, Estimate]
    """``COST_PARTS`` in order."""
    recharges_per_month: float


def _estimates(
    cube: np.ndarray, names: Sequence[str], floors: Sequence[float | None], present: np.ndarray
) -> list[dict[str, Estimate]]:
    """Per policy, ``mean_ci`` of each figure (``names``, ``floors``) of ``cube`` (policy,
    figure, replication; contiguous) that is ``present``, by name: means and deviations of
    all rows at once, the same pairwise sums as ``mean_ci`` takes of one row."""
    count = cube.shape[2]
    means = cube.mean(axis=2)
    if count >= 2:
        sems = cube.std(axis=2, ddof=1) / math.sqrt(count)
        halves = t_quantile(0.5 + CONFIDENCE / 2, count - 1) * sems
    result = []
    for position in range(cube.shape[0]):
        held: dict[str, Estimate] = {}
        for column in np.flatnonzero(present[position]).tolist():
            name, mean = names[column], float(means[position, column])
            if count < 2:
                held[name] = Estimate(mean, None, None)
                continue
            half = float(halves[position, column])
            held[name] = interval(
                cube[position, column], mean, half, CONFIDENCE, floor=floors[column]
            )
        result.append(held)
    return result


def chunk_tables(raw: pd.DataFrame, labels: Sequence[str]) -> ChunkTables | None:
    """``raw`` (rows of ``labels``, policy after policy, each in replication order) as arrays;
    None when the policies do not all have the same number of rows in that layout."""
    if not labels or len(raw) % len(labels):
        return None
    count = len(raw) // len(labels)
    if count == 0:
        return None
    held = raw["label"].to_numpy()
    if not np.array_equal(held, np.repeat(np.asarray(labels, dtype=object), count)):
        return None
    names = sorted(str(name) for name in raw.columns if name not in ("label", "replication"))
    flat = raw[names].to_numpy(dtype=float)  # rows x metrics
    cube = np.ascontiguousarray(flat.reshape(len(labels), count, len(names)).transpose(0, 2, 1))
    gaps = np.isnan(cube)
    present = ~gaps.all(axis=2)
    cube[gaps] = 0.0
    replications = raw["replication"].to_numpy().reshape(len(labels), count)
    return ChunkTables(list(labels), names, cube, present, replications)
