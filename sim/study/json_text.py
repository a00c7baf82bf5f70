"""``json.dumps(value, indent=2)``, byte for byte, at about twice its speed.

Why: with ``indent`` the standard library encodes in pure Python, one generator
step per value; a sweep's summary.json (630 KB, 14,600 numbers of issue 15's
sweep) took 24.5 ms so, against 6.5 ms for the C encoder without indentation
(docs/performance.md#fixed-costs-of-a-sweep). Here each container holding only
scalars (nearly all of them: 4,859 of summary.json's 5,170) is encoded by the C
encoder with the indentation of its depth as item separator; only the containers
around them are walked in Python. Anything this does not cover the same way (a
key that is not a string, a value that is not JSON) is left to ``json.dumps``
for the whole document, so the text is always the standard library's.
"""

from __future__ import annotations

import json
import json.encoder
import math
from collections.abc import Callable
from json.encoder import INFINITY, encode_basestring_ascii
from typing import Any

INDENT = "  "
_SCALARS = (str, int, float, type(None))
"""bool is an int."""

_Encode = Callable[[Any, int], Any]
_C_ENCODER: Callable[..., _Encode] | None = getattr(json.encoder, "c_make_encoder", None)
"""The C encoder (``_json.make_encoder``; typeshed does not declare it)."""


class _UnsupportedError(Exception):
    """Something ``json.dumps`` encodes (or refuses) in a way this module does not copy."""


def indented(value: Any) -> str:
    """``json.dumps(value, indent=2)``: the same text."""
    if _C_ENCODER is None:  # a Python without the C accelerator
        return json.dumps(value, indent=2)
    out: list[str] = []
    try:
        _encode(value, out, "\n", {})
    except (_UnsupportedError, RecursionError):  # a cycle: json.dumps says so
        return json.dumps(value, indent=2)
    return "".join(out)


def _refuse(value: Any) -> Any:
    raise _UnsupportedError(type(value).__name__)


def _leaf_encoder(cache: dict[str, _Encode], separator: str) -> _Encode:
    """The C encoder (no indentation, ``separator`` between items), one per depth."""
    encode = cache.get(separator)
    if encode is None:
        assert _C_ENCODER is not None  # indented() checked
        encode = _C_ENCODER(  # markers, default, strings, indent, key sep., item sep.,
            None, _refuse, encode_basestring_ascii, None, ": ", separator, False, False, True
        )  # sort_keys, skipkeys, allow_nan: json.dumps' defaults
        cache[separator] = encode
    return encode


def _scalar(value: Any) -> str:
    """One scalar as ``json.dumps`` writes it (its C and Python encoders agree)."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if math.isnan(value):
        return "NaN"
    if value == INFINITY:
        return "Infinity"
    if value == -INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _encode(value: Any, out: list[str], newline: str, cache: dict[str, _Encode]) -> None:
    """Append ``value`` at the depth whose line break (and indentation) is ``newline``."""
    if isinstance(value, _SCALARS):
        out.append(_scalar(value))
        return
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise _UnsupportedError("a key that is not a string")
        items: Any = value.values()
        opener, closer = "{", "}"
    elif isinstance(value, list | tuple):
        items = value
        opener, closer = "[", "]"
    else:
        raise _UnsupportedError(type(value).__name__)
    if not value:
        out.append(opener + closer)
        return
    inner = newline + INDENT
    if all(isinstance(item, _SCALARS) for item in items):
        text = "".join(_leaf_encoder(cache, "," + inner)(value, 0))
        out.append(opener + inner + text[1:-1] + newline + closer)
        return
    out.append(opener)
    separator = inner
    if isinstance(value, dict):
        for key, item in value.items():
            out.append(separator + encode_basestring_ascii(key) + ": ")
            _encode(item, out, inner, cache)
            separator = "," + inner
    else:
        for item in value:
            out.append(separator)
            _encode(item, out, inner, cache)
            separator = "," + inner
    out.append(newline + closer)
