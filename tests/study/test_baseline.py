"""Regression baselines are checked when read: one line naming the file and key, exit 2.

And NaN never passes as "no drift": a comparison with a value that is not
finite on either side is drift.
"""

from __future__ import annotations

import copy
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sim.cli.commands import main
from sim.errors import InputError
from sim.study.baseline import read_baseline
from sim.study.regress import compare
from tests.paths import ROOT

SMALL_TEAM = ROOT / "scenarios" / "baselines" / "small-team.json"
LABEL = "T20/A40/I40"
METRIC = "blocked_by_service.dial_out.calls"


@pytest.fixture(scope="module")
def stored() -> dict[str, Any]:
    return json.loads(SMALL_TEAM.read_text(encoding="utf-8"))


def values(baseline: dict[str, Any], metric: str = METRIC) -> list[Any]:
    return baseline["policies"][LABEL]["metrics"][metric]["values"]


def test_every_bundled_baseline_is_well_formed() -> None:
    paths = sorted((ROOT / "scenarios" / "baselines").glob("*.json"))
    assert len(paths) >= 5
    for path in paths:
        assert read_baseline(path)["format"] == 2


Damage = Callable[[dict[str, Any]], object]
WHERE = f"policies.{LABEL}.metrics.{METRIC}.values"
FINITE = "Input should be a finite number"
NUMBER = "Input should be a valid number"


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda b: values(b).__setitem__(2, math.nan), f"key '{WHERE}[2]': {FINITE}"),
        (lambda b: values(b).__setitem__(0, math.inf), f"key '{WHERE}[0]': {FINITE}"),
        (lambda b: values(b).__setitem__(3, "7"), f"key '{WHERE}[3]': {NUMBER}"),
        (lambda b: values(b).pop(), f"key '{WHERE}': 99 values for 100 replications"),
        (lambda b: b["policies"][LABEL]["metrics"][METRIC].__setitem__("mean", None),
         f"key 'policies.{LABEL}.metrics.{METRIC}.mean': Input should be a valid number"),
        (lambda b: values(b, "recharges").__setitem__(5, -1),
         f"key 'policies.{LABEL}.metrics.recharges.values': a count is negative"),
        (lambda b: values(b, "years_with_outage").__setitem__(1, 3),
         f"key 'policies.{LABEL}.metrics.years_with_outage': a value is above 'years'"),
        (lambda b: values(b, "years").__setitem__(4, 0),
         f"key 'policies.{LABEL}.metrics.years': a replication has no year"),
        (lambda b: b["policies"][LABEL]["metrics"].pop("years"),
         f"key 'policies.{LABEL}.metrics': needs 'years' and 'years_with_outage'"),
        (lambda b: b.__setitem__("seed", "2027"), "key 'seed': Input should be a valid integer"),
        (lambda b: b.__setitem__("replications", -100),
         "key 'replications': Input should be greater than or equal to 1"),
        (lambda b: b.__setitem__("format", 1), "key 'format': 1 is not this credsim's format 2"),
        (lambda b: b.pop("policies"), "missing key 'policies'"),
        (lambda b: b["policies"][LABEL].__setitem__("metrics", [1, 2]),
         f"key 'policies.{LABEL}.metrics': Input should be a valid dictionary"),
    ],
)  # fmt: skip
def test_a_malformed_baseline_is_one_line_naming_file_and_key(
    stored: dict[str, Any], tmp_path: Path, damage: Damage, problem: str
) -> None:
    baseline = copy.deepcopy(stored)
    damage(baseline)
    path = tmp_path / "small-team.json"
    path.write_text(json.dumps(baseline), encoding="utf-8")  # NaN and inf as JSON5 literals
    with pytest.raises(InputError) as caught:
        read_baseline(path)
    assert str(caught.value) == f"{path}: corrupt baseline ({problem})"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not JSON: Expecting property name enclosed in double quotes at line 1"),
        (b'{"format": 1,\n "seed": \xff}', "not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON a baseline can hold"),
        (b'{"seed": ' + b"9" * 5000 + b"}", "not JSON a baseline can hold"),
        (b"[1, 2]", "expected a format 2 baseline object"),
    ],
    ids=["not-json", "not-utf8", "nested", "huge-number", "not-object"],
)
def test_a_file_that_is_not_a_baseline_is_one_line(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_baseline(path)
    assert str(caught.value) == f"{path}: corrupt baseline ({problem})"


def test_a_nan_baseline_stops_regress_with_exit_2(stored: dict[str, Any], tmp_path: Path) -> None:
    """It used to print "No drift" and exit 0: NaN compared as a change within noise."""
    folder = tmp_path / "scenarios"
    (folder / "baselines").mkdir(parents=True)
    shutil.copytree(ROOT / "scenarios" / "rates", folder / "rates")
    shutil.copyfile(ROOT / "scenarios" / "small-team.toml", folder / "small-team.toml")
    baseline = copy.deepcopy(stored)
    for record in baseline["policies"].values():
        for metric in record["metrics"].values():
            metric["values"] = [math.nan] * len(metric["values"])
    path = folder / "baselines" / "small-team.json"
    path.write_text(json.dumps(baseline), encoding="utf-8")
    result = CliRunner().invoke(main, ["regress", "--scenarios", str(folder)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"credsim: error: {path}: corrupt baseline (key 'policies.{LABEL}.metrics.blocked_by_"
        f"service.dial_out.calls.values[0]': Input should be a finite number (and 7799 more))"
    ]


def one(values_before: list[float], values_after: list[float]) -> str:
    def side(numbers: list[float]) -> dict[str, Any]:
        years, hits = {"values": [1] * len(numbers)}, {"values": [0] * len(numbers)}
        record = {"metrics": {"m": {"values": numbers}, "years": years, "years_with_outage": hits}}
        return {"scenario": "s", "seed": 1, "replications": len(numbers), "policies": {"p": record}}

    rows = {row.metric: row for row in compare(side(values_before), side(values_after), 4.0)}
    return rows["m"].status


def test_nan_on_either_side_is_drift_never_no_drift() -> None:
    assert one([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == "unchanged"
    assert one([1.0, 2.0, 3.0], [1.0, math.nan, 3.0]) == "drift"
    assert one([math.nan] * 3, [1.0, 2.0, 3.0]) == "drift"
    assert one([math.nan] * 3, [math.nan] * 3) == "drift"
    assert one([1.0, 2.0, 3.0], [1.0, 2.0, math.inf]) == "drift"
