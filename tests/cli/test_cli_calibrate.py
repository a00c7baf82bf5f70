"""``credsim calibrate``: the bundled twelve-month example in, a scenario that validates out."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from sim.cli.commands import main
from sim.world.load import load_scenario
from tests.paths import EXAMPLES


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_calibrate_writes_a_scenario_and_its_rates_that_validate(tmp_path: Path) -> None:
    out = tmp_path / "tenant.toml"
    result = invoke("calibrate", "calls", "-o", out, "--country", "US")
    assert result.exit_code == 0, result.stderr
    loaded = load_scenario(out)
    assert loaded.rates.path == tmp_path / "tenant-rates.csv"
    assert {stream.service for stream in loaded.scenario.streams} == {
        "dial_out",
        "international",
        "toll_free_dial_in",
    }
    assert loaded.scenario.big_meetings[0].recurrence == "FREQ=MONTHLY;BYDAY=+1TH"
    assert loaded.scenario.scenario.start.isoformat() == "2026-01-01T00:00:00+00:00"
    assert "Assumptions (not measurable from the export):" in result.stdout
    assert "time zone UTC: assumption: UTC (US has several zones)" in result.stdout
    assert f"Wrote {out} and {tmp_path / 'tenant-rates.csv'}" in result.stdout
    assert invoke("validate", out).exit_code == 0


def test_calibrate_json_carries_the_fits_and_the_holdout(tmp_path: Path) -> None:
    out = tmp_path / "tenant.toml"
    result = invoke("calibrate", "calls", "-o", out, "--holdout-months", "1", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [s["service"] for s in document["services"]] == [
        "dial_out",
        "international",
        "toll_free_dial_in",
    ]
    assert document["scenario_toml"] == out.read_text(encoding="utf-8")
    holdout = document["holdout"]
    assert holdout["months"] == ["2025-12"] and holdout["replications"] == 200
    assert holdout["fitted_until"] == "2025-11-30"
    total = next(c for c in holdout["cells"] if c["service"] == "total")
    assert total["p5"] <= total["simulated_mean"] <= total["p95"]
    assert holdout["months_inside"] == int(total["inside"])
    assert "holdout:" in result.stderr  # progress on stderr, stdout one document


def test_balance_and_lots_become_the_scenarios_opening(tmp_path: Path) -> None:
    out = tmp_path / "tenant.toml"
    assert invoke("calibrate", "calls", "-o", out, "--balance", "800").exit_code == 0
    opening = load_scenario(out).scenario.opening
    assert opening is not None and [lot.remaining for lot in opening.lots] == [800]
    lots = tmp_path / "lots.csv"
    lots.write_text("purchased,remaining\n2025-03-15,120.50\n2025-12-20T14:05:00Z,500\n")
    assert invoke("calibrate", "calls", "-o", out, "--lots", lots).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "{ purchased = 2025-03-15T00:00:00Z, remaining = 120.5 }" in text
    assert "{ purchased = 2025-12-20T14:05:00Z, remaining = 500 }" in text
    assert len(load_scenario(out).scenario.opening.lots) == 2  # type: ignore[union-attr]


def test_a_lot_expired_by_the_start_is_refused_in_one_line(tmp_path: Path) -> None:
    lots = tmp_path / "lots.csv"
    lots.write_text("purchased,remaining\n2024-06-01,100\n")
    result = invoke("calibrate", "calls", "-o", tmp_path / "t.toml", "--lots", lots)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert str(lots) in line and "2" in line
    assert not (tmp_path / "t.toml").exists()


def test_overlapping_exports_are_joined_and_the_overlap_said(tmp_path: Path) -> None:
    header, *rows = (EXAMPLES / "tenant-usage.csv").read_text(encoding="utf-8-sig").splitlines()
    first, second = tmp_path / "to-june.csv", tmp_path / "from-may.csv"
    first.write_text("\n".join([header, *rows[:5000]]) + "\n", encoding="utf-8")
    second.write_text("\n".join([header, *rows[4000:]]) + "\n", encoding="utf-8")
    out = tmp_path / "tenant.toml"
    result = invoke("calibrate", second, first, "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert "1000 row(s) of overlapping exports dropped" in document["notes"][0]
    assert sum(s["calls"] for s in document["services"]) == len(rows)  # every row billed once
    assert "from to-june.csv, from-may.csv: 8401 calls" in out.read_text(encoding="utf-8")
