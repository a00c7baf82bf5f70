"""Scenario validation errors as a planner reads them: the key path, then the rule.

Why this exists: pydantic's messages name internal union tags (``fixed``,
``function-after[...]``), say "Input should be greater than 0" and point at
tuples such as ``('streams', 0, 'duration_min', 'exponential', 'mean')``. A
planner editing a TOML file needs ``streams[0].duration_min.mean: must be > 0
(got 0)``: the path as the file spells it, the rule in plain words, and for a
typo the nearest key or value that would have been accepted. The schema
itself (``sim.world.scenario``) is walked alongside each error location, so tags are
dropped only where they are not real keys and suggestions come from the
section the bad key sits in.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from decimal import Decimal
from difflib import get_close_matches
from inspect import isclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

MAX_ALSO = 10
"""At most this many further problems are listed after the first."""
MAX_DESCRIBED = 50
"""Problems described in full sentences; beyond them only counted (see ``describe``)."""

_INTERNAL = re.compile(r"^[a-z][a-z-]*\[.*\]$")  # pydantic's function-after[...] and the like
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_QUOTED = re.compile(r"'([^']*)'")
_COMPARISONS = {
    "greater_than": (">", "gt"),
    "greater_than_equal": (">=", "ge"),
    "less_than": ("<", "lt"),
    "less_than_equal": ("<=", "le"),
}
_NUMBER = "must be a number"
_WHOLE = "must be a whole number"
_DATETIME = "must be a date and time with a UTC offset, like 2027-01-01T00:00:00Z"
_DATE = "must be a date like 2027-12-25"
_TIME = "must be a time of day like 09:00"
_TABLE = "must be a table: a [section] or { key = value, ... }"
_TYPE_RULES = {
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "finite_number": "must be a finite number",
    "string_type": "must be text in quotes",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "time_type": _TIME,
    "time_parsing": _TIME,
    "model_type": _TABLE,
    "model_attributes_type": _TABLE,
    "dict_type": _TABLE,
    "list_type": "must be a list [ ... ]",
    "tuple_type": "must be a list [ ... ]",
}
_PATTERN_RULES = {
    r"^[A-Z]{2}$": "must be a two-letter ISO 3166 country code in capitals, like 'US'",
    r"^[a-z][a-z0-9_]*$": "must be lower_snake_case, like 'toll_free_dial_in'",
}


@dataclass(frozen=True)
class _Where:
    """An error location resolved against the schema."""

    keys: tuple[str | int, ...]  # real keys only, as the file spells them
    node: Any  # schema type at the location: a model, a tuple of union members, or a type
    parent: Any  # schema type that holds the last key
    dict_key: str | None  # set when the problem is a table key rather than its value


@dataclass(frozen=True)
class Problem:
    """One validation problem: its sentence, plus what is needed to merge duplicates."""

    text: str
    missing: str | None = None  # full path of a missing key
    suggested: str | None = None  # full path of the key an unknown key probably meant


def describe(error: ValidationError, model: type[BaseModel]) -> list[str]:
    """One sentence per problem, in pydantic's order (the schema's field order).

    A missing key is dropped when an unknown key in the same section was
    probably meant to be it: ``valu = 3`` yields one problem, not two. Only
    the first ``MAX_DESCRIBED`` get sentences (with "did you mean" hints,
    which cost a fuzzy match each); the rest are counted in plain words, so
    a file of 60,000 unknown keys is refused in milliseconds, not seconds.
    """
    details = error.errors()
    problems = [
        _problem(detail, _locate(detail["loc"], model)) for detail in details[:MAX_DESCRIBED]
    ]
    meant = {problem.suggested for problem in problems if problem.suggested}
    texts = [problem.text for problem in problems if problem.missing not in meant]
    return texts + [
        f"{key_path(detail['loc'])}: {detail['msg']}" for detail in details[MAX_DESCRIBED:]
    ]


def combine(problems: list[str]) -> str:
    """The first problem, then the rest on following lines as ``  also: ...`` (at most 10)."""
    lines = [problems[0], *(f"  also: {text}" for text in problems[1 : 1 + MAX_ALSO])]
    hidden = len(problems) - 1 - MAX_ALSO
    if hidden > 0:
        lines.append(f"  ... and {hidden} more")
    return "\n".join(lines)


def key_path(keys: tuple[str | int, ...]) -> str:
    """``("streams", 0, "duration_min")`` as ``streams[0].duration_min``."""
    text = ""
    for key in keys:
        if isinstance(key, int):
            text += f"[{key}]"
        else:
            shown = key if _BARE_KEY.match(key) else f'"{key}"'
            text += f".{shown}" if text else shown
    return text


# -- locating an error in the schema --------------------------------------------------------


def _locate(loc: tuple[str | int, ...], model: type[BaseModel]) -> _Where:
    """Walk the schema along pydantic's location, keeping only the keys the file has."""
    parts = list(loc)
    dict_key = None
    if len(parts) >= 2 and parts[-1] == "[key]":
        dict_key, parts = str(parts[-2]), parts[:-2]
    keys: list[str | int] = []
    node: Any = model
    parent: Any = None
    for part in parts:
        node = _unwrap(node)
        if isinstance(part, str):
            variant = _variant(node, part)
            if variant is not None:
                node = variant
                continue
            if _INTERNAL.match(part):
                continue
        parent = node
        keys.append(part)
        node = _child(node, part)
    return _Where(tuple(keys), _unwrap(node), parent, dict_key)


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional; a union of several models becomes a tuple of them."""
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (Union, types.UnionType):
        members: list[Any] = []
        for arg in get_args(tp):  # a union of a number and a union of models: one tuple
            if arg is not type(None):
                inner = _unwrap(arg)
                members.extend(inner if isinstance(inner, tuple) else (inner,))
        return members[0] if len(members) == 1 else tuple(members)
    return tp


def _is_model(tp: Any) -> bool:
    return isclass(tp) and issubclass(tp, BaseModel)


def _variant(node: Any, tag: str) -> Any:
    """The union member that a pydantic tag segment (``fixed``, ``poisson``) names, if any."""
    if not isinstance(node, tuple):
        return None
    for member in node:
        if _is_model(member) and tag in _tags(member):
            return member
    return None


def _tags(model: type[BaseModel]) -> tuple[str, ...]:
    """The Literal values of a model's fields: its discriminator tag(s)."""
    found: list[str] = []
    for field in model.model_fields.values():
        if get_origin(field.annotation) is Literal:
            found.extend(str(value) for value in get_args(field.annotation))
    return tuple(found)


