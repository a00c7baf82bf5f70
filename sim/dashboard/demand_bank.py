"""Every replication's demand, generated once and kept compact, replayed under each policy.

Why compact: the dashboard replays each new policy against the same demand,
so the demand must be kept; kept as the engine's prepared arrays it took
3.9 GB for 200 replications of enterprise (issue 15). Each replication is
kept as ``sim.engines.compact.CompactCalls`` (about 4 bytes a charged call,
exact) and rebuilt into the engine's arrays (``Prepared``) one replication
at a time while a policy replays; the engine arrays of the first replications
are kept, up to ``sim.limits.DASHBOARD_KEPT_ENGINE_BYTES`` and to what the
compact demand leaves of ``DASHBOARD_BANK_KEPT_TOTAL_BYTES``, so a small
scenario's policies replay without rebuilding and a large one's memory stays
bounded (200 replications of enterprise keep one). What a bank depends on
is only the demand (its key in ``sim.dashboard.state`` is
``sim.world.demand_key.demand_hash``): each policy replays it under the
payments of the scenario as edited. Big banks are generated in worker
processes (``sim.dashboard.bank_workers``).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.account.outcome import Outcome
from sim.account.policy import Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import CallStream
from sim.dashboard.bank_workers import (
    SERVER_HEAP_BYTES,
    compact_in_workers,
    compact_replication,
    keep_freed_memory,
    return_freed_memory,
)
from sim.engines.compact import CompactCalls
from sim.engines.fast import Prepared, replay_prepared
from sim.errors import InputError
from sim.limits import (
    DASHBOARD_BANK_KEPT_TOTAL_BYTES,
    DASHBOARD_BANK_POOL_MIN_CALLS,
    DASHBOARD_KEPT_ENGINE_BYTES,
)
from sim.study.executors import Check
from sim.study.experiment import run_spec
from sim.study.runner import replication_seeds
from sim.world import workload
from sim.world.load import LoadedScenario

Progress = Callable[[int, int], None]


@dataclass(eq=False)  # a bank is itself (``_LIVE`` holds banks by identity)
class DemandBank:
    """Each replication's charged calls (compact) for one (demand, seed, replications)."""

    loaded: LoadedScenario
    """The scenario the demand was generated from (its payments are not the bank's)."""
    seed: int
    compact: list[CompactCalls] = field(default_factory=list)
    payment_seeds: list[np.random.SeedSequence] = field(default_factory=list)
    kept: dict[int, Prepared] = field(default_factory=dict)
    """Engine arrays of the replications kept between policies (by replication index)."""
    kept_bytes: int = 0
    first: tuple[Policy, RunSpec, list[Outcome]] | None = None
    """The first policy's Outcomes, replayed while the bank was built (``build``'s ``first``);
    ``outcomes`` answers that policy from them, once."""

    @classmethod
    def build(
        cls,
        loaded: LoadedScenario,
        seed: int,
        replications: int,
        progress: Progress | None = None,
        *,
        max_bytes: int | None = None,
        check: Check | None = None,
        workers: int | None = None,
        first: tuple[Policy, RunSpec] | None = None,
    ) -> DemandBank:
        """Generate every replication's demand (the slow part, done once).

        Before any is generated, the pre-flight estimate
        (``sim.world.workload.check``, as in the CLI) refuses a replication too
        big to generate; with ``max_bytes`` the first replication's compact
        calls are then measured and a bank that would not fit is refused with
        an InputError before the rest is generated (only charged calls are
        kept, a share the estimate cannot know in advance).

        ``workers``: processes that generate (``sim.dashboard.bank_workers``); by
        default one per core when the bank is big enough to repay starting them
        (``bank_workers``), 1 generates here. ``check`` is called with the
        workers' PIDs (none here) after each replication and, with workers,
        every quarter second; what it raises stops the workers and propagates.
        Replication 1 keeps its call numbers (``sample_stream``).

        ``first``: a policy and its run's terms replayed on each replication as it
        arrives (``outcomes`` then answers it without a second pass). Why: the first
        view waited for the bank, then for this replay of every replication (6.6-9.3 s
        on enterprise); here the server replays while the workers generate, and each
        replication's arrays are rebuilt once, not twice, when they are kept.
        """
        expected = workload.check(loaded.scenario, source=loaded.path)  # the CLI's pre-flight
        drop_kept_arrays()  # the memory goes to this bank, the one in use next
        keep_freed_memory(SERVER_HEAP_BYTES)  # each replication's arrays reuse the last's pages
        bank = cls(loaded, seed)
        seeds = replication_seeds(seed, replications)
        bank.payment_seeds = [payment_seed for _, payment_seed in seeds]
        demand_seeds = [demand_seed for demand_seed, _ in seeds]
        count = bank_workers(expected.calls_per_replication * replications, workers)

        done: list[int] = []
        replayed: dict[int, Outcome] = {}
        budget = 0

        def arrived(index: int, calls: CompactCalls, unpacked: CompactCalls) -> None:
            nonlocal budget
            if not done:  # the first to arrive, whichever it is
                if max_bytes is not None:
                    check_size(calls.nbytes, replications, max_bytes)
                budget = kept_budget(calls.nbytes * replications)
            done.append(index)
            if first is not None:
                replayed[index] = bank._replay(index, unpacked, *first, budget)
            if replications - len(done) < trimmed_tail(calls.nbytes, replications):
                return_freed_memory()  # the build's end is the tree's peak (``trimmed_tail``)
            if progress is not None:
                progress(len(done), replications)

        if count > 1:
            bank.compact = compact_in_workers(
                loaded, demand_seeds, count, check or _unchecked, arrived
            )
        else:
            for index, demand_seed in enumerate(demand_seeds):
                unpacked = compact_replication(loaded, demand_seed, refs=index == 0)
                bank.compact.append(unpacked.pack())
                arrived(index, bank.compact[-1], unpacked)
                if check is not None:
                    check(())
        if first is not None:
            bank.first = (*first, [replayed[index] for index in range(replications)])
        return_freed_memory()  # each replication's generation left its arrays' pages
        return bank

    def sample_stream(self) -> CallStream:
        """Replication 1's charged calls, numbered as in ``credsim run`` (its sample path)."""
        return self.sample_calls().stream()

    def sample_calls(self) -> CompactCalls:
        """Replication 1's charged calls as kept (compact, with their call numbers): what a
        sample path's worker process is sent (``sim.dashboard.path_worker``)."""
        return self.compact[0]

    @property
    def nbytes(self) -> int:
        """Bytes the kept demand holds (every replication's compact calls)."""
        return sum(calls.nbytes for calls in self.compact)

    def outcomes(self, policy: Policy, spec: RunSpec | None = None) -> list[Outcome]:
        """The policy's Outcome in every replication (compiled engine, same numbers).

        ``spec``: the run's terms (payments, opening) of the scenario as edited;
        the bank's own scenario's by default. Each replication's engine arrays
        are rebuilt from its compact calls, used, and dropped.
        """
        terms = spec or run_spec(self.loaded.scenario)
        if self.first is not None and self.first[:2] == (policy, terms):
            outcomes, self.first = self.first[2], None
            return outcomes
        budget = self.kept_budget
        outcomes = [
            self._replay(index, calls, policy, terms, budget)
            for index, calls in enumerate(self.compact)
        ]
        return_freed_memory()  # the engine arrays rebuilt and dropped, one per replication
        return outcomes

    def _replay(
        self, index: int, calls: CompactCalls, policy: Policy, spec: RunSpec, budget: int
    ) -> Outcome:
        """The policy's Outcome in replication ``index``: its kept engine arrays, else
        rebuilt from ``calls`` (and kept if they fit in ``budget``)."""
        self._hold_the_kept_arrays()
        prepared = self.kept.get(index) or Prepared(calls.stream())
        outcome = replay_prepared(
            prepared, policy, spec, payment_seed=self.payment_seeds[index], with_lots=False
        )
        if index not in self.kept:
            self._keep(index, prepared, budget)
        return outcome

    @property
    def kept_budget(self) -> int:
        """Bytes of engine arrays this bank may keep (``kept_budget`` of its compact demand)."""
        return kept_budget(self.nbytes)

    def _hold_the_kept_arrays(self) -> None:
        """Make this bank the only one of the process that keeps engine arrays
        (``drop_kept_arrays``)."""
        drop_kept_arrays(but=self)
        _LIVE.add(self)

    def _keep(self, index: int, prepared: Prepared, budget: int) -> None:
        """Keep a replication's engine arrays if they fit in the budget (after a replay, so
        the skip engine's prefix arrays are built and counted)."""
        size = engine_bytes(prepared)
        if self.kept_bytes + size <= budget:
            self.kept[index] = prepared
            self.kept_bytes += size


