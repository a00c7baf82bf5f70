"""The generator's shortcuts change nothing: lazy free calls, sorting only charged calls.

``plain`` applies the rules the long way on the same draws (every call drawn,
kept, sorted stably by start, rated with the pools); ``generate`` must give
exactly that stream, in both modes, and its charged calls without building the
free ones.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.account.clock import MICROS_PER_SECOND
from sim.account.money import currency
from sim.account.stream import COLUMNS, CallStream
from sim.study.runner import replication_seeds
from sim.world import demand_stream
from sim.world.arrivals import horizon, month_bounds
from sim.world.demand import _sources, generate, summarize
from sim.world.demand_stream import DemandStream, sorted_ties
from sim.world.load import load_scenario
from sim.world.plans import allotments_s
from sim.world.rates import Rate, RateTable
from sim.world.rating import POOLS, rate_calls
from sim.world.scenario import Scenario
from sim.world.sources import Catalog
from tests.paths import ROOT

D = Decimal
RATES = RateTable(
    Path("rates.csv"),
    {
        ("US", "toll_free", "inbound"): Rate(D("0.022")),
        ("GB", "toll_free", "inbound"): Rate(D("0.04")),
        ("US", "landline", "outbound"): Rate(D("0.013")),
        ("US", "mobile", "outbound"): Rate(D("0.013"), D("0.01")),
        ("AE", "mobile", "outbound"): Rate(D("0.23")),
        ("GB", "landline", "outbound"): Rate(D("0.015")),
        ("GB", "mobile", "outbound"): Rate(D("0.00001")),  # rounds to 0 on short calls
    },
)


def busy(start: str = "2027-01-01T08:00:00Z", months: int = 5, **changes: Any) -> Scenario:
    """Every kind of call; pools that overflow in some months only; calls cut by the end."""
    sections: dict[str, Any] = {
        "scenario": {"name": "busy", "start": start, "horizon_months": months},
        "calendar": {
            "timezone": "America/Los_Angeles",
            "business_hours": ["00:00", "24:00"],
            "business_days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            "holidays": ["2027-02-01"],
        },
        "users": {"count": 30, "monthly_growth": 0.02},
        "meetings": {
            "per_user_per_day": 0.2,
            "dial_ins": {"dist": "poisson", "mean": 2},
            "toll_free_share": 0.5,
            "dial_in_countries": {"US": 3, "GB": 1},
            "duration_min": {"dist": "lognormal", "mean": 30, "sd": 20},
            "join_jitter_min": {"dist": "exponential", "mean": 2},
            "dial_outs": {"dist": "poisson", "mean": 0.5},
            "dial_out_destinations": [
                {"country": "US", "share": 3},
                {"country": "AE", "number_type": "mobile", "share": 1},
            ],
        },
        "big_meetings": [
            {
                "name": "all hands",
                "recurrence": "FREQ=MONTHLY;BYDAY=+1TH",
                "time": "10:00:00",
                "dial_ins": {"dist": "fixed", "value": 40},
                "toll_free_share": 0.5,
                "duration_min": {"dist": "fixed", "value": 45},
            }
        ],
        "user_calling": {
            "per_user_per_day": 3,
            "international_share": 0.1,
            "international_destinations": [
                {"country": "GB", "share": 1},
                {"country": "GB", "number_type": "mobile", "share": 1},
            ],
            "domestic_number_types": {"landline": 1, "mobile": 1},
            "duration_min": {"dist": "exponential", "mean": 4},
        },
        "streams": [
            {
                "name": "queue",
                "service": "call_queue",
                "calls_per_day": 40,
                "duration_min": {"dist": "exponential", "mean": 30},
                "country": "US",
                "number_type": "toll_free",
            },
            {
                "name": "free line",
                "service": "free_line",
                "calls_per_day": 30,
                "duration_min": {"dist": "exponential", "mean": 120},
                "rate_per_min": D("0"),
            },
            {
                "name": "desk",
                "service": "desk",
                "calls_per_day": 10,
                "duration_min": {"dist": "fixed", "value": 3},
                "rate_per_min": D("0.05"),
                "credit_billed": False,
            },
        ],
        # 27 of 30 users hold a domestic plan, half of those added by growth: holders use
        # about 370 domestic min a month each, so the pool overflows in the long months only;
        # the others' calls draw on no pool
        "plans": {
            "audio_conferencing_licences": 20,
            "domestic_plan_users": 27,
            "domestic_min_per_user": 380,
            "international_plan_users": 2,
            "international_min_per_user": 100,
            "growth_domestic_plan_share": 0.5,
        },
    }
    return Scenario.model_validate(sections | changes)


def plain(sc: Scenario, seed: int) -> dict[str, np.ndarray]:
    """The rules without shortcuts, on generate's own draws."""
    catalog = Catalog(RATES, currency(sc.scenario.currency))
    drafts, batches = _sources(sc, catalog, np.random.default_rng(seed))
    parts = [(d.start_us, d.end_us, d.service, d.tariff, d.pool, d.blockable) for d in drafts]
    for b in batches:
        start = b.starts(0, len(b.first_call) - 1)
        size = len(start)
        parts.append(
            (
                start,
                start + b.length_s * MICROS_PER_SECOND,
                np.full(size, b.service, dtype=np.int16),
                np.full(size, b.tariff, dtype=np.int32),
                np.full(size, b.pool, dtype=np.int8),
                np.full(size, b.blockable),
            )
        )
    start, end, service, tariff, pool, blockable = (
        np.concatenate(c) for c in zip(*parts, strict=True)
    )
    low, high = horizon(sc.scenario)
    keep = np.flatnonzero((start >= low) & (start < high) & (end <= high))
    order = keep[np.argsort(start[keep], kind="stable")]
    start, end, service, tariff, pool, blockable = (
        c[order] for c in (start, end, service, tariff, pool, blockable)
    )
    months = month_bounds(sc.calendar.timezone, low, high).index(start)
    rated = rate_calls(
        end - start, tariff, pool, months, blockable, catalog.tariffs(),
        sc.rates.billing_increment_s, allotments_s(sc),
    )  # fmt: skip
    return {
        "start_us": start,
        "end_us": end,
        "service": service,
        "charge_minor": rated.charge_minor,
        "credit_billed": rated.credit_billed,
        "billed_min": rated.billed_min,
        "pool": pool,
        "pool_min": rated.pool_min,
    }