def _child(node: Any, key: str | int) -> Any:
    """The schema type one key below ``node``; None when the schema has no such key."""
    if isinstance(key, int):
        args = get_args(node)
        if get_origin(node) is list or (len(args) == 2 and args[1] is Ellipsis):
            return args[0]
        return args[key] if get_origin(node) is tuple and key < len(args) else None
    if _is_model(node):
        field = node.model_fields.get(key)
        return None if field is None else field.annotation
    if get_origin(node) is dict:
        return get_args(node)[1]
    return None


# -- wording --------------------------------------------------------------------------------


def _problem(detail: Any, where: _Where) -> Problem:
    kind = detail["type"]
    path = key_path(where.keys)
    if kind == "missing":
        return _missing(where, path)
    if kind == "extra_forbidden":
        return _unknown_key(where)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return Problem(_tag_rule(detail, where, path))
    if kind == "literal_error":
        return Problem(f"{path}: {_literal_rule(detail, where)}")
    rule = _rule(detail, where)
    if where.dict_key is not None:
        rule = f"key {where.dict_key!r} {rule}"
    return Problem(f"{path}: {rule}" if path else rule)


def _missing(where: _Where, path: str) -> Problem:
    if len(where.keys) == 1 and _is_model(where.node):
        return Problem(f"missing required section [{path}]", missing=path)
    return Problem(f"missing required key {path!r}", missing=path)


def _unknown_key(where: _Where) -> Problem:
    key = str(where.keys[-1])
    section = key_path(where.keys[:-1])
    valid = list(where.parent.model_fields) if _is_model(where.parent) else []
    near = get_close_matches(key, valid, n=1)
    if near:
        hint = f"; did you mean {near[0]!r}?"
    else:
        hint = f"; valid keys: {', '.join(valid)}" if valid else ""
    meant = key_path((*where.keys[:-1], near[0])) if near else None
    if section:
        return Problem(f"{section}: unknown key {key!r}{hint}", suggested=meant)
    return Problem(f"unknown top-level key {key!r}{hint}", suggested=meant)


