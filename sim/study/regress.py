"""Regression checks of scenario outputs against stored baselines (``credsim regress``).

Each scenario file with a ``[regression]`` table names the policies to check,
the replications and the seed. Its baseline (``baselines/<name>.json`` next to
the scenarios) keeps, per policy and metric, every replication's value, so a
later run can be compared *replication by replication*: with the baseline's
seed both runs see the same demand (common random numbers) and a change of
the model, a rate or the scenario moves every replication the same way, while
noise does not. That paired comparison tells a real change from Monte Carlo
noise far more sharply than two independent means would. With another seed
or replication count the comparison falls back to independent samples.

Rules (docs/model.md#regression): a metric with identical values is
``unchanged``; otherwise it **drifts** when |mean difference| exceeds
``tolerance`` standard errors of that difference (paired or combined), and
outage risk a year drifts when the two Wilson intervals do not overlap; any other
difference is ``changed`` (within noise) and does not fail. A value that is
not finite on either side is drift. Baselines are checked when read
(``sim.study.baseline``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.engines.batch import DEFAULT_ENGINE
from sim.errors import InputError
from sim.study.baseline import FORMAT
from sim.study.experiment import Levers, regression_levers
from sim.study.kpis import outage_risk
from sim.study.run_summary import levers_dict
from sim.study.runner import PolicyRuns, run_replications
from sim.study.stats import Estimate
from sim.world.load import LoadedScenario, load_scenario

_NUMBER_LIST = re.compile(r"\[\s*(-?[\d.eE+-]+(?:,\s*-?[\d.eE+-]+)*)\s*\]")


@dataclass(frozen=True)
class Check:
    """One scenario's regression check: its file, policies, replications and seed."""

    loaded: LoadedScenario
    levers: tuple[Levers, ...]

    @property
    def name(self) -> str:
        """The scenario's name (also the baseline's file name)."""
        return self.loaded.scenario.scenario.name


def find_checks(folder: Path) -> list[Check]:
    """Every scenario under ``folder`` that has a ``[regression]`` table, by name."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such scenarios folder")
    checks = []
    for path in sorted(folder.rglob("*.toml")):
        loaded = load_scenario(path, root=folder)  # checks/ may share folder's rates/
        regression = loaded.scenario.regression
        if regression is None:
            continue
        levers = regression_levers(loaded.scenario)
        checks.append(Check(loaded, levers))
    names = [check.name for check in checks]
    if duplicated := sorted({name for name in names if names.count(name) > 1}):
        raise InputError(f"{folder}: scenario names must be unique for baselines: {duplicated}")
    return checks


def compute(check: Check) -> dict[str, Any]:
    """Run the check and return its would-be baseline (without date and reason)."""
    regression = check.loaded.scenario.regression
    assert regression is not None  # find_checks only returns scenarios that have one
    results = run_replications(
        check.loaded,
        list(check.levers),
        replications=regression.replications,
        seed=regression.seed,
        engine=DEFAULT_ENGINE,
    )
    return {
        "format": FORMAT,
        "scenario": check.name,
        "file": str(check.loaded.path),
        "content_hash": check.loaded.content_hash,
        "seed": regression.seed,
        "replications": regression.replications,
        "engine": DEFAULT_ENGINE,  # a record only: compare() reads the policies
        "policies": {runs.levers.label(): _policy_record(runs) for runs in results.policies},
    }


def _policy_record(runs: PolicyRuns) -> dict[str, Any]:
    table = runs.table()
    metrics = {
        name: {"mean": float(table[name].mean()), "values": table[name].tolist()}
        for name in table.columns[1:]
    }
    return {"policy": levers_dict(runs.levers), "metrics": metrics}


# -- baselines -------------------------------------------------------------------------


def baseline_path(folder: Path, name: str) -> Path:
    """Where a scenario's baseline lives."""
    return folder / "baselines" / f"{name}.json"


def dumps(baseline: dict[str, Any]) -> str:
    """Pretty JSON with sorted keys; number lists on one line, so diffs read well."""
    text = json.dumps(baseline, indent=2, sort_keys=True)
    return _NUMBER_LIST.sub(_one_line, text) + "\n"


def _one_line(match: re.Match[str]) -> str:
    return "[" + ", ".join(part.strip() for part in match.group(1).split(",")) + "]"


def write_baseline(path: Path, baseline: dict[str, Any], reason: str) -> None:
    """Store a baseline with the version, date and the reason for the change."""
    stamped = {
        **baseline,
        "credsim_version": __version__,
        "date": datetime.now(UTC).date().isoformat(),
        "reason": reason,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(stamped), encoding="utf-8")


