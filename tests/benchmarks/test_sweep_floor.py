"""The floors benchmark's bound on a sweep's wall time (``benchmarks/sweep_floor.py``),
on hand-computed steps."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.paths import ROOT

_PATH = ROOT / "benchmarks" / "sweep_floor.py"
_SPEC = importlib.util.spec_from_file_location("sweep_floor", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
sweep_floor = importlib.util.module_from_spec(_SPEC)  # benchmarks/ is scripts, not a package
sys.modules["sweep_floor"] = sweep_floor  # a dataclass looks its module up while built
_SPEC.loader.exec_module(sweep_floor)

STEPS = sweep_floor.SweepSteps(
    base_imports_s=0.25,
    special_s=0.20,
    numba_s=0.10,
    engine_load_s=0.35,
    demand_and_policies_s=0.45,
    after_demand_s=0.22,
)


def test_the_chain_is_what_must_follow_one_another() -> None:
    """0.25 + 0.10 + 0.35 + 0.22: scipy.special and the demand may run beside it."""
    assert STEPS.chain_s() == pytest.approx(0.92)
    assert STEPS.total_s() == pytest.approx(0.92 + 0.20 + 0.45)


def test_the_floor_is_the_larger_bound() -> None:
    """On two cores the chain (0.92 s) exceeds the CPU over the cores (0.785 s); on one
    core all the CPU is the floor; 0.5 s more CPU (pandas) lifts the cores' bound above it."""
    assert STEPS.floor_s(2) == pytest.approx(0.92)
    assert STEPS.floor_s(1) == pytest.approx(1.57)
    assert STEPS.floor_s(2, extra_s=0.5) == pytest.approx(2.07 / 2)