_LIVE: weakref.WeakSet[DemandBank] = weakref.WeakSet()
"""The banks of this process that replayed a policy (gone when the cache drops them)."""


def drop_kept_arrays(but: DemandBank | None = None) -> None:
    """Every live bank but ``but`` drops the engine arrays it kept.

    Why: kept arrays are a cache (a replication without them is rebuilt, with the
    same Outcomes), and the server keeps up to two banks; each keeping its own
    budget held 384 MiB of ``midsize`` arrays while ``enterprise``, the bank in
    use, was generated and replayed. A bank being built and the bank that
    replays a policy keep them; the others drop theirs (rebuilt if used again).
    """
    dropped = False
    for other in list(_LIVE):
        if other is not but and other.kept:
            other.kept, other.kept_bytes = {}, 0
            dropped = True
    if dropped:
        return_freed_memory()


def kept_budget(compact_bytes: int) -> int:
    """Bytes of engine arrays a bank may keep: what its compact demand (``compact_bytes``)
    leaves of ``DASHBOARD_BANK_KEPT_TOTAL_BYTES``, at most ``DASHBOARD_KEPT_ENGINE_BYTES``."""
    left = DASHBOARD_BANK_KEPT_TOTAL_BYTES - compact_bytes
    return max(0, min(DASHBOARD_KEPT_ENGINE_BYTES, left))


