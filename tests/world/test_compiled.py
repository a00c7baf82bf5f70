"""The compiled steps of generation (``sim.world.compiled``) give numpy's numbers, bit for bit.

Each kernel is compared with the numpy path it replaces on random inputs built to
hit its edges (ties, microsecond instants, empty months, sums that must fall back
to int64), then the bundled scenarios' pinned digests are drawn with every array
going through the compiled steps (``COMPILED_MIN_CALLS`` lowered to 1) and with
none, and replication 1's call numbers compared both ways.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numba  # noqa: F401  (loaded: ``compiled_steps`` uses the kernels only then)
import numpy as np
import pytest

from sim.world import compiled, rating
from sim.world.demand import generate
from sim.world.demand_stream import _free_before
from sim.world.load import load_scenario
from tests.paths import ROOT, SCENARIOS
from tests.world.test_demand_digest import CHARGED, DETAIL, _digest

SECOND = 1_000_000


def _instants(rng: np.random.Generator, size: int, *, whole: bool, span_s: int) -> np.ndarray:
    """Instants with many ties: whole seconds, or any microsecond."""
    seconds = rng.integers(0, span_s, size)
    instants = 1_800_000_000 * SECOND + seconds * SECOND
    return instants if whole else instants + rng.integers(0, SECOND, size)


@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize("span_s", [1, 50, 70_000, 63_000_000, 2**40])
@pytest.mark.parametrize("size", [1, 2, 17, 5_000])
def test_the_radix_order_is_numpys_stable_argsort(whole: bool, span_s: int, size: int) -> None:
    rng = np.random.default_rng(size * 31 + span_s)
    instants = _instants(rng, size, whole=whole, span_s=span_s)
    expected = np.argsort(instants, kind="stable")
    assert np.array_equal(compiled.stable_order(instants), expected)
    runs = np.sort(instants)  # already in order, and in runs, as generation's come
    assert np.array_equal(compiled.stable_order(runs), np.argsort(runs, kind="stable"))


def test_the_radix_order_of_nothing_is_empty() -> None:
    assert compiled.stable_order(np.zeros(0, np.int64)).size == 0


def _draws(rng: np.random.Generator, size: int) -> np.ndarray:
    """Draws in minutes with the cases rounding meets: halves, zeros, tiny and long ones."""
    draws = rng.exponential(6.0, size)
    draws[::7] = np.round(draws[::7] * 120) / 120  # exact half seconds: rint's ties
    draws[::11] = 0.0
    draws[::13] = 1e-9
    return draws


@pytest.mark.parametrize("increment_s", [1, 6, 60, 3600])
@pytest.mark.parametrize("seed", range(4))
def test_whole_seconds_sums_equal_numpys(
    increment_s: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 40_000))
    cuts = np.sort(rng.integers(0, size + 1, int(rng.integers(0, 30))))
    month_calls = np.concatenate(([0], cuts, cuts[:3], [size])).astype(np.int64)  # empty months
    month_calls.sort()
    draws = _draws(rng, size)
    mine, theirs = draws.copy(), draws.copy()
    monkeypatch.setattr(rating, "COMPILED_MIN_CALLS", 1)
    got = rating.whole_seconds(mine, month_calls, increment_s)
    monkeypatch.setattr(rating, "COMPILED_MIN_CALLS", 10**18)
    expected = rating.whole_seconds(theirs, month_calls, increment_s)
    assert np.array_equal(mine, theirs)
    assert got[0] == expected[0]
    assert np.array_equal(got[1], expected[1])


def test_whole_seconds_beyond_float_exactness_take_the_int64_sums(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draws = np.array([1.0, 2.0**60 / 60, 3.0])  # a length beyond 2^53 seconds
    month_calls = np.array([0, 2, 3])
    monkeypatch.setattr(rating, "COMPILED_MIN_CALLS", 1)
    longest, use_s = rating.whole_seconds(draws.copy(), month_calls, 60)
    monkeypatch.setattr(rating, "COMPILED_MIN_CALLS", 10**18)
    expected_longest, expected_use_s = rating.whole_seconds(draws.copy(), month_calls, 60)
    assert longest == expected_longest >= 2.0**53
    assert use_s is not None and expected_use_s is not None
    assert use_s.tolist() == expected_use_s.tolist()


def test_whole_seconds_sums_refuse_months_that_miss_draws() -> None:
    with pytest.raises(ValueError, match="month_calls"):
        compiled.whole_seconds_sums(np.ones(3), np.array([0, 2]), 60)


@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize("seed", range(5))
def test_free_calls_before_each_charged_call_as_numpy_counts_them(seed: int, whole: bool) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 30_000))
    start = _instants(rng, size, whole=whole, span_s=int(rng.choice([20, 86_400, 60_000_000])))
    seq = rng.permutation(size).astype(np.int64)
    charged = rng.random(size) < 0.2
    charged[0], charged[1] = True, False
    stream_order = np.lexsort((seq[charged], start[charged]))  # charged calls in stream order
    charged_start, charged_seq = start[charged][stream_order], seq[charged][stream_order]
    free_start, free_seq = start[~charged], seq[~charged]
    got = compiled.free_before(charged_start, charged_seq, free_start, free_seq)
    assert got is not None
    assert np.array_equal(got, _free_before(charged_start, charged_seq, free_start, free_seq))


def test_free_calls_before_say_so_when_the_keys_do_not_fit() -> None:
    start = np.array([0, 2**62], dtype=np.int64) + 1  # microseconds over 146,000 years
    assert compiled.free_before(start[:1], np.array([0]), start[1:], np.array([1])) is None


def test_free_calls_before_with_none_on_either_side() -> None:
    some = np.arange(3, dtype=np.int64)
    assert compiled.free_before(some, some, some[:0], some[:0]).tolist() == [0, 0, 0]
    assert compiled.free_before(some[:0], some[:0], some, some).size == 0


@pytest.mark.parametrize("least", [1, 10**18], ids=["all-compiled", "no-compiled"])
@pytest.mark.parametrize("path", list(CHARGED), ids=lambda path: path.stem)
def test_the_pinned_demand_either_way(
    path: Path, least: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rating, "COMPILED_MIN_CALLS", least)
    loaded = load_scenario(path, root=SCENARIOS)
    stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(7))
    charged = stream.charged()
    assert (_digest(charged), len(stream), len(charged)) == CHARGED[path]
    if path in DETAIL:
        detail = generate(loaded.scenario, loaded.rates, np.random.default_rng(7), detail=True)
        assert (_digest(detail), len(detail)) == DETAIL[path]
        assert np.array_equal(stream.charged_refs(), np.flatnonzero(~detail.free_mask))


def test_generating_demand_does_not_load_numba() -> None:
    """The compiled steps are used where numba is loaded anyway, never the reason it loads
    (``sim.world.rating.compiled_steps``): ``credsim demand`` and the bank's workers."""
    code = (
        "import sys, numpy as np\n"
        "from sim.world.demand import generate\n"
        "from sim.world.load import load_scenario\n"
        f"loaded = load_scenario({str(SCENARIOS / 'midsize.toml')!r})\n"
        "stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(7))\n"
        "stream.charged_refs()\n"
        "print('numba' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"
