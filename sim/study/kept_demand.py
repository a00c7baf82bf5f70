"""Each replication's demand, generated once per sweep and kept compact between its stages.

Why: the rule of thumb is one week and one month of the mean spend over every
replication of the grid stage, so its policy is known only once that stage has
finished, and its stage used to generate every replication's demand a second
time (a quarter of issue 15's sweep in one process; with a process pool, the
workers that held the demand ended with the grid stage, and the second stage
generated it all again: docs/performance.md#fixed-costs-of-a-sweep). A wider
grid's stages did the same.

Here a task that generates a replication's demand sends it back with its rows
in the compact form (``sim.engines.compact.CompactCalls``, about 6 bytes a
charged call, exact: 0.3 MB a replication of midsize), from whichever process
ran it (this one, a pool's worker, a Dask worker); the sweep keeps it
(``KeptDemand``), and a later stage's task gets the kept replication instead of
the seed to generate it from. The engines read the same charged calls, the same
free-call count and the same services, so every row is the same to the bit.

At most ``SWEEP_KEPT_DEMAND_BYTES`` are kept, in the sweep's process; once they
are full, tasks stop sending their demand back, and the replications beyond
them are generated again in the later stages, as before. The manifest says how
many each stage generated and replayed (``KeptDemand.record``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim import limits
from sim.account.stream import CallStream
from sim.engines.compact import CompactCalls
from sim.world.demand import generate
from sim.world.load import LoadedScenario

Key = tuple[int, int | tuple[int, ...], tuple[int, ...], int]
"""Replication, then its demand seed's entropy, spawn key and children spawned so far (the
demand generated from a seed depends on all three)."""


def demand_stream(
    loaded: LoadedScenario,
    demand_seed: np.random.SeedSequence,
    kept: CompactCalls | None,
    hand_back: bool,
) -> tuple[CallStream, CompactCalls | None]:
    """A replication's demand, and what to send back to the sweep.

    ``kept``: replayed from it (nothing to send back). Else generated from
    ``demand_seed``; with ``hand_back``, also its compact form, to keep.
    """
    if kept is not None:
        return kept.stream(), None
    stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
    return stream, compact(stream) if hand_back else None


def compact(stream: CallStream) -> CompactCalls | None:
    """``stream`` in the compact form, or None when it has no such form (over 256 services,
    or starts out of order): that replication is generated again when replayed."""
    try:
        return CompactCalls.of(stream, packed=False)  # kept between stages only: no codec
    except ValueError:
        return None


class KeptDemand:
    """The compact demand of one sweep's replications, by replication and demand seed."""

    def __init__(self, limit_bytes: int | None = None) -> None:
        self.limit_bytes = limits.SWEEP_KEPT_DEMAND_BYTES if limit_bytes is None else limit_bytes
        self.held_bytes = 0
        self._full = False
        """A replication did not fit: ask for no more (each would be compacted for nothing)."""
        self._held: dict[Key, CompactCalls] = {}
        self._stages: dict[str, dict[str, int]] = {}

    def get(self, key: Key) -> CompactCalls | None:
        """The demand of replication and seed ``key`` (``demand_key``), if kept."""
        return self._held.get(key)

    def has_room(self) -> bool:
        """Whether a replication sent back now may still be kept (ask for it only then)."""
        return not self._full and self.held_bytes < self.limit_bytes

    def keep(self, key: Key, demand: CompactCalls) -> None:
        """Keep the demand of ``key`` if it fits within the limit (else drop it, and be full)."""
        if key in self._held:
            return
        if self.held_bytes + demand.nbytes > self.limit_bytes:
            self._full = True
            return
        self._held[key] = demand
        self.held_bytes += demand.nbytes

    def count(self, stage: str, *, replayed: bool) -> None:
        """One replication of ``stage`` replayed from kept demand, or generated."""
        counts = self._stages.setdefault(stage, {"generated": 0, "replayed": 0})
        counts["replayed" if replayed else "generated"] += 1

    def record(self) -> dict[str, Any]:
        """For the manifest: what was kept and, per stage, replications generated and replayed."""
        return {
            "kept_replications": len(self._held),
            "kept_bytes": self.held_bytes,
            "limit_bytes": self.limit_bytes,
            "stages": {stage: dict(counts) for stage, counts in self._stages.items()},
        }

    def __len__(self) -> int:
        return len(self._held)


def demand_key(index: int, seed: np.random.SeedSequence) -> Key:
    """Replication ``index`` of demand seed ``seed``, as kept. Take it before generating:
    generating spawns children from the seed, which changes its count of them."""
    entropy = seed.entropy
    held = int(entropy) if isinstance(entropy, int) else tuple(int(part) for part in entropy or ())
    return index, held, tuple(seed.spawn_key), seed.n_children_spawned