def trimmed_tail(replication_bytes: int, replications: int) -> int:
    """How many of a bank's last replications the server gives its freed pages back after:
    those that add less to the bank than the pages it keeps (``SERVER_HEAP_BYTES``), at most
    a quarter of them.

    Why: the end of a big bank's build is the process tree's peak (the bank at its
    largest, each worker generating a replication); the server kept up to 64 MiB of freed
    pages there for the next replication's arrays, 74 MB of its 738 MB at that moment on
    ``enterprise`` (docs/performance-history.md). From this point on, the pages kept would weigh
    more than what the bank still grows; faulting a replication's arrays in again costs
    about 10 ms.
    """
    return min(SERVER_HEAP_BYTES // max(replication_bytes, 1), replications // 4)


def bank_workers(expected_calls: float, workers: int | None = None) -> int:
    """Processes that generate a bank: ``workers`` if given, else one per core when the bank
    is expected to hold at least ``DASHBOARD_BANK_POOL_MIN_CALLS`` calls, else 1 (here)."""
    if workers is not None:
        if workers < 1:
            raise ValueError(f"workers(={workers}) must be >= 1")
        return workers
    return (os.cpu_count() or 1) if expected_calls >= DASHBOARD_BANK_POOL_MIN_CALLS else 1


def _unchecked(_workers: Sequence[int]) -> None:
    """No budget: the bank is built whatever it takes (scripts, tests)."""


def engine_bytes(prepared: Prepared) -> int:
    """Bytes held by a Prepared's numpy arrays, its prefix arrays included, each array once."""
    seen: dict[int, int] = {}
    for value in vars(prepared).values():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, np.ndarray):
                seen[id(item)] = item.nbytes
    return sum(seen.values())


def check_size(per_replication: int, replications: int, max_bytes: int) -> None:
    """InputError when ``replications`` replications of this size would exceed ``max_bytes``."""
    if per_replication * replications > max_bytes:
        fits = max(1, max_bytes // max(per_replication, 1))
        raise InputError(
            f"{replications:,} replications of this scenario need about "
            f"{per_replication * replications / 2**30:.1f} GiB of memory here; at most "
            f"{fits:,} fit in {max_bytes / 2**30:.1f} GiB. Use fewer replications, or "
            "`credsim run`/`credsim sweep`, which keep one replication at a time."
        )