def _tag_rule(detail: Any, where: _Where, path: str) -> str:
    """A distribution without ``dist`` or with an unknown one."""
    ctx = detail.get("ctx") or {}
    field = str(ctx.get("discriminator", "'dist'")).strip("'\"")
    members = where.node if isinstance(where.node, tuple) else ()
    expected = [tag for member in members if _is_model(member) for tag in _tags(member)]
    if not expected:
        expected = _QUOTED.findall(str(ctx.get("expected_tags", "")))
    choices = f"one of: {', '.join(expected)}"
    full = f"{path}.{field}" if path else field
    if detail["type"] == "union_tag_not_found":
        return f"missing required key {full!r} ({choices})"
    tag = str(ctx.get("tag", detail["input"]))
    return f"{full}: unknown value {tag!r}; expected {choices}{_did_you_mean(tag, expected)}"


def _rule(detail: Any, where: _Where) -> str:
    kind, ctx = detail["type"], detail.get("ctx") or {}
    if kind in _COMPARISONS:
        symbol, name = _COMPARISONS[kind]
        return f"must be {symbol} {_number(ctx[name])} (got {_shown(detail['input'])})"
    if kind in _TYPE_RULES:
        rule = _list_rule(where) if kind in ("tuple_type", "list_type") else _TYPE_RULES[kind]
        reason = ctx.get("error")
        why = f": {reason}" if isinstance(reason, str) else ""
        return f"{rule} (got {_shown(detail['input'])}{why})"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        rule = _PATTERN_RULES.get(pattern, f"must match {pattern}")
        return rule if where.dict_key is not None else f"{rule} (got {detail['input']!r})"
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return _length_rule(kind, ctx)
    if kind in ("value_error", "assertion_error"):
        return _own_words(str(ctx.get("error", detail["msg"])), where)
    message = str(detail["msg"])
    return message[:1].lower() + message[1:]


def _literal_rule(detail: Any, where: _Where) -> str:
    """A value (or a table key) outside a fixed set: name it, list the set, suggest the nearest."""
    allowed = _QUOTED.findall(str((detail.get("ctx") or {}).get("expected", "")))
    given = str(detail["input"])
    what = "key" if where.dict_key is not None else "value"
    expected = f"expected one of: {', '.join(allowed)}"
    return f"unknown {what} {given!r}; {expected}{_did_you_mean(given, allowed)}"


def _list_rule(where: _Where) -> str:
    """``[streams]`` written for ``[[streams]]`` is the common slip with lists of tables."""
    args = get_args(where.node)
    if args and _is_model(_unwrap(args[0])) and where.keys:
        return f"must be a list of tables: write each one as [[{key_path(where.keys)}]]"
    return "must be a list [ ... ]"


def _length_rule(kind: str, ctx: dict[str, Any]) -> str:
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must have at least {least} characters"
    if kind == "string_too_long":
        return f"must have at most {ctx.get('max_length')} characters"
    actual = ctx.get("actual_length")
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} entries (got {actual})"
    return f"must have at most {ctx.get('max_length')} entries (got {actual})"


def _own_words(message: str, where: _Where) -> str:
    """A validator's own sentence, minus a leading repeat of the key it is about."""
    last = where.keys[-1] if where.keys else None
    if isinstance(last, str) and message.startswith(f"{last} "):
        return message[len(last) + 1 :]
    return message


def _did_you_mean(given: str, allowed: list[str]) -> str:
    near = get_close_matches(given.strip().lower().replace("-", "_"), allowed, n=1, cutoff=0.5)
    return f"; did you mean {near[0]!r}?" if near else ""


def _number(value: object) -> str:
    """``0.0`` as ``0`` and ``Decimal('1.50')`` as ``1.5``: bounds as a person writes them."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _shown(value: object) -> str:
    """The offending value as the TOML file would show it, kept short."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, list | tuple):
        text = "a list"
    else:
        text = _number(value)
    return text if len(text) <= 40 else text[:37] + "..."
