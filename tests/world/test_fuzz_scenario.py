"""Fuzzing the scenario loader: a mutated scenario is a Scenario or one InputError, nothing else.

Mutations work on the text, where planners make their mistakes: a number
replaced by a huge, negative or non-finite one, a line deleted or repeated, a
stray character. Bounded (issue 11 item 9): small examples, a few seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.world.load import load_scenario_bytes
from tests.paths import SCENARIOS, TINY

SEEDS = (
    TINY.read_text(encoding="utf-8"),
    (SCENARIOS / "small-team.toml").read_text(encoding="utf-8"),
    (SCENARIOS / "card-expiry.toml").read_text(encoding="utf-8"),
)
"""Valid scenarios whose text is mutated; rate tables resolve in the bundled folder."""

_NUMBER = re.compile(r"(?<![\w.:-])-?\d+(?:\.\d+)?(?![\w:-])")
_NUMBERS = (
    "0", "-1", "1e9", "1e12", "1e308", "1e400", "inf", "-inf", "nan", "0.000001",
    "99999999999999999999", "9223372036854775808", "1.0", "100", '"7"', "true",
)  # fmt: skip
_INSERTS = ("[", "]", "{", "=", '"', "\n", ".", "#", "\\", "[[streams]]\n", "x.y.z = 1\n")

FUZZ = settings(
    max_examples=100,
    deadline=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid scenario with one to three text edits."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(("number", "number", "delete", "repeat", "insert")))
        lines = text.splitlines(keepends=True)
        if edit == "number" and (found := list(_NUMBER.finditer(text))):
            match = draw(st.sampled_from(found))
            text = text[: match.start()] + draw(st.sampled_from(_NUMBERS)) + text[match.end() :]
        elif edit in {"delete", "repeat"}:
            index = draw(st.integers(0, len(lines) - 1))
            copies = 0 if edit == "delete" else 2
            text = "".join([*lines[:index], *[lines[index]] * copies, *lines[index + 1 :]])
        else:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(_INSERTS)) + text[at:]
    return text


def load(text: str) -> str:
    """'loaded' or 'refused'; any other exception fails the test."""
    try:
        load_scenario_bytes(text.encode(), source=Path("fuzz.toml"), folder=SCENARIOS)
    except InputError as error:
        assert str(error).startswith("fuzz.toml"), f"the message does not name the file: {error}"
        return "refused"
    return "loaded"


@given(mutated())
@FUZZ
def test_a_mutated_scenario_loads_or_is_refused_with_its_name(text: str) -> None:
    assert load(text) in {"loaded", "refused"}


@given(st.text(max_size=400))
@FUZZ
def test_random_text_loads_or_is_refused_with_its_name(text: str) -> None:
    assert load(text) in {"loaded", "refused"}


def test_every_seed_loads() -> None:
    assert [load(text) for text in SEEDS] == ["loaded"] * len(SEEDS)
