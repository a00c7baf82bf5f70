"""A generated replication's calls: the charged ones as arrays, the free ones on demand.

Why: with calling plans almost every generated call is free (a pool covers
it, or it is a toll dial-in under Audio Conferencing). Free calls never touch
the ledger, so the engines need only how many there are; sorting a million of
them into the stream, once per replication, would cost more than everything
else the replication does. ``DemandStream`` keeps

- the charged calls (everything not in ``free_mask``) as a sorted
  ``CallStream``, with each call's place in generation order (``seq``);
- the free calls as parts that build their columns when asked (``FreeCalls``:
  already drawn and kept unsorted, or still to be drawn from their seed).

``len``, ``free_count`` and ``charged()`` cost nothing more. Reading a full
column (``start_us``, ``service``, ...), ``free_mask``, ``charged_refs()`` or
``calls()`` merges every part into stream order: by start, then by ``seq``,
which is exactly the stable sort by start of all calls in generation order
(see ``sim.world.demand``). The merged columns are kept once built; the row numbers
``calls(skip_free=True)`` gives as ``ref`` are computed once and kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from sim.account.clock import MICROS_PER_SECOND
from sim.account.stream import CallStream
from sim.world.rating import NO_POOL

if TYPE_CHECKING:
    from sim.world.sources import Batch

FREE_COLUMNS = ("start_us", "end_us", "service", "billed_min", "pool", "pool_min", "seq")
"""What a ``FreeCalls`` part builds: a free call's columns (its charge is 0, it is
not credit-billed) and its place in generation order."""


REFS_CHUNK_CALLS = 2**19
"""Free calls compared with the charged calls at once (``DemandStream.charged_refs``): the
memory of the comparison is about 80 bytes a call of the chunk and of the charged calls."""

_FLOAT_BITS = 53
"""Every whole number below 2^53 is exact in float64."""


class FreeCalls(Protocol):
    """Free calls of one replication, in any order, built when asked."""

    def __len__(self) -> int: ...

    def columns(self) -> dict[str, np.ndarray]:
        """``FREE_COLUMNS`` of these calls (same draws on every call)."""
        ...

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        """(``start_us``, ``seq``) of these calls, as ``columns`` gives them: all that their
        place in stream order needs (``DemandStream.charged_refs``)."""
        ...


class DrawnFree:
    """Free calls already drawn: their columns as given."""

    __slots__ = ("_columns",)

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        self._columns = {name: columns[name] for name in FREE_COLUMNS}

    def __len__(self) -> int:
        return len(self._columns["seq"])

    def columns(self) -> dict[str, np.ndarray]:
        return self._columns

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        return self._columns["start_us"], self._columns["seq"]


class CountedFree:
    """Free calls only counted: what a replication's charged calls need of them (their
    number, ``CallStream.free_count``) when nobody will list them or number the charged
    calls (``generate(..., keep_free=False)``: the dashboard's bank workers).

    Why: keeping free calls buildable keeps their draws (the lengths of every plan call,
    about 50 MB of ``enterprise``'s replication) alive through rating, the peak of a
    bank worker's memory (docs/performance-history.md).
    """

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def columns(self) -> dict[str, np.ndarray]:
        raise RuntimeError(_COUNTED)

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        raise RuntimeError(_COUNTED)


_COUNTED = "these free calls were counted, not kept: generate(..., keep_free=True) keeps them"


class UndrawnFree:
    """A grid batch's calls in months where all of them are free: starts drawn when asked.

    ``runs`` are runs of slots [a, b) of ``batch`` (``sim.world.sources.Batch``)
    whose calls are all kept (no call there ends after the horizon) and all
    free: they draw on a pool that does not overflow that month (so take all
    their billed minutes from it) or on none at a free tariff.
    """

    __slots__ = ("batch", "increment_s", "runs", "seq", "size")

    def __init__(
        self, batch: Batch, seq: int, runs: list[tuple[int, int]], increment_s: int
    ) -> None:
        self.batch, self.seq, self.runs, self.increment_s = batch, seq, runs, increment_s
        first = batch.first_call
        self.size = sum(int(first[b] - first[a]) for a, b in runs)

    def __len__(self) -> int:
        return self.size

    def keys(self) -> tuple[np.ndarray, np.ndarray]:
        return self._start_us(), self.seq + self._rows()

    def _rows(self) -> np.ndarray:
        first = self.batch.first_call
        return np.concatenate([np.arange(first[a], first[b]) for a, b in self.runs])

    def _start_us(self) -> np.ndarray:
        return np.concatenate([self.batch.starts(a, b) for a, b in self.runs])

    def columns(self) -> dict[str, np.ndarray]:
        batch = self.batch
        rows = self._rows()
        start_us = self._start_us()
        length_s = batch.lengths[rows].astype(np.int64)
        billed = -(-length_s // self.increment_s) * self.increment_s
        pool_min = billed / 60.0 if batch.pool != NO_POOL else np.zeros(len(rows))
        return {
            "start_us": start_us,
            "end_us": start_us + length_s * MICROS_PER_SECOND,
            "service": np.full(len(rows), batch.service, dtype=np.int16),
            "billed_min": np.zeros(len(rows)),
            "pool": np.full(len(rows), batch.pool, dtype=np.int8),
            "pool_min": pool_min,
            "seq": self.seq + rows,
        }


class DemandStream(CallStream):
    """A ``CallStream`` whose free calls are built only when someone reads them."""

    __slots__ = ("_built", "_charged", "_charged_seq", "_free", "_refs", "_size")

    def __init__(
        self, charged: CallStream, charged_seq: np.ndarray, free: Sequence[FreeCalls]
    ) -> None:
        if len(charged_seq) != len(charged):
            raise ValueError("DemandStream needs one seq per charged call")
        self.services, self.pools = charged.services, charged.pools
        self._charged, self._charged_seq = charged, charged_seq
        self._free = tuple(part for part in free if len(part))
        self._size = len(charged) + sum(len(part) for part in self._free)
        self._built: dict[str, np.ndarray] | None = None  # every column, once asked for
        self._refs: np.ndarray | None = None

    def __len__(self) -> int:
        return self._size

    @property
    def free_count(self) -> int:
        return self._size - len(self._charged)

    def charged(self) -> CallStream:
        return self._charged

    def charged_refs(self) -> np.ndarray:
        """Each charged call's row in stream order, counted a group of free parts at a time.

        Why not from the merged order (``_order``): that builds every column of every
        free call and sorts all of them at once; on ``enterprise`` (4.1 million free
        calls) it took 470 MB for a moment, the peak of the dashboard's bank build
        (docs/performance-history.md). A charged call's row is its rank among the charged
        calls plus the free calls before it, and only the free calls' starts and
        ``seq`` say which those are: counted per group of parts, the memory is that of
        a group's keys.
        """
        if self._refs is None:
            charged_start = np.asarray(self._charged.start_us, np.int64)
            refs = np.arange(len(charged_start), dtype=np.int64)
            for group in _groups(self._free, len(charged_start)):
                keys = [part.keys() for part in group]
                free_start = np.concatenate([start for start, _ in keys])
                free_seq = np.concatenate([seq for _, seq in keys])
                del keys
                for first in range(0, len(free_seq), REFS_CHUNK_CALLS):
                    chunk = slice(first, first + REFS_CHUNK_CALLS)
                    refs += _free_before(
                        charged_start, self._charged_seq, free_start[chunk], free_seq[chunk]
                    )
            self._refs = refs
        return self._refs

    @property
    def free_mask(self) -> np.ndarray:
        mask = np.ones(self._size, dtype=bool)
        mask[self.charged_refs()] = False
        return mask

    def materialised(self) -> CallStream:
        """The same calls as a plain CallStream with every column built."""
        return CallStream(services=self.services, pools=self.pools, **self._columns())

    def _columns(self) -> dict[str, np.ndarray]:
        if self._built is None:
            order, free = self._order()
            charged, size = self._charged, len(self._charged)
            self._refs = np.flatnonzero(order < size)
            columns = {
                name: _merged(getattr(charged, name), [part[name] for part in free], order)
                for name in ("start_us", "end_us", "service", "billed_min", "pool", "pool_min")
            }
            rest = self._size - size
            columns["charge_minor"] = _merged(
                charged.charge_minor, [np.zeros(rest, dtype=np.int64)], order
            )
            columns["credit_billed"] = _merged(
                charged.credit_billed, [np.zeros(rest, dtype=bool)], order
            )
            self._built = columns
        return self._built

    def _order(self) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
        """Row order of [charged, free parts...] in stream order, and the free parts' columns."""
        free = [part.columns() for part in self._free]
        start = np.concatenate([self._charged.start_us, *(part["start_us"] for part in free)])
        seq = np.concatenate([self._charged_seq, *(part["seq"] for part in free)])
        if not len(seq):
            return np.zeros(0, dtype=np.intp), free
        top = int(seq.max()) + 1
        row = np.empty(top, dtype=np.intp)
        row[seq] = np.arange(len(seq))
        return row[sorted_ties(start, seq, top)], free


def sorted_ties(start_us: np.ndarray, ties: np.ndarray, top: int) -> np.ndarray:
    """``ties`` (distinct integers in [0, top)) in the order of (start, tie).

    One sort of int64 keys (start relative to the earliest, in whole seconds
    when every start is, shifted left past the ties' bits, or-ed with the tie)
    when they fit in int64; else a lexsort. The result is the same either way.
    Why shifts: an int64 remainder costs numpy four times a division, and the
    keys were built and taken apart with two of them. Keys below 2^53 are
    sorted as float64 (exact there), which numpy sorts with SIMD where it sorts
    int64 without: 0.6 times the time for 400,000 keys on the project's machine.
    """
    if not len(start_us):
        return ties[:0]
    relative = start_us - start_us.min()
    seconds = relative // MICROS_PER_SECOND
    whole = bool(np.array_equal(seconds * MICROS_PER_SECOND, relative))
    key = seconds if whole else relative
    bits = max(int(top - 1).bit_length(), 1)
    highest = int(key.max())
    if highest >= 2 ** (63 - bits):
        return ties[np.lexsort((ties, start_us))]
    key <<= bits
    key |= ties
    if highest < 2 ** (_FLOAT_BITS - bits):  # float64 holds the keys exactly, sorts them faster
        floats = key.astype(np.float64)
        floats.sort()
        key = floats.astype(np.int64)
    else:
        key.sort()
    key &= (1 << bits) - 1
    return key


def _groups(parts: Sequence[FreeCalls], least: int) -> list[list[FreeCalls]]:
    """``parts`` in order, in groups of at least ``least`` calls (the last may be smaller):
    each group is compared with every charged call, so tiny parts go together."""
    groups: list[list[FreeCalls]] = [[]]
    size = 0
    for part in parts:
        if size >= max(least, 1):
            groups.append([])
            size = 0
        groups[-1].append(part)
        size += len(part)
    return [group for group in groups if group]


def _free_before(
    charged_start: np.ndarray,
    charged_seq: np.ndarray,
    free_start: np.ndarray,
    free_seq: np.ndarray,
) -> np.ndarray:
    """For each charged call (in stream order), how many of the free calls
    (``free_start``, ``free_seq``) come before it in stream order (by start, then seq)."""
    seq = np.concatenate([charged_seq, free_seq])
    top = int(seq.max()) + 1
    charged = np.zeros(top, dtype=bool)
    charged[charged_seq] = True
    order = sorted_ties(np.concatenate([charged_start, free_start]), seq, top)
    del seq
    rows = np.flatnonzero(charged[order])
    rows -= np.arange(len(rows))
    return rows


def _merged(first: np.ndarray, rest: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    """``first`` and ``rest`` concatenated, then put in ``order``."""
    return np.concatenate([first, *rest])[order]
