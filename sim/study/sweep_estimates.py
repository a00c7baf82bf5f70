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

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.study.kpis import kpi
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

    def table(self, position: int) -> pd.DataFrame:
        """The policy's table as ``sim.study.sweep_summary.policy_table`` lays it out, every
        metric a float (all readers of the table read floats)."""
        kept = self.present[position]
        names = [name for name, held in zip(self.names, kept, strict=True) if held]
        frame = pd.DataFrame(self.values[position][kept].T, columns=names)
        frame.insert(0, "replication", self.replications[position])
        return frame

    def estimates(self) -> list[dict[str, Estimate]]:
        """Per policy, ``table_estimates`` of its table: each metric it reported, by name."""
        count = self.values.shape[2]
        means = self.values.mean(axis=2)
        if count >= 2:
            sems = self.values.std(axis=2, ddof=1) / math.sqrt(count)
            halves = t_quantile(0.5 + CONFIDENCE / 2, count - 1) * sems
        floors = [kpi(name).floor for name in self.names]
        result = []
        for position in range(len(self.labels)):
            held: dict[str, Estimate] = {}
            for column in np.flatnonzero(self.present[position]):
                name, mean = self.names[column], float(means[position, column])
                if count < 2:
                    held[name] = Estimate(mean, None, None)
                    continue
                data = self.values[position, column]
                held[name] = interval(
                    data, mean, float(halves[position, column]), CONFIDENCE, floor=floors[column]
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