def same(stream: CallStream, columns: dict[str, np.ndarray]) -> None:
    for name in COLUMNS:
        got, want = getattr(stream, name), columns[name]
        assert got.dtype == want.dtype, name
        assert got.tobytes() == want.tobytes(), name


SCENARIOS = {
    "busy": busy(),
    "fractional start": busy(start="2027-01-01T08:00:00.250Z", months=2),
    "pools never overflow": busy(
        plans={
            "audio_conferencing_licences": 500,
            "domestic_plan_users": 30,
            "domestic_min_per_user": 20_000,
            "international_plan_users": 30,
            "international_min_per_user": 20_000,
        },
        streams=[],
    ),
    "no calls": busy(users={"count": 0}, big_meetings=[], streams=[]),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_generate_gives_the_plain_rules_stream_in_both_modes(name: str) -> None:
    sc = SCENARIOS[name]
    expected = plain(sc, 4)
    lazy = generate(sc, RATES, np.random.default_rng(4))
    full = generate(sc, RATES, np.random.default_rng(4), detail=True)
    assert isinstance(lazy, DemandStream) and type(full) is CallStream
    free = (expected["charge_minor"] == 0) & ~expected["credit_billed"]
    assert len(lazy) == len(full) == len(free)
    assert lazy.free_count == full.free_count == int(free.sum())
    charged = {name: column[~free] for name, column in expected.items()}
    same(lazy.charged(), charged)
    same(full.charged(), charged)
    same(lazy, expected)
    same(full, expected)
    np.testing.assert_array_equal(lazy.free_mask, free)
    np.testing.assert_array_equal(lazy.charged_refs(), np.flatnonzero(~free))


def test_the_busy_scenario_covers_every_shortcut() -> None:
    sc = SCENARIOS["busy"]
    s = plain(sc, 4)
    months = month_bounds(sc.calendar.timezone, *horizon(sc.scenario)).index(s["start_us"])
    domestic = s["pool"] == POOLS.index("domestic")
    overflowing = {int(m) for m in np.unique(months[domestic & (s["billed_min"] > 0)])}
    assert overflowing and overflowing != set(range(5))  # some months overflow, some do not
    assert np.any((s["charge_minor"] == 0) & (s["billed_min"] > 0))  # rounded to nothing
    assert s["end_us"].max() > horizon(sc.scenario)[1] - 3600 * MICROS_PER_SECOND  # late calls


def test_charged_calls_and_refs_are_the_same_whatever_was_read_first() -> None:
    sc = SCENARIOS["busy"]
    first = generate(sc, RATES, np.random.default_rng(8))
    second = generate(sc, RATES, np.random.default_rng(8))
    full = generate(sc, RATES, np.random.default_rng(8), detail=True)
    assert list(first.calls(skip_free=True)) == list(full.calls(skip_free=True))
    _ = second.start_us  # build the columns before the refs
    assert list(second.calls(skip_free=True)) == list(full.calls(skip_free=True))
    assert list(second.calls()) == list(full.calls())
    assert all(call.ref == row for row, call in enumerate(full.calls()))


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_refs_counted_in_chunks_are_the_rows_of_the_plain_stream(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Free calls compared a chunk at a time (the first group of parts several tiny ones)."""
    monkeypatch.setattr(demand_stream, "REFS_CHUNK_CALLS", chunk)
    sc = SCENARIOS["busy"]
    expected = plain(sc, 6)
    free = (expected["charge_minor"] == 0) & ~expected["credit_billed"]
    lazy = generate(sc, RATES, np.random.default_rng(6))
    assert isinstance(lazy, DemandStream) and len(lazy._free) > 2
    np.testing.assert_array_equal(lazy.charged_refs(), np.flatnonzero(~free))


def test_refs_take_a_fraction_of_the_merged_streams_memory() -> None:
    """The charged calls' rows without every free call's columns: on ``enterprise`` the merged
    order took 406 MB, the peak of the dashboard's bank build (docs/performance-history.md)."""
    loaded = load_scenario(ROOT / "scenarios" / "midsize.toml")

    def peak(refs: Callable[[DemandStream], np.ndarray]) -> tuple[int, np.ndarray]:
        demand_seed, _ = replication_seeds(1, 1)[0]  # a fresh one: generating spawns from it
        stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
        assert isinstance(stream, DemandStream)
        tracemalloc.start()
        try:
            rows = refs(stream)
            return tracemalloc.get_traced_memory()[1], rows
        finally:
            tracemalloc.stop()

    lean, rows = peak(lambda stream: stream.charged_refs())
    merged, expected = peak(
        lambda stream: np.flatnonzero(stream._order()[0] < len(stream.charged()))
    )
    np.testing.assert_array_equal(rows, expected)
    assert lean < merged / 2


def test_counting_and_charged_calls_build_no_free_call() -> None:
    loaded = load_scenario(ROOT / "scenarios" / "midsize.toml")
    demand_seed, _ = replication_seeds(1, 1)[0]
    stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
    assert isinstance(stream, DemandStream)
    charged = stream.charged()
    assert stream.free_count > 20 * len(charged) > 0
    assert len(stream) == len(charged) + stream.free_count
    assert stream._built is None  # nothing merged: the free calls were only counted


def test_a_batch_draws_any_run_of_slots_as_it_draws_them_all() -> None:
    catalog = Catalog(RATES, currency("USD"))
    _, batches = _sources(SCENARIOS["busy"], catalog, np.random.default_rng(2))
    batch = batches[-1]
    slots = len(batch.first_call) - 1
    cuts = [0, 7, 8, slots // 2, slots]
    pieces = [batch.starts(a, b) for a, b in pairwise(cuts)]
    np.testing.assert_array_equal(np.concatenate(pieces), batch.starts(0, slots))


@given(
    st.lists(st.tuples(st.integers(0, 10**7), st.booleans()), min_size=1, max_size=200),
    st.sampled_from([1, 10**3, 10**12, 2**62]),
)
def test_sorted_ties_is_the_order_of_start_then_tie(rows: list, spare: int) -> None:
    seconds = np.array([s for s, _ in rows], dtype=np.int64)
    half = np.array([h for _, h in rows], dtype=np.int64)
    start = 1_800_000_000_000_000 + seconds * MICROS_PER_SECOND + half * 500_000
    ties = np.random.default_rng(len(rows)).permutation(len(rows) + 3)[: len(rows)]
    top = len(rows) + 3 + spare
    expected = ties[np.lexsort((ties, start))]
    np.testing.assert_array_equal(sorted_ties(start, ties.astype(np.int64), top), expected)
    whole = start - half * 500_000
    expected = ties[np.lexsort((ties, whole))]
    np.testing.assert_array_equal(sorted_ties(whole, ties.astype(np.int64), top), expected)


def test_the_demand_table_is_the_same_from_either_mode() -> None:
    sc = SCENARIOS["busy"]
    lazy = summarize(generate(sc, RATES, np.random.default_rng(6)), sc)
    full = summarize(generate(sc, RATES, np.random.default_rng(6), detail=True), sc)
    assert lazy.to_dict() == full.to_dict()
    assert lazy.pool_used_min.tobytes() == full.pool_used_min.tobytes()
