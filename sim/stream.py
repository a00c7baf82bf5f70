"""Calls as the model sees them: rated, policy-independent records.

A recorded usage report and a generated scenario both end up as a sequence of
``Call`` in stream order (by start, then by source order). The charge is fixed
before any policy is applied (model rules: rating does not depend on the
ledger), so one stream can be replayed against many policies.
"""

from __future__ import annotations

from typing import NamedTuple

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
