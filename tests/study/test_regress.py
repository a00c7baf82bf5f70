"""``credsim regress``: real changes drift, noise does not, bad baselines exit 2."""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli.commands import main
from sim.study.regress import Row, compare, find_checks, markdown
from sim.world.load import required_rates
from tests.paths import ROOT


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["regress", *[str(arg) for arg in args]])


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    """A copy of the bundled scenarios, rate tables and baselines to tamper with."""
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    return folder


def keep_only(folder: Path, *names: str) -> None:
    """Drop the other scenarios (and their baselines) to keep a test quick."""
    for path in folder.rglob("*.toml"):
        if path.stem not in names:
            path.unlink()
            (folder / "baselines" / f"{path.stem}.json").unlink(missing_ok=True)


def set_regression(folder: Path, *, replications: int, seed: int | None = None) -> None:
    """At most ``replications`` (and ``seed``) in the ``[regression]`` table of every scenario
    left in ``folder``."""

    def fewer(match: re.Match[str]) -> str:
        return f"replications = {min(int(match[1]), replications)}"

    for path in folder.rglob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^replications = (\d+)", fewer, text)
        if seed is not None:
            text = re.sub(r"(?m)^seed = \d+", f"seed = {seed}", text)
        path.write_text(text, encoding="utf-8")


PAIRED_REPLICATIONS = 10
"""Replications of a check rebaselined by ``rebaseline`` (the bundled ones run 100): a real
change under the same seed moves every replication, so ten pairs show it as plainly."""


def rebaseline(folder: Path) -> None:
    """Fewer replications and fresh baselines for them, before the test changes anything.

    The check that follows is paired (same seed, same count) as against the bundled
    baselines, at a fifth of the runs: 2 x 10 instead of 100 per scenario.
    """
    set_regression(folder, replications=PAIRED_REPLICATIONS)
    updated = invoke("--scenarios", folder, "--update", "--reason", "fewer replications")
    assert updated.exit_code == 0, updated.stdout + updated.stderr


def drifted(result: Result) -> set[tuple[str, str]]:
    """(scenario, metric) of every drift row in the printed table."""
    rows = [line.split("|") for line in result.stdout.splitlines() if "**drift**" in line]
    return {(cells[1].strip(), cells[3].strip()) for cells in rows}


def test_every_rate_ten_percent_higher_is_drift_naming_the_money_metrics(scenarios: Path) -> None:
    keep_only(scenarios, "small-team", "midsize", "card-expiry")  # enterprise: same table, slow
    rebaseline(scenarios)
    table = scenarios / "rates" / "sample-usd.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    for row in rows:
        row["rate_per_min"] = str(Decimal(row["rate_per_min"]) * Decimal("1.1"))
    with table.open("w", newline="", encoding="utf-8") as handle:
        handle.write("\n".join(comments) + "\n")
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    report = scenarios.parent / "report.md"
    result = invoke("--scenarios", scenarios, "--report", report)
    assert result.exit_code == 1, result.stdout + result.stderr
    moved = drifted(result)
    for scenario in ("small-team", "midsize", "card-expiry"):
        assert (scenario, "consumed") in moved
    assert ("midsize", "funded") in moved
    assert "drifted beyond 4 standard errors" in result.stdout
    assert report.read_text(encoding="utf-8").startswith("| scenario | policy | metric |")


def test_a_doubled_processing_delay_is_drift_in_outages(scenarios: Path) -> None:
    keep_only(scenarios, "midsize")
    rebaseline(scenarios)
    path = scenarios / "midsize.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"processing_delay_h = [\d.]+", "processing_delay_h = 24", text),
                    encoding="utf-8")  # fmt: skip
    result = invoke("--scenarios", scenarios)
    assert result.exit_code == 1
    assert ("midsize", "outage_hours") in drifted(result)


UNPAIRED_REPLICATIONS = 12
"""Replications of a check run under a new seed against its bundled baseline (100 there).
The comparison is then unpaired (Welch: each side's variance over its own count), and under
no change its z has the same spread whatever the two counts: an eighth of the runs looks
for the same false alarm, and the unequal counts are checked too. Fewer runs do not blunt the
check: a z over the baseline's standard error alone (the new side's variance
left out) failed all three seeds at 12 runs, as at 25 (2 December 2026)."""


@pytest.mark.parametrize(("seed", "midsize"), [(11, True), (12, False), (13, False)])
def test_a_new_seed_alone_causes_no_drift(scenarios: Path, seed: int, midsize: bool) -> None:
    """A false alarm would show on any seed: three seeds over the quick scenarios, one also
    over midsize. Enterprise (40 replications of 4.5 million calls) is left to `credsim
    regress` in CI, which runs it against its baseline on every change."""
    dropped = {"enterprise"} if midsize else {"enterprise", "midsize"}
    keep_only(scenarios, *[path.stem for path in scenarios.rglob("*.toml")
                           if path.stem not in dropped])  # fmt: skip
    set_regression(scenarios, replications=UNPAIRED_REPLICATIONS, seed=seed)
    result = invoke("--scenarios", scenarios)
    assert result.exit_code == 0, result.stdout
    assert "| changed |" in result.stdout  # the numbers did move, within noise


