"""The rows of the stages a sweep evaluated so far, laid out as one table, chunk by chunk.

Why a pool: with common random numbers a policy's rows are the same whichever
stage computed them (replication ``i`` replays the same demand and payment
draws against every policy, ``sim.study.runner``), so a wider grid needs only
the policies it adds (``sim.study.widen``). ``Evaluated`` remembers which stage
holds each policy and lays out the rows of any list of policies as a sweep of
that list in one stage would: in policy order, then replication order.

Why chunks: 10,000 policies x 1,000 replications are ten million rows, some
gigabytes in memory and several times that while sorted. A stage of at most
``SWEEP_CHUNK_ROWS`` rows is read once and kept, as before; beyond it the rows
are read from the parts for one chunk of policies at a time, and every chunk
is given the column types the whole table would have (from the parts' schemas:
a column that is an integer in one stage and a float in another, or absent from
some parts, is a float), so each policy's rows, and every figure built from
them, are the same bytes as from the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import limits
from sim.errors import InputError
from sim.study.summary import SweepPolicy
from sim.study.sweep_store import SweepStore
from sim.study.sweep_summary import POLICY_COLUMNS, SPEND_COLUMNS

MISSING = "missing"
"""A column's type in a stage whose parts do not all have it."""
_INTEGER, _FLOAT = "int64", "double"

CHUNK_BYTES_PER_ROW = 2_000
"""Peak bytes per row of a chunk while it is read, sorted, laid out and written: measured
0.8 KB for the 29 columns of the sweep tests' scenario (0.5 KB of numpy arrays under
``tracemalloc`` while the rows are concatenated, sorted and laid out as runs.parquet, 0.27 KB
of arrow table); enterprise's metrics and the per-policy tables of the summary add to it."""

Chunk = tuple[Sequence[SweepPolicy], pd.DataFrame]
"""Consecutive policies of a list and their rows, laid out as ``Evaluated.rows`` lays them."""


