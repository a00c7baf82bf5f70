"""``credsim validate``, ``credsim demand`` and ``credsim run`` end to end."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner, Result

from sim.cli.commands import main
from tests.paths import ROOT

POISSON = ROOT / "scenarios" / "checks" / "poisson-manual.toml"
SMALL = ROOT / "scenarios" / "small-team.toml"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_validate_accepts_every_bundled_scenario() -> None:
    for path in sorted((ROOT / "scenarios").rglob("*.toml")):
        result = invoke("validate", path)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith(f"OK: {path}")


def test_validate_names_the_key_and_suggests_the_nearest(tmp_path: Path) -> None:
    bad = tmp_path / "typo.toml"
    bad.write_text(POISSON.read_text().replace("calls_per_day", "calls_per_dya"), encoding="utf-8")
    result = invoke("validate", bad)
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"credsim: error: {bad}: streams[0]: unknown key 'calls_per_dya'")
    assert "did you mean 'calls_per_day'?" in first
    assert "Traceback" not in result.output


def test_run_json_has_every_metric_with_a_ci_and_the_figures_per_year() -> None:
    result = invoke("run", POISSON, "--replications", "6", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["scenario"], out["replications"], out["seed"]) == ("poisson-manual", 6, 1)
    assert out["policy"]["auto_recharge"] is False and out["policy"]["initial"] == "1850"
    keys = ("forfeited", "outage_hours", "emails.balance_depleted", "mean_balance",
            "blocked_by_service.toll_free_dial_in.calls", "funded_by_source.initial")  # fmt: skip
    for key in keys:
        assert set(out["metrics"][key]) == {"mean", "ci_low", "ci_high"}, key
    assert out["metrics"]["funded"]["mean"] == 1850.0
    assert set(out["per_year"]["outage_risk_per_year"]) == {"estimate", "ci_low", "ci_high"}
    assert set(out["per_year"]["cost_per_year"]) == {"mean", "ci_low", "ci_high"}
    assert out["horizon_months"] == 6
    assert "outage_probability" not in out  # one definition of outage risk (issue 13)


def test_run_output_is_byte_identical_for_the_same_seed_whatever_the_workers() -> None:
    args = ("run", SMALL, "--replications", "4", "--json")
    one = invoke(*args, "--workers", "1")
    two = invoke(*args, "--workers", "2")
    other = invoke(*args, "--workers", "1", "--seed", "2")
    assert one.exit_code == two.exit_code == other.exit_code == 0
    assert one.stdout == two.stdout
    assert one.stdout != other.stdout


def test_run_engines_agree_and_the_table_is_readable() -> None:
    args = ("run", SMALL, "--replications", "3", "--workers", "1", "--json")
    assert invoke(*args, "--engine", "simpy").stdout == invoke(*args, "--engine", "replay").stdout
    text = invoke("run", SMALL, "--replications", "3", "--engine", "replay").stdout
    assert (
        "Outage risk a year " in text and "(outage risk a year over 2 windows of 12 months)" in text
    )
    assert "forfeited" in text and "95 % CI" in text
    assert "blocked_by_service.toll_free_dial_in.minutes" in text  # the longest title
    table = text.split("\n\n")[1:3]  # per year; over the months
    for block in table:
        header, *rows = block.splitlines()
        assert header.endswith("95 % CI") and rows
        assert {len(row) for row in rows} == {len(header)}, "a column out of line"


def test_run_out_writes_runs_bands_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = invoke("run", POISSON, "--replications", "3", "--engine", "replay", "--out", out)
    assert result.exit_code == 0, result.stderr
    with (out / "runs.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["replication"] for row in rows] == ["0", "1", "2"]
    with (out / "bands.csv").open() as handle:
        bands = list(csv.DictReader(handle))
    assert list(bands[0]) == ["day", "p5", "p25", "p50", "p75", "p95"]
    assert len(bands) == 181  # whole days in 6 months from 2027-01-01
    assert json.loads((out / "summary.json").read_text())["replications"] == 3
    with (out / "quantiles.csv").open() as handle:
        quantiles = {row["metric"]: row for row in csv.DictReader(handle)}
    funded = quantiles["funded"]
    assert list(funded) == ["metric", "p5", "p25", "p50", "p75", "p95"]
    assert float(funded["p5"]) == float(funded["p95"]) == 1850.0


def test_run_overrides_and_their_errors() -> None:
    result = invoke("run", SMALL, "--replications", "2", "--json",
                    "--trigger", "10", "--amount", "20", "--initial", "5")  # fmt: skip
    assert result.exit_code == 0
    assert "below the admin portal's minimum of 50" in result.stderr
    policy = json.loads(result.stdout)["policy"]
    assert (policy["trigger"], policy["amount"], policy["initial"]) == ("10", "20", "5")
    clash = invoke("run", SMALL, "--no-auto-recharge", "--trigger", "100")
    assert clash.exit_code == 2 and "cannot be combined" in clash.stderr
    cents = invoke("run", SMALL, "--initial", "10.001")
    assert cents.exit_code == 2 and "more decimal places" in cents.stderr


def test_demand_json_and_calls_export_that_backtest_reads(tmp_path: Path) -> None:
    calls = tmp_path / "calls.csv"
    result = invoke("demand", POISSON, "--json", "--calls", calls)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary  # the per-month table
    replayed = invoke("backtest", calls, "--no-auto-recharge", "--initial", "1850", "--json")
    assert replayed.exit_code == 0, replayed.stderr
    rows = json.loads(replayed.stdout)["rows"]
    assert rows["format"] == "stream" and rows["read"] > 3000


def test_a_run_logs_its_progress_on_stderr_when_it_is_not_a_terminal() -> None:
    result = invoke("run", SMALL, "--replications", "3", "--workers", "1")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[0] == "small-team: 3 replications to compute"
    assert lines[-1].startswith("small-team: 3/3 replications (100 %), ")


def test_a_euro_scenario_on_the_dollar_table_is_refused_naming_both(tmp_path: Path) -> None:
    (tmp_path / "rates").mkdir()
    table = ROOT / "scenarios" / "rates" / "sample-usd.csv"
    (tmp_path / "rates" / "sample-usd.csv").write_bytes(table.read_bytes())
    euro = tmp_path / "euro.toml"
    euro.write_text(SMALL.read_text().replace('currency = "USD"', 'currency = "EUR"'))
    for args in (("validate", euro), ("run", euro, "--replications", "2", "--workers", "1")):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines() == [
            f"credsim: error: {euro}: scenario.currency is EUR but its rate table "
            f"{tmp_path / 'rates' / 'sample-usd.csv'} is in USD; point [rates].table at a EUR "
            "table or make the two agree"
        ]
