"""Stream order in bounded memory: chunked sort plus k-way merge."""

from __future__ import annotations

import random
from pathlib import Path

from sim.account.stream import Call
from sim.calls.spool import sort_calls


def shuffled_calls(count: int, seed: int) -> list[Call]:
    rng = random.Random(seed)
    calls = []
    for ref in range(2, count + 2):
        start = rng.randrange(0, 1_000) * 1_000_000  # many equal starts: ties by ref
        calls.append(Call(start, start + rng.randrange(0, 10**9), f"s{ref % 3}", ref, True, ref))
    rng.shuffle(calls)
    return calls


def test_chunks_spilled_to_disk_merge_back_into_stream_order() -> None:
    calls = shuffled_calls(5_000, seed=1)
    with sort_calls(calls, chunk_rows=700) as ordered:
        assert len(ordered._chunks) == 8
        spill = Path(ordered._spill.name)
        assert len(list(spill.glob("chunk*.bin"))) == 7
        assert list(ordered) == sorted(calls, key=lambda c: (c.start, c.ref))
        assert list(ordered) == list(ordered)  # iterable more than once
        assert ordered.count == 5_000
        assert ordered.first_start == min(c.start for c in calls)
        assert ordered.last_end == max(c.end for c in calls)
    assert not spill.exists()


def test_a_single_chunk_is_sorted_in_memory() -> None:
    calls = shuffled_calls(50, seed=2)
    with sort_calls(calls) as ordered:
        assert ordered._spill is None
        assert list(ordered) == sorted(calls, key=lambda c: (c.start, c.ref))


def test_no_calls() -> None:
    with sort_calls([]) as ordered:
        assert list(ordered) == [] and ordered.first_start is None and ordered.count == 0
