"""Each replication's demand, kept compact between a sweep's stages, where it was generated.

Why: the rule of thumb is one week and one month of the mean spend over every
replication of the grid stage, so its policy is known only once that stage has
finished, and its stage used to generate every replication's demand a second
time (a quarter of issue 15's sweep in one process,
docs/performance.md#fixed-costs-of-a-sweep). A wider grid's stages did the same.
Here the first stage keeps each replication's charged calls in the compact form
(``sim.engines.compact.CompactCalls``, about 6 bytes a charged call, exact), and
a later stage replays them: the engines read the same charged calls, the same
free-call count and the same services, so every row is the same to the bit.

The demand lives where it was made: only a sweep whose replications run in its
own process keeps any (``LocalExecutor`` with one worker). A process pool's
workers end with their stage and a Dask worker serves other work, so there the
later stages generate again, as before. At most ``SWEEP_KEPT_DEMAND_BYTES`` are
kept; the replications beyond it are generated again too.
"""

from __future__ import annotations

import numpy as np

from sim import limits
from sim.account.stream import CallStream
from sim.engines.compact import CompactCalls
from sim.world.demand import generate
from sim.world.load import LoadedScenario

Key = tuple[int, int | tuple[int, ...], tuple[int, ...], int]
"""Replication, then its demand seed's entropy, spawn key and children spawned so far (the
demand generated from a seed depends on all three)."""


class KeptDemand:
    """The compact demand of one sweep's replications, by replication and demand seed."""

    def __init__(self, limit_bytes: int | None = None) -> None:
        self.limit_bytes = limits.SWEEP_KEPT_DEMAND_BYTES if limit_bytes is None else limit_bytes
        self.held_bytes = 0
        self.generated = 0
        """Replications generated through here (kept or not)."""
        self.reused = 0
        """Replications replayed from what was kept, not generated."""
        self._held: dict[Key, CompactCalls] = {}

    def stream(
        self, loaded: LoadedScenario, index: int, demand_seed: np.random.SeedSequence
    ) -> CallStream:
        """Replication ``index``'s demand: as kept, else generated (and kept if it fits)."""
        key = _key(index, demand_seed)
        held = self._held.get(key)
        if held is not None:
            self.reused += 1
            return held.stream()
        stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
        self.generated += 1
        self._keep(key, stream)
        return stream

    def _keep(self, key: Key, stream: CallStream) -> None:
        if self.held_bytes >= self.limit_bytes:
            return
        try:
            compact = CompactCalls.of(stream, packed=False)  # kept between stages only
        except ValueError:  # over 256 services, or starts out of order: generate it again
            return
        if self.held_bytes + compact.nbytes <= self.limit_bytes:
            self._held[key] = compact
            self.held_bytes += compact.nbytes

    def __len__(self) -> int:
        return len(self._held)


def _key(index: int, seed: np.random.SeedSequence) -> Key:
    entropy = seed.entropy
    held = int(entropy) if isinstance(entropy, int) else tuple(int(part) for part in entropy or ())
    return index, held, tuple(seed.spawn_key), seed.n_children_spawned
