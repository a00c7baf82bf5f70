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

from sim.clock import Instant


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


class CallStream:
    """A rated call stream as numpy columns, in stream order (by start, then index).

    Produced once per replication by ``sim.demand`` and shared by every policy
    (common random numbers). Columns, all of equal length:

    - ``start_us``, ``end_us`` (int64): instants, microseconds UTC;
    - ``service`` (int16): index into ``services``;
    - ``charge_minor`` (int64): what the call costs in credits, >= 0;
    - ``credit_billed`` (bool): took no pool minutes and costs > 0;
    - ``billed_min`` (float64): minutes billed to credits after pools;
    - ``pool`` (int8): index into ``pools`` of the pool it drew on, -1 for none;
    - ``pool_min`` (float64): minutes it took from that pool.
    """

    __slots__ = (
        "billed_min",
        "charge_minor",
        "credit_billed",
        "end_us",
        "pool",
        "pool_min",
        "pools",
        "service",
        "services",
        "start_us",
    )

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
        self.start_us, self.end_us = start_us, end_us
        self.service, self.services = service, services
        self.charge_minor, self.credit_billed = charge_minor, credit_billed
        self.billed_min, self.pool, self.pool_min, self.pools = billed_min, pool, pool_min, pools
        lengths = {
            len(column)
            for column in (
                start_us,
                end_us,
                service,
                charge_minor,
                credit_billed,
                billed_min,
                pool,
                pool_min,
            )
        }
        if len(lengths) > 1:
            raise ValueError(f"CallStream columns differ in length: {sorted(lengths)}")
        if len(start_us) > 1 and bool(np.any(np.diff(start_us) < 0)):
            raise ValueError("CallStream must be sorted by start")

    def __len__(self) -> int:
        return len(self.start_us)

    @property
    def free_mask(self) -> np.ndarray:
        """Calls that cost nothing and cannot be blocked: they never touch the ledger."""
        return (self.charge_minor == 0) & ~self.credit_billed

    def calls(self, *, skip_free: bool = False) -> Iterator[Call]:
        """The stream as ``Call`` records (``ref`` is the row index), for the engines.

        ``skip_free`` leaves out the calls of ``free_mask``: an engine's outcome
        is then the same except that its ``calls`` count lacks them (add
        ``free_mask.sum()``), and a tenant with a million free plan minutes a
        month replays as fast as its charged calls.
        """
        rows = np.flatnonzero(~self.free_mask) if skip_free else np.arange(len(self))
        services = self.services
        columns = (self.start_us, self.end_us, self.service, self.charge_minor, self.credit_billed)
        starts, ends, codes, charges, billed = (column[rows].tolist() for column in columns)
        for index, row in enumerate(rows.tolist()):
            yield Call(
                starts[index],
                ends[index],
                services[codes[index]],
                charges[index],
                billed[index],
                row,
            )
