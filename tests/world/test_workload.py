"""The pre-flight estimate: the expected calls of a replication and the memory they need.

It is the Poisson mean of what ``generate`` draws (measured: generated / estimated
= 1.0001 on midsize, 0.9999 on enterprise, 1.0009 on small-team), and a scenario
whose estimate exceeds the limits is refused at load, before any generation.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from sim import limits
from sim.errors import InputError
from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import LoadedScenario, load_scenario
from sim.world.workload import BYTES_PER_CALL, check, estimate
from tests.world.test_scenario_load import HEAD, write

HUGE = HEAD + "[users]\ncount = 1_000_000\n[meetings]\nper_user_per_day = 100\n"


def test_the_estimate_is_the_mean_of_what_is_generated(tiny: LoadedScenario) -> None:
    expected = estimate(tiny.scenario).calls_per_replication
    drawn = [
        len(generate(tiny.scenario, tiny.rates, np.random.default_rng(seed)))
        for seed, _ in replication_seeds(1, 20)
    ]
    assert expected > 100
    assert np.mean(drawn) == pytest.approx(expected, rel=0.05)


def test_every_source_is_counted(midsize: LoadedScenario) -> None:
    work = estimate(midsize.scenario)
    assert set(work.calls_by_source) == {"meetings", "user_calling"}
    assert work.calls_per_replication == pytest.approx(1_115_431, rel=1e-4)
    assert work.memory_bytes(2) == 2 * BYTES_PER_CALL * work.calls_per_replication


def test_a_huge_scenario_is_refused_at_load_before_generating(tmp_path: Path) -> None:
    began = time.monotonic()
    with pytest.raises(InputError) as caught:
        load_scenario(write(tmp_path, HUGE))
    assert time.monotonic() - began < 5
    message = str(caught.value)
    assert "this would generate about 104,2" in message  # 1e6 users x 100 x 521 days x 2
    assert "calls per replication and need about" in message
    assert "the limit is 20,000,000 calls per replication" in message
    assert "CREDSIM_MAX_CALLS" in message
    assert "\n" not in message


def test_the_calls_limit_is_a_knob(tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDSIM_MAX_CALLS", "100")
    with pytest.raises(InputError, match="the limit is 100 calls per replication"):
        check(tiny.scenario)
    monkeypatch.setenv("CREDSIM_MAX_CALLS", "1e9")
    assert check(tiny.scenario).calls_per_replication > 100


def test_the_memory_limit_is_a_knob(tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch) -> None:
    need = estimate(tiny.scenario).memory_bytes()
    monkeypatch.setenv("CREDSIM_MAX_MEMORY_GB", str(need * 1.5 / 1024**3))
    check(tiny.scenario)
    with pytest.raises(InputError, match=r"\(2 replications at once\); the limit is .* GB"):
        check(tiny.scenario, concurrent=2)
    with pytest.raises(InputError, match="CREDSIM_MAX_MEMORY_GB, or use fewer workers"):
        check(tiny.scenario, concurrent=2)


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf", "1.5"])
def test_a_bad_knob_is_one_line(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDSIM_MAX_CALLS", value)
    with pytest.raises(InputError, match=r"CREDSIM_MAX_CALLS=.* is not a whole number > 0"):
        limits.max_calls_per_replication()


def test_the_defaults_are_the_declared_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDSIM_MAX_CALLS", raising=False)
    monkeypatch.delenv("CREDSIM_MAX_MEMORY_GB", raising=False)
    assert limits.max_calls_per_replication() == limits.CALLS_PER_REPLICATION_MAX
    assert limits.max_memory_bytes() == limits.MEMORY_MAX_BYTES