def test_update_then_regress_is_clean_and_records_the_reason(scenarios: Path) -> None:
    keep_only(scenarios, "small-team")
    set_regression(scenarios, replications=PAIRED_REPLICATIONS)  # three checks run below
    path = scenarios / "small-team.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("trigger = 20,", "trigger = 30,"), encoding="utf-8")
    changed = invoke("--scenarios", scenarios)
    assert changed.exit_code == 1  # a policy left the check and another joined it
    assert "| small-team | T30/A40/I40 | (policy) |" in changed.stdout
    updated = invoke("--scenarios", scenarios, "--update", "--reason", "a leaner check")
    assert updated.exit_code == 0 and "Updated 1 baseline(s)" in updated.stdout
    baseline = json.loads((scenarios / "baselines" / "small-team.json").read_text())
    assert baseline["reason"] == "a leaner check"
    assert "T30/A40/I40" in baseline["policies"]
    assert {"credsim_version", "date", "seed", "content_hash"} <= set(baseline)
    assert baseline["replications"] == PAIRED_REPLICATIONS
    result = invoke("--scenarios", scenarios)
    assert result.exit_code == 0 and "No drift" in result.stdout


def test_update_needs_a_reason(scenarios: Path) -> None:
    result = invoke("--scenarios", scenarios, "--update")
    assert result.exit_code == 2 and "--reason" in result.stderr


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.write_text("{not json", encoding="utf-8"), "corrupt baseline"),
        (lambda path: path.write_text('{"format": 1}', encoding="utf-8"), "missing key"),
        (lambda path: path.unlink(), "no baseline; create it with credsim regress --update"),
    ],
)
def test_a_missing_or_corrupt_baseline_exits_2_naming_it(scenarios: Path, damage, message) -> None:
    keep_only(scenarios, "midsize", "small-team")
    path = scenarios / "baselines" / "midsize.json"
    damage(path)
    result = invoke("--scenarios", scenarios)
    assert result.exit_code == 2
    assert "midsize.json" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def record(values: list[float], outages: list[int] | None = None) -> dict:
    hits = outages or [0] * len(values)
    return {"metrics": {"m": {"values": values}, "years": {"values": [2] * len(values)},
                        "years_with_outage": {"values": hits}}}  # fmt: skip


def baseline(seed: int, values: list[float], **kwargs) -> dict:
    return {"scenario": "s", "seed": seed, "replications": len(values),
            "policies": {"p": record(values, **kwargs)}}  # fmt: skip


def rows_of(old: dict, new: dict, tolerance: float = 4.0) -> dict[str, Row]:
    return {row.metric: row for row in compare(old, new, tolerance)}


def test_paired_comparison_with_the_same_seed() -> None:
    old = baseline(1, [10.0, 20.0, 30.0, 40.0])
    shifted = rows_of(old, baseline(1, [11.0, 21.0, 31.0, 41.0]))["m"]
    assert shifted.status == "drift" and shifted.z == math.inf  # every replication +1
    noisy = rows_of(old, baseline(1, [11.0, 19.0, 31.0, 39.0]))["m"]
    assert (noisy.status, noisy.z) == ("changed", 0.0)  # differences +1 -1 +1 -1
    assert rows_of(old, old)["m"].status == "unchanged"


def test_unpaired_comparison_with_another_seed() -> None:
    old = baseline(1, [10.0, 20.0, 30.0, 40.0])
    new = baseline(2, [15.0, 25.0, 35.0, 45.0])
    row = rows_of(old, new)["m"]
    # difference 5 over sqrt(2 x var/n) = sqrt(2 x 166.67 / 4) = 9.13
    assert row.z == pytest.approx(5 / math.sqrt(2 * (500 / 3) / 4))
    assert row.status == "changed"


def test_outage_risk_drifts_when_wilson_intervals_part() -> None:
    old = baseline(1, [1.0] * 100, outages=[0] * 100)
    new = baseline(1, [1.0] * 100, outages=[1] * 30 + [0] * 70)
    moved = rows_of(old, new)["outage_risk_per_year"]
    assert moved.status == "drift" and moved.now == 30 / 200  # 100 replications x 2 years
    close = baseline(1, [1.0] * 100, outages=[1] * 2 + [0] * 98)
    assert rows_of(old, close)["outage_risk_per_year"].status == "changed"
    assert rows_of(old, old)["outage_risk_per_year"].status == "unchanged"


def test_the_markdown_table_lists_changes_and_summarises_the_rest() -> None:
    rows = [
        Row("s", "p", "a", 1.0, 2.0, 9.0, "drift"),
        Row("s", "p", "b", 1.0, 1.0, 0.0, "unchanged"),
    ]
    text = markdown(rows)
    assert "| s | p | a | 1 | 2 | +1 | 9 | **drift** |" in text
    assert "| s | (all others) | 1 metrics | | | | | unchanged |" in text
    assert "| s | p | b |" in markdown(rows, everything=True)


def test_every_rate_of_every_bundled_table_is_under_regression() -> None:
    """So that changing any rate makes CI's `credsim regress` fail."""
    checks = find_checks(ROOT / "scenarios")
    used = {
        (check.loaded.rates.path.resolve(), key)
        for check in checks
        for key in required_rates(check.loaded.scenario)
    }
    tables = {check.loaded.rates.path.resolve(): check.loaded.rates for check in checks}
    bundled = {path.resolve() for path in (ROOT / "scenarios" / "rates").glob("*.csv")}
    assert bundled - tables.keys() == set(), "a bundled table no [regression] scenario uses"
    missing = [(path.name, key) for path, table in tables.items() for key in table.rates
               if (path, key) not in used]  # fmt: skip
    assert missing == []
