"""Free calls only counted (``generate(..., keep_free=False)``, the dashboard's bank workers):
the same replication with less memory (docs/performance-history.md, the bank's workers)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from sim.account.stream import COLUMNS
from sim.world.demand import generate
from sim.world.demand_stream import CountedFree, DemandStream
from sim.world.load import load_scenario
from tests.paths import ROOT


def drawn(name: str, seed: int, *, keep_free: bool) -> DemandStream:
    loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    stream = generate(loaded.scenario, loaded.rates, rng, keep_free=keep_free)
    assert isinstance(stream, DemandStream)
    return stream


@pytest.mark.parametrize("name", ["small-team", "midsize", "germany", "card-expiry"])
def test_counted_free_calls_leave_the_same_charged_calls_and_count(name: str) -> None:
    kept, counted = drawn(name, 5, keep_free=True), drawn(name, 5, keep_free=False)
    assert (len(counted), counted.free_count) == (len(kept), kept.free_count)
    for column in COLUMNS:
        assert np.array_equal(getattr(counted.charged(), column), getattr(kept.charged(), column))


def test_counted_free_calls_cannot_be_listed_nor_number_the_charged_ones() -> None:
    counted = drawn("small-team", 3, keep_free=False)
    with pytest.raises(RuntimeError, match="counted, not kept"):
        counted.charged_refs()
    with pytest.raises(RuntimeError, match="counted, not kept"):
        CountedFree(4).columns()


def test_counting_the_free_calls_lowers_a_replications_peak_memory() -> None:
    """The draws of free calls are let go before rating: enterprise's peak under tracemalloc
    was 79 MB kept and 65 MB counted (2 December 2026)."""
    peaks = {}
    for keep_free in (True, False):
        tracemalloc.start()
        drawn("enterprise", 11, keep_free=keep_free)
        peaks[keep_free] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peaks[False] < 0.9 * peaks[True]
