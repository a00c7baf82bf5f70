"""summary.json's encoder writes exactly what ``json.dumps(value, indent=2)`` writes."""

from __future__ import annotations

import json
import math
from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.study.json_text import indented

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


class _Level(IntEnum):
    HIGH = 3


@given(DOCUMENTS)
def test_any_json_document_is_the_standard_text(document: Any) -> None:
    assert indented(document) == json.dumps(document, indent=2)


@pytest.mark.parametrize(
    "document",
    [
        {},
        [[]],
        {"a": {}, "b": [{}, []]},
        {"é": 'ü\n\t"', "k": [math.inf, -math.inf, math.nan, -0.0, 1e-05, 1e16]},
        [_Level.HIGH, True, False, None, 10**40],
        {1: "a key that is a number"},  # left to json.dumps
        {"a": {None: 1, 2.5: [1]}},
    ],
)
def test_edges_are_the_standard_text(document: Any) -> None:
    assert indented(document) == json.dumps(document, indent=2)


def test_what_json_refuses_it_refuses() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        indented({"a": cycle})
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented({"a": [object()]})
