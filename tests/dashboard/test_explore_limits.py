"""The dashboard's entry points apply the CLI's limits: the pre-flight estimate and TOML bombs."""

from __future__ import annotations

import pytest

from sim.dashboard import explore
from sim.errors import InputError
from sim.world.load import LoadedScenario


def test_a_bank_is_refused_by_the_estimate_before_any_generation(
    tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_generation(*args: object, **kwargs: object) -> None:
        raise AssertionError("generated although the estimate is over the limit")

    monkeypatch.setattr(explore, "generate", no_generation)
    monkeypatch.setenv("CREDSIM_MAX_CALLS", "10")
    with pytest.raises(InputError, match=r"this would generate about .* the limit is 10 calls"):
        explore.DemandBank.build(tiny, seed=1, replications=3)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"a" + b".a" * 20_000 + b" = 1\n", "key longer than the limit of 128"),
        (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested deeper than the limit"),
    ],
)
def test_an_uploaded_toml_bomb_is_one_line(data: bytes, words: str) -> None:
    with pytest.raises(InputError) as caught:
        explore.scenario_upload(data, "bomb.toml")
    assert str(caught.value).startswith("bomb.toml:1: ")
    assert words in str(caught.value)
