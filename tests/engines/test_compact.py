"""The compact demand (``sim.engines.compact``): exact, smaller, and the same Outcomes.

A replication kept compact must rebuild into the very arrays ``Prepared``
builds from the generated stream (so every engine gives the same Outcome),
whatever the values: microsecond instants, gaps and charges beyond uint16,
zero-length calls, ties, free calls only counted.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.account.stream import CallStream
from sim.engines.compact import CompactCalls, Narrow, Packed
from sim.engines.fast import Prepared, replay_many, replay_prepared
from sim.study.experiment import build_policy, run_spec, scenario_levers
from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import LoadedScenario
from tests.engines.test_fast import as_stream
from tests.strategies import Case, cases

PREPARED = ("starts", "ends", "service", "charges", "billed", "billed_before", "post_order")


def same_prepared(stream: CallStream) -> CompactCalls:
    """The stream kept compact, checked to rebuild ``Prepared``'s every array exactly."""
    compact = CompactCalls.of(stream)
    direct, rebuilt = Prepared(stream), Prepared(compact.stream())
    for name in PREPARED:
        expected, got = getattr(direct, name), getattr(rebuilt, name)
        assert got.dtype == expected.dtype and np.array_equal(got, expected), name
    assert (rebuilt.free, rebuilt.services) == (direct.free, direct.services)
    return compact


@pytest.mark.parametrize(
    ("values", "kind", "apart"),
    [
        ([], np.uint8, 0),
        ([0] * 40 + [255], np.uint8, 1),
        ([300] * 20 + [65_535, 2**40], np.uint16, 2),
        ([70_000] * 20 + [2**40], np.uint32, 1),
    ],
)
def test_narrow_keeps_every_value_in_the_smallest_form(
    values: list[int], kind: type, apart: int
) -> None:
    narrow = Narrow.of(np.array(values, dtype=np.int64))
    assert narrow.wide().tolist() == values
    assert narrow.low.dtype == kind and len(narrow.over_rows) == apart


@pytest.mark.parametrize("kind", [np.uint8, np.uint16, np.uint32, np.int64])
def test_packed_gives_back_the_very_array(kind: type) -> None:
    values = np.random.default_rng(3).integers(0, np.iinfo(kind).max, 5_000, dtype=kind)
    values[::7] = 0  # repeats, which zstd makes smaller
    for array in (values, values[:0]):
        packed = Packed.of(array)
        got = packed.array()
        assert got.dtype == array.dtype and np.array_equal(got, array)
    assert Packed.of(np.zeros(5_000, kind)).nbytes < 100  # compressed, not copied


def test_narrow_refuses_a_negative_value() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        Narrow.of(np.array([1, -1], dtype=np.int64))


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(0, 2**32))
def test_a_compact_stream_replays_to_the_same_outcome_on_any_case(case: Case, seed: int) -> None:
    stream = as_stream(case.calls)
    compact = same_prepared(stream)
    payment_seed = np.random.SeedSequence(seed)
    (expected,) = replay_many(stream, [case.policy], case.spec, payment_seed=payment_seed)
    rebuilt = Prepared(compact.stream())
    assert replay_prepared(rebuilt, case.policy, case.spec, payment_seed=payment_seed) == expected


def test_microsecond_instants_huge_gaps_and_charges_stay_exact() -> None:
    starts = np.array([5, 5, 1_000_007, 10**13, 10**13 + 1], dtype=np.int64)
    ends = starts + np.array([0, 2, 70_000 * 10**6, 1, 0], dtype=np.int64)
    size = len(starts)
    stream = CallStream(
        start_us=starts, end_us=ends, service=np.array([0, 1, 1, 0, 1], np.int16),
        services=("a", "b"), charge_minor=np.array([0, 3, 10**9, 70_000, 0], np.int64),
        credit_billed=np.array([True, False, True, True, False]),
        billed_min=np.zeros(size), pool=np.full(size, -1, np.int8), pool_min=np.zeros(size),
        pools=(),
    )  # fmt: skip
    compact = same_prepared(stream)
    assert compact.unit_us == 1  # not every instant is a whole second
    assert compact.charges.wide().tolist() == [0, 3, 10**9, 70_000]  # the last call is free
    assert (compact.size, compact.free_count) == (4, 1)


def test_a_generated_replication_is_eight_times_smaller_and_the_same(
    midsize: LoadedScenario,
) -> None:
    scenario = midsize.scenario
    demand_seed, payment_seed = replication_seeds(4, 1)[0]
    stream = generate(scenario, midsize.rates, np.random.default_rng(demand_seed))
    compact = same_prepared(stream)
    assert compact.unit_us == 1_000_000 and compact.free_count == stream.free_count
    prepared_bytes = sum(getattr(Prepared(stream), name).nbytes for name in PREPARED)
    # 4.1 bytes a charged call against 39 (6.6 before its arrays were compressed: 5.9x)
    assert compact.nbytes * 8 < prepared_bytes
    policy, spec = build_policy(scenario, scenario_levers(scenario)), run_spec(scenario)
    (expected,) = replay_many(stream, [policy], spec, payment_seed=payment_seed)
    got = replay_prepared(Prepared(compact.stream()), policy, spec, payment_seed=payment_seed)
    assert got == expected


def test_unpacked_demand_rebuilds_the_same_arrays_uncompressed(midsize: LoadedScenario) -> None:
    """A sweep keeps its demand unpacked (``sim.study.kept_demand``): same arrays, no codec."""
    demand_seed, _ = replication_seeds(4, 1)[0]
    stream = generate(midsize.scenario, midsize.rates, np.random.default_rng(demand_seed))
    packed, raw = CompactCalls.of(stream), CompactCalls.of(stream, packed=False)
    assert not raw.gaps.packed_low.packed and not raw.billed_bits.packed
    assert raw.gaps.packed_low.nbytes == raw.gaps.low.nbytes  # the array's own bytes
    assert raw.nbytes > packed.nbytes
    assert raw.pack() == packed  # the server packs what the bank's workers send unpacked
    direct, rebuilt = Prepared(packed.stream()), Prepared(raw.stream())
    for name in PREPARED:
        assert np.array_equal(getattr(rebuilt, name), getattr(direct, name)), name


def test_a_compact_stream_keeps_no_free_calls_and_says_so() -> None:
    stream = CompactCalls.of(as_stream([])).stream()
    assert len(stream) == 0 and stream.free_count == 0
    with pytest.raises(LookupError, match="counted, not kept"):
        _ = stream.free_mask
