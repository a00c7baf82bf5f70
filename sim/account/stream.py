"""Calls as the model sees them: rated, policy-independent records.

A recorded usage report and a generated scenario both end up as a sequence of
``Call`` in stream order (by start, then by source order). The charge is fixed
before any policy is applied (model rules: rating does not depend on the
ledger), so one stream can be replayed against many policies.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from sim.account.clock import Instant


class Call(NamedTuple):
    """One call: when it ran, what it was, and what it costs in credits.

    ``credit_billed`` calls need a positive balance at their start or they are
    blocked; every other call is always admitted. ``charge_minor`` is posted at
    ``end`` for every admitted call. ``ref`` points back to the source (a line
    number of the input file) so the journal can name the call.
    """

    start: Instant
    end: Instant
    service: str
    charge_minor: int
    credit_billed: bool
    ref: int


COLUMNS = (
    "start_us",
    "end_us",
    "service",
    "charge_minor",
    "credit_billed",
    "billed_min",
    "pool",
    "pool_min",
)
"""The per-call columns of a ``CallStream``, in constructor order."""


def _column(name: str) -> property:
    """A read-only column; a subclass may build the columns on first use (``_columns``)."""

    def read(self: CallStream) -> np.ndarray:
        return self._columns()[name]

    return property(read, doc=f"The ``{name}`` column of every call (see ``CallStream``).")


class CallStream:
    """A rated call stream as numpy columns, in stream order (by start, then index).

    Produced once per replication by ``sim.world.demand`` and shared by every policy
    (common random numbers). Columns, all of equal length:

    - ``start_us``, ``end_us`` (int64): instants, microseconds UTC;
    - ``service`` (int16): index into ``services``;
    - ``charge_minor`` (int64): what the call costs in credits, >= 0;
    - ``credit_billed`` (bool): took no pool minutes and costs > 0;
    - ``billed_min`` (float64): minutes billed to credits after pools;
    - ``pool`` (int8): index into ``pools`` of the pool it drew on, -1 for none;
    - ``pool_min`` (float64): minutes it took from that pool.

    Free calls (``free_mask``: no charge, not credit-billed) never touch the
    ledger. ``len``, ``free_count``, ``charged()`` and ``calls(skip_free=True)``
    are what the engines use; a subclass (``sim.world.demand_stream.DemandStream``)
    answers them without building the free calls' columns, which it builds
    only when a column is read.
    """

    __slots__ = ("_data", "pools", "services")

    start_us = _column("start_us")
    end_us = _column("end_us")
    service = _column("service")
    charge_minor = _column("charge_minor")
    credit_billed = _column("credit_billed")
    billed_min = _column("billed_min")
    pool = _column("pool")
    pool_min = _column("pool_min")

    def __init__(
        self,
        *,
        start_us: np.ndarray,
        end_us: np.ndarray,
        service: np.ndarray,
        services: tuple[str, ...],
        charge_minor: np.ndarray,
        credit_billed: np.ndarray,
        billed_min: np.ndarray,
        pool: np.ndarray,
        pool_min: np.ndarray,
        pools: tuple[str, ...],
    ) -> None:
        self.services, self.pools = services, pools
        self._data = {
            "start_us": start_us,
            "end_us": end_us,
            "service": service,
            "charge_minor": charge_minor,
            "credit_billed": credit_billed,
            "billed_min": billed_min,
            "pool": pool,
            "pool_min": pool_min,
        }
        lengths = {len(column) for column in self._data.values()}
        if len(lengths) > 1:
            raise ValueError(f"CallStream columns differ in length: {sorted(lengths)}")
        if len(start_us) > 1 and bool(np.any(np.diff(start_us) < 0)):
            raise ValueError("CallStream must be sorted by start")

    def _columns(self) -> dict[str, np.ndarray]:
        """Every column by name (``COLUMNS``)."""
        return self._data

    def __len__(self) -> int:
        return len(self.start_us)

    @property
    def free_mask(self) -> np.ndarray:
        """Calls that cost nothing and cannot be blocked: they never touch the ledger."""
        return (self.charge_minor == 0) & ~self.credit_billed

    @property
    def free_count(self) -> int:
        """How many calls ``free_mask`` holds (an engine adds them to ``Outcome.calls``)."""
        return int(np.count_nonzero(self.free_mask))

    def charged(self) -> CallStream:
        """The calls that are not free, in stream order, as a CallStream of their own.

        Its rows are numbered 0.. among the charged calls (its own ``calls()``
        gives those numbers as ``ref``); ``charged_refs()`` maps them back to
        rows of this stream. An engine that reads arrays (``start_us``,
        ``end_us``, ``service``, ``charge_minor``, ``credit_billed``) reads them
        here and adds ``free_count`` to its ``calls`` count.
        """
        rows = self.charged_refs()
        return CallStream(
            services=self.services,
            pools=self.pools,
            **{name: column[rows] for name, column in self._columns().items()},
        )

    def charged_refs(self) -> np.ndarray:
        """Row index in this stream of each call of ``charged()`` (int64, increasing)."""
        return np.flatnonzero(~self.free_mask)

    def calls(self, *, skip_free: bool = False) -> Iterator[Call]:
        """The stream as ``Call`` records (``ref`` is the row index), for the engines.

        ``skip_free`` leaves out the calls of ``free_mask``: an engine's outcome
        is then the same except that its ``calls`` count lacks them (add
        ``free_count``), and a tenant with a million free plan minutes a month
        replays as fast as its charged calls. The ``ref`` of a call is its row
        in this stream either way.
        """
        part = self.charged() if skip_free else self
        refs = self.charged_refs() if skip_free else np.arange(len(part))
        services = self.services
        columns = (part.start_us, part.end_us, part.service, part.charge_minor, part.credit_billed)
        starts, ends, codes, charges, billed = (column.tolist() for column in columns)
        for index, row in enumerate(refs.tolist()):
            yield Call(
                starts[index],
                ends[index],
                services[codes[index]],
                charges[index],
                billed[index],
                row,
            )
