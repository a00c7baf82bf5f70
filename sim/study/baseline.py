"""A stored regression baseline, read and checked before anything is compared with it.

Why a schema: ``credsim regress`` is CI's guard. A baseline that is not what
it seems must stop it with one line naming the file and the key, never pass:
a NaN in it used to compare as "changed" (never drift), so a baseline of NaNs
turned the check off; a list shorter than its replications broke the paired
comparison with a traceback; a string where a number goes, or a negative
count, is a hand edit gone wrong. The model (pydantic, strict: no "1" for 1,
no NaN or infinity) states the format once, as ``sim.study.regress.compute``
writes it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError
from sim.limits import BASELINE_MAX_BYTES

FORMAT = 2
"""The baseline format ``compute`` writes (``format`` in the file). 2: outage risk a year is
read from the metrics ``years`` and ``years_with_outage`` (format 1 kept a 0/1 per replication)."""

_COUNT_METRIC = re.compile(r"(^|[._])(calls|recharges|episodes|years|years_with_outage)$|^emails\.")
"""Metrics that count something: their values cannot be negative."""

_STRICT = ConfigDict(strict=True, allow_inf_nan=False)


class _Metric(BaseModel):
    model_config = _STRICT
    mean: float
    values: list[float]


class _Policy(BaseModel):
    model_config = _STRICT
    policy: dict[str, str | bool | None]
    metrics: dict[str, _Metric]


class _Baseline(BaseModel):
    model_config = _STRICT
    format: int
    scenario: str
    seed: int = Field(ge=0)
    replications: int = Field(ge=1)
    policies: dict[str, _Policy]

    @model_validator(mode="after")
    def _consistent(self) -> _Baseline:
        """Every list holds one value per replication; counts are not negative; a replication
        has no more years with an outage than years."""
        if self.format != FORMAT:
            raise ValueError(f"key 'format': {self.format} is not this credsim's format {FORMAT}")
        for label, record in self.policies.items():
            _check_years(label, record.metrics)
            for name, metric in record.metrics.items():
                where = f"policies.{label}.metrics.{name}.values"
                _check_list(where, metric.values, self.replications)
                if _COUNT_METRIC.search(name) and min(metric.values, default=0.0) < 0:
                    raise ValueError(f"key {where!r}: a count is negative")
        return self


def _check_years(label: str, metrics: dict[str, _Metric]) -> None:
    """``years`` and ``years_with_outage`` both present, the second never above the first."""
    where = f"policies.{label}.metrics"
    if "years" not in metrics or "years_with_outage" not in metrics:
        raise ValueError(f"key {where!r}: needs 'years' and 'years_with_outage'")
    if min(metrics["years"].values, default=1) < 1:
        raise ValueError(f"key '{where}.years': a replication has no year")
    pairs = zip(metrics["years_with_outage"].values, metrics["years"].values, strict=False)
    if any(hit > years for hit, years in pairs):
        raise ValueError(f"key '{where}.years_with_outage': a value is above 'years'")


def _check_list(where: str, values: list[Any], replications: int) -> None:
    if len(values) != replications:
        raise ValueError(f"key {where!r}: {len(values)} values for {replications} replications")


def read_baseline(path: Path) -> dict[str, Any]:
    """A stored baseline, checked; a missing or malformed one is one InputError naming it."""
    try:
        with path.open("rb") as handle:
            data = handle.read(BASELINE_MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(
            f"{path}: no baseline; create it with credsim regress --update --reason TEXT"
        ) from None
    except OSError as error:
        raise InputError(f"{path}: cannot read the baseline ({error.strerror})") from None
    if len(data) > BASELINE_MAX_BYTES:
        raise InputError(f"{path}: corrupt baseline (over {BASELINE_MAX_BYTES:,} bytes)")
    try:
        baseline = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: corrupt baseline (not UTF-8 text)") from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: corrupt baseline (not JSON: {error.msg} at line {error.lineno})"
        ) from None
    except (ValueError, RecursionError):  # a number of thousands of digits; nesting too deep
        raise InputError(f"{path}: corrupt baseline (not JSON a baseline can hold)") from None
    problem = shape_problem(baseline)
    if problem:
        raise InputError(f"{path}: corrupt baseline ({problem})")
    return baseline


def shape_problem(baseline: Any) -> str | None:
    """What is wrong with a parsed baseline, naming its key; None when it is well formed."""
    if not isinstance(baseline, dict):
        return f"expected a format {FORMAT} baseline object"
    try:
        _Baseline.model_validate(baseline)
    except ValidationError as error:
        return _first(error)
    return None


def _first(error: ValidationError) -> str:
    """The first problem as ``key a.b[2]: what``, cut to one readable line."""
    details = error.errors(include_url=False, include_input=False)
    first = details[0]
    key = _key(first["loc"])
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    if first["type"] == "missing":
        return f"missing key {key!r}{more}"
    if not key:  # raised by _consistent: its message names the key itself
        return _cut(str(first["msg"]).removeprefix("Value error, ")) + more
    return f"key {key!r}: {_cut(str(first['msg']))}{more}"


def _key(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return _cut(text)


def _cut(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
