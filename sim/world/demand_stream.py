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
from typing import Protocol

import numpy as np

from sim.account.clock import MICROS_PER_SECOND
from sim.account.stream import CallStream

FREE_COLUMNS = ("start_us", "end_us", "service", "billed_min", "pool", "pool_min", "seq")
"""What a ``FreeCalls`` part builds: a free call's columns (its charge is 0, it is
not credit-billed) and its place in generation order."""


class FreeCalls(Protocol):
    """Free calls of one replication, in any order, built when asked."""

    def __len__(self) -> int: ...

    def columns(self) -> dict[str, np.ndarray]:
        """``FREE_COLUMNS`` of these calls (same draws on every call)."""
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
        if self._refs is None:
            self._refs = np.flatnonzero(self._order()[0] < len(self._charged))
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
    when every start is, times ``top``, plus the tie) when they fit in int64;
    else a lexsort. The result is the same either way.
    """
    if not len(start_us):
        return ties[:0]
    relative = start_us - start_us.min()
    unit = 1 if np.any(relative % MICROS_PER_SECOND) else MICROS_PER_SECOND
    if (int(relative.max()) // unit + 1) * top >= 2**63:
        return ties[np.lexsort((ties, start_us))]
    key = relative // unit if unit > 1 else relative
    key *= top
    key += ties
    key.sort()
    key %= top
    return key


def _merged(first: np.ndarray, rest: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    """``first`` and ``rest`` concatenated, then put in ``order``."""
    return np.concatenate([first, *rest])[order]
