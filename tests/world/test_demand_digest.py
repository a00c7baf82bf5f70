"""The bundled scenarios' demand, pinned byte for byte: a faster generator draws the same calls.

Why: issue 15 rewrote how ``generate`` assembles and rates a replication (for
speed); the rules promise the same random draws in the same order, so the
same calls and the same charges. Each digest below is the sha256 (16 hex
digits) of one replication's columns (seed 7), computed with the generator as
it was BEFORE that rewrite (main at 77dc832). ``charged`` is the lazy
stream's charged calls (what every engine replays), with the stream's call
count and charged count; ``detail`` is every call, free ones included
(``generate(..., detail=True)``), so the order of free and charged calls is
pinned too. ``plan-holders`` has pools that overflow and calls cut by the
horizon's end; ``enterprise`` is the 4.5-million-call case the rewrite was for.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from sim.account.stream import CallStream
from sim.world.demand import generate
from sim.world.load import load_scenario
from tests.paths import CHECKS, SCENARIOS

_COLUMNS = ("start_us", "end_us", "service", "charge_minor", "credit_billed")
_COLUMNS += ("billed_min", "pool", "pool_min")

CHARGED = {
    SCENARIOS / "small-team.toml": ("a68d2d77c955f745", 46333, 8376),
    SCENARIOS / "midsize.toml": ("cbbc870a7567ab6a", 1115028, 48321),
    SCENARIOS / "enterprise.toml": ("ab72b91811485927", 4552604, 398309),
    CHECKS / "plan-holders.toml": ("6ff3abe0826a848b", 3586, 673),
}
"""(digest of the charged calls, calls, charged calls) of seed 7."""

DETAIL = {
    SCENARIOS / "small-team.toml": ("318ce6523974ca3a", 46333),
    SCENARIOS / "midsize.toml": ("133154e48208abdc", 1115028),
    CHECKS / "plan-holders.toml": ("28a75328bf4fd2be", 3586),
}
"""(digest of every call, calls) of seed 7."""


def _digest(calls: CallStream) -> str:
    digest = hashlib.sha256()
    for name in _COLUMNS:
        digest.update(np.ascontiguousarray(getattr(calls, name)).tobytes())
    return digest.hexdigest()[:16]


def _stream(path: Path, *, detail: bool) -> CallStream:
    loaded = load_scenario(path, root=SCENARIOS)
    return generate(loaded.scenario, loaded.rates, np.random.default_rng(7), detail=detail)


@pytest.mark.parametrize("path", list(CHARGED), ids=lambda path: path.stem)
def test_the_charged_calls_are_the_ones_drawn_before_the_rewrite(path: Path) -> None:
    stream = _stream(path, detail=False)
    charged = stream.charged()
    assert (_digest(charged), len(stream), len(charged)) == CHARGED[path]


@pytest.mark.parametrize("path", list(DETAIL), ids=lambda path: path.stem)
def test_every_call_is_the_one_drawn_before_the_rewrite(path: Path) -> None:
    stream = _stream(path, detail=True)
    assert (_digest(stream), len(stream)) == DETAIL[path]