class Evaluated:
    """The finished stages of one sweep of ``replications``; small ones held, large ones read."""

    def __init__(self, store: SweepStore, replications: int) -> None:
        self._store = store
        self.replications = replications
        self._frames: dict[str, pd.DataFrame] = {}
        self._stages: list[str] = []
        self._stage_of: dict[str, str] = {}
        self._types: dict[str, dict[str, set[str]]] = {}

    def __contains__(self, label: object) -> bool:
        return label in self._stage_of

    def holds(self, policies: Sequence[SweepPolicy]) -> bool:
        """Whether a stage of ``policies`` is held in memory once finished (else read by chunk)."""
        return len(policies) * self.replications <= limits.SWEEP_CHUNK_ROWS

    def add(
        self,
        stage: str,
        policies: Sequence[SweepPolicy],
        written: Mapping[int, pa.Table] | None = None,
    ) -> None:
        """The finished ``stage``; its ``policies`` are taken from it from now on.

        ``written``: the parts this process wrote for it, by replication (their tables, as
        ``SweepStore.write_part`` returned them): held as they are instead of read back from
        disk (40 parts of issue 15's sweep: 0.14 s of reading and checking, profiled). Only
        the parts of an earlier invocation (``--resume``) are read and checked."""
        if not policies:
            return
        self._stages.append(stage)
        self._types[stage] = stage_types(self._store, stage, written)
        if self.holds(policies):
            self._frames[stage] = self._store.read_parts(stage, held=written)
        for policy in policies:
            self._stage_of.setdefault(policy.label, stage)

    def spend(self, stage: str) -> pd.DataFrame:
        """``SPEND_COLUMNS`` of every row of ``stage``, as read from its parts."""
        if stage in self._frames:
            return self._frames[stage]
        return self._store.read_parts(stage, columns=SPEND_COLUMNS)

    def chunk_size(self) -> int:
        """Policies per chunk: ``SWEEP_CHUNK_ROWS`` rows, one policy at least."""
        return max(1, limits.SWEEP_CHUNK_ROWS // self.replications)

    def chunks(self, policies: Sequence[SweepPolicy]) -> Iterator[Chunk]:
        """``policies`` in consecutive chunks, each with its rows (``rows`` of the chunk)."""
        types = self._column_types(policies)
        size = self.chunk_size()
        for start in range(0, len(policies), size):
            chunk = policies[start : start + size]
            yield chunk, self._rows(chunk, types)

    def rows(
        self, policies: Sequence[SweepPolicy], among: Sequence[SweepPolicy] | None = None
    ) -> pd.DataFrame:
        """The rows of ``policies`` in their order then replication order, each column of
        the type it has in the table of ``among`` (default: ``policies``) laid out whole."""
        return self._rows(policies, self._column_types(among or policies))

    def _rows(self, policies: Sequence[SweepPolicy], types: dict[str, str]) -> pd.DataFrame:
        order = {policy.label: position for position, policy in enumerate(policies)}
        missing = [label for label in order if label not in self._stage_of]
        if missing:
            raise KeyError(f"no stage of this sweep evaluated {missing[0]}")
        frames = []
        for stage in self._stages:
            wanted = [label for label in order if self._stage_of[label] == stage]
            if not wanted:
                continue
            held = self._frames.get(stage)
            if held is None:
                frames.append(self._store.read_parts(stage, labels=set(wanted)))
            else:
                frames.append(held[held["label"].isin(wanted)])
        raw = pd.concat(frames, ignore_index=True)
        ranked = raw.assign(_order=raw["label"].map(order))
        ranked = ranked.sort_values(["_order", "replication"], kind="stable")
        raw = ranked.drop(columns="_order").reset_index(drop=True)
        for name, dtype in types.items():
            if name not in raw.columns:
                raw[name] = float("nan")  # absent from this chunk's stages: NaN, as in the whole
            elif dtype == "float64" and raw[name].dtype != "float64":
                raw[name] = raw[name].astype("float64")
        return raw

    def _column_types(self, policies: Sequence[SweepPolicy]) -> dict[str, str]:
        """Each column's pandas type in the whole table of ``policies`` (numbers only):
        ``int64`` where every stage holding them has integers in every part, else ``float64``."""
        stages = [
            s for s in self._stages if any(self._stage_of.get(p.label) == s for p in policies)
        ]
        names = {name for stage in stages for name in self._types[stage]}
        types: dict[str, str] = {}
        for name in sorted(names):
            seen = set().union(*(self._types[stage].get(name, {MISSING}) for stage in stages))
            if seen == {_INTEGER}:
                types[name] = "int64"
            elif seen <= {_INTEGER, _FLOAT, MISSING}:
                types[name] = "float64"
        return types


def check_client_memory(policies: int, replications: int) -> None:
    """InputError when the sweep's client could not hold what it keeps of every row.

    The spend columns of every row (``SWEEP_SPEND_BYTES_PER_ROW``) and one chunk
    (``SWEEP_CHUNK_ROWS`` rows, ``CHUNK_BYTES_PER_ROW`` each) against the memory
    limit: 10,000 policies x 1,000 replications fit, ten million policies do not.
    """
    rows = policies * replications
    need = rows * limits.SWEEP_SPEND_BYTES_PER_ROW
    need += min(rows, limits.SWEEP_CHUNK_ROWS) * CHUNK_BYTES_PER_ROW
    most = limits.max_memory_bytes()
    if need > most:
        raise InputError(
            f"{policies:,} policies x {replications:,} replications would need about "
            f"{need / 1024**3:,.1f} GB in this process for the summary; the limit is "
            f"{most / 1024**3:,.1f} GB (change it with the environment variable "
            f"{limits.MAX_MEMORY_VARIABLE}, or sweep fewer policies or replications)"
        )


def stage_types(
    store: SweepStore, stage: str, written: Mapping[int, pa.Table] | None = None
) -> dict[str, set[str]]:
    """Each column of the stage's parts and its arrow types (``MISSING``: absent from some).

    Read from the parts' schemas alone (a few hundred bytes each); those in ``written``
    (tables this process wrote, by replication) from the tables.
    """
    held = written or {}
    schemas = [
        held[index].schema if index in held else pq.read_schema(path)
        for index, path in store.part_paths(stage)
    ]
    seen: dict[str, set[str]] = {}
    for schema in schemas:
        for name in schema.names:
            seen.setdefault(name, set()).add(str(schema.field(name).type))
    for schema in schemas:
        for name in set(seen) - set(schema.names):
            seen[name].add(MISSING)
    return seen


def runs_table(raw: pd.DataFrame, policies: Sequence[SweepPolicy]) -> pd.DataFrame:
    """runs.parquet: policy columns, the replication, then every metric by name (missing: 0)."""
    by_label = {policy.label: policy for policy in policies}
    metrics = sorted(set(raw.columns) - {"label", "replication"})
    table = pd.DataFrame({"label": raw["label"]})
    for column in POLICY_COLUMNS[1:]:
        table[column] = pd.Series(
            [by_label[label].column(column) for label in raw["label"]], index=raw.index
        )
    table["replication"] = raw["replication"]
    return pd.concat([table, raw[metrics].fillna(0.0)], axis=1)


def write_runs(
    store: SweepStore, name: str, pool: Evaluated, policies: Sequence[SweepPolicy]
) -> pd.DataFrame | None:
    """runs.parquet of ``policies``: one table as before when it is one chunk (and that table
    returned), else a row group per chunk (None: the table is too big to hand back)."""
    if len(policies) <= pool.chunk_size():
        runs = runs_table(pool.rows(policies), policies)
        store.write_parquet(name, runs)
        return runs
    store.write_parquet_chunks(
        name, (runs_table(raw, chunk) for chunk, raw in pool.chunks(policies))
    )
    return None


RowsOf = Callable[[SweepPolicy], pd.DataFrame]
"""The rows of one policy, typed as in the whole table (for the chosen policy's verdict)."""