# -- comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    scenario: str
    policy: str
    metric: str
    baseline: float | None
    now: float | None
    z: float | None
    status: str  # unchanged | changed | drift

    @property
    def change(self) -> float | None:
        """now - baseline, when both exist."""
        if self.baseline is None or self.now is None:
            return None
        return self.now - self.baseline


def compare(baseline: dict[str, Any], now: dict[str, Any], tolerance: float) -> list[Row]:
    """Every policy and metric of ``now`` against ``baseline``."""
    paired = (baseline["seed"], baseline["replications"]) == (now["seed"], now["replications"])
    rows: list[Row] = []
    for label in sorted(set(baseline["policies"]) | set(now["policies"])):
        old, new = baseline["policies"].get(label), now["policies"].get(label)
        if old is None or new is None:
            status = "drift"  # a policy added to or removed from the check
            rows.append(Row(now["scenario"], label, "(policy)", None, None, None, status))
            continue
        rows.append(_outage_row(now["scenario"], label, old["metrics"], new["metrics"]))
        for name in sorted(set(old["metrics"]) | set(new["metrics"])):
            before = old["metrics"].get(name, {}).get("values")
            after = new["metrics"].get(name, {}).get("values")
            rows.append(_metric_row(now["scenario"], label, name, before, after, paired, tolerance))
    return rows


def _metric_row(
    scenario: str,
    label: str,
    name: str,
    before: list[float] | None,
    after: list[float] | None,
    paired: bool,
    tolerance: float,
) -> Row:
    if before is None or after is None:
        present = after if after is not None else before
        if present is None:
            raise ValueError(f"{scenario} {label} {name}: neither a baseline nor a new value")
        mean = float(np.mean(present))
        old = None if before is None else mean
        new = None if after is None else mean
        return Row(scenario, label, name, old, new, None, "drift")
    old, new = float(np.mean(before)), float(np.mean(after))
    if not (np.isfinite(before).all() and np.isfinite(after).all()):
        return Row(scenario, label, name, old, new, None, "drift")  # NaN is never "no drift"
    if before == after:
        return Row(scenario, label, name, old, new, 0.0, "unchanged")
    z = _z(np.asarray(before, float), np.asarray(after, float), paired)
    return Row(scenario, label, name, old, new, z, "drift" if abs(z) > tolerance else "changed")


def _z(before: np.ndarray, after: np.ndarray, paired: bool) -> float:
    """Mean difference over its standard error (paired under common random numbers)."""
    if paired:
        difference = after - before
        se = float(difference.std(ddof=1)) / math.sqrt(len(difference))
        mean = float(difference.mean())
    else:
        se = math.sqrt(
            float(before.var(ddof=1)) / len(before) + float(after.var(ddof=1)) / len(after)
        )
        mean = float(after.mean() - before.mean())
    if se == 0.0:
        return math.copysign(math.inf, mean) if mean else 0.0
    return mean / se


def _outage_row(scenario: str, label: str, before: dict[str, Any], after: dict[str, Any]) -> Row:
    """Outage risk a year (the one definition, ``sim.study.kpis.outage_risk``) before and after."""
    old, new = _risk(before), _risk(after)
    same = all(before[name]["values"] == after[name]["values"] for name in _YEARS)
    if same:
        status = "unchanged"
    else:
        apart = old.ci_high < new.ci_low or new.ci_high < old.ci_low  # type: ignore[operator]
        status = "drift" if apart else "changed"
    return Row(scenario, label, "outage_risk_per_year", old.estimate, new.estimate, None, status)


_YEARS = ("years_with_outage", "years")


def _risk(metrics: dict[str, Any]) -> Estimate:
    return outage_risk(
        np.asarray(metrics["years_with_outage"]["values"]), np.asarray(metrics["years"]["values"])
    )


def markdown(rows: list[Row], *, everything: bool = False) -> str:
    """The report table; unchanged rows are summarised per scenario unless ``everything``."""
    lines = [
        "| scenario | policy | metric | baseline | now | change | z | status |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for scenario in sorted({row.scenario for row in rows}):
        own = [row for row in rows if row.scenario == scenario]
        shown = own if everything else [row for row in own if row.status != "unchanged"]
        lines.extend(_line(row) for row in shown)
        quiet = len(own) - len(shown)
        if quiet:
            lines.append(f"| {scenario} | (all others) | {quiet} metrics | | | | | unchanged |")
    return "\n".join(lines)


def _line(row: Row) -> str:
    def number(value: float | None) -> str:
        if value is None:
            return "-"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:,.6g}"

    change = "-" if row.change is None else f"{row.change:+,.6g}"
    status = f"**{row.status}**" if row.status == "drift" else row.status
    return (
        f"| {row.scenario} | {row.policy} | {row.metric} | {number(row.baseline)} | "
        f"{number(row.now)} | {change} | {number(row.z)} | {status} |"
    )
