"""``credsim backtest`` end to end: figures checked by hand, options, and errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli.commands import main
from sim.engines.batch import DEFAULT_ENGINE, ENGINE_NAMES
from tests.paths import WALKTHROUGH

SMALL = ["--trigger", "50", "--amount", "100", "--initial", "100"]


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def backtest_json(*args: str | Path) -> dict:
    result = invoke("backtest", WALKTHROUGH, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_readme_walkthrough_matches_the_hand_calculation() -> None:
    out = backtest_json(*SMALL)
    assert out["funded_by_source"] == {
        "initial": 100.0,
        "auto_recharge": 300.0,
        "manual": 0.0,
        "scheduled": 0.0,
    }
    assert (out["funded"], out["consumed"], out["forfeited"], out["final_balance"]) == (
        400.0,
        218.35,
        82.65,
        99.0,
    )
    assert (out["min_balance"], out["recharges"], out["outage_episodes"]) == (52.65, 3, 0)
    assert (out["calls"], out["credit_billed_calls"]) == (8, 7)
    assert out["rows"] == {
        "format": "stream",
        "read": 8,
        "replayed": 8,
        "outside_window": 0,
        "not_credit_billed": {"zero_charge": 1},
        "duplicates": 0,
        "duplicates_dropped": 0,
        "first_duplicate_line": None,
        "first_duplicate_member": None,
        "charged_under_plan": 0,
        "first_charged_under_plan_line": None,
    }


def test_without_auto_recharge_the_later_calls_are_blocked_by_service() -> None:
    out = backtest_json("--no-auto-recharge", "--initial", "100")
    assert (out["blocked_calls"], out["blocked_minutes"], out["blocked_charge"]) == (
        4,
        115.0,
        112.25,
    )
    assert out["blocked_by_service"]["toll_free_dial_in"] == {
        "calls": 2,
        "minutes": 80.0,
        "charge": 51.25,
    }
    assert (out["final_balance"], out["outage_episodes"], out["emails"]["balance_depleted"]) == (
        -6.1,
        1,
        1,
    )


def test_an_expired_card_fails_the_recharge_and_leaves_an_outage_until_renewal() -> None:
    out = backtest_json(*SMALL, "--card-expired", "2025-01-01/2025-02-01")
    assert (out["recharges"], out["failed_recharges"]) == (3, 1)
    # -6.10 from 2025-01-20 14:30 until the renewal on 2025-02-01 00:00
    assert (out["outage_episodes"], out["outage_hours"]) == (1, 273.5)
    assert out["emails"] == {"recharge_succeeded": 3, "recharge_failed": 1, "balance_depleted": 1}


def test_a_recharge_delay_turns_the_dips_into_one_hour_outages() -> None:
    out = backtest_json(*SMALL, "--recharge-delay-min", "60")
    # 2025-03-03 15:30 (-7.35) and 2026-03-03 15:30 (expiry to 0), each repaired at 16:30
    assert (out["outage_episodes"], out["outage_hours"]) == (2, 2.0)
    assert out["final_balance"] == 99.0 and out["blocked_calls"] == 0


def test_the_window_leaves_out_calls_and_expiries_beyond_the_end() -> None:
    out = backtest_json(*SMALL, "--end", "2025-12-31")
    assert out["rows"]["outside_window"] == 1 and out["calls"] == 7
    assert out["forfeited"] == 0.0 and out["consumed"] == 217.35


def test_manual_and_monthly_top_ups() -> None:
    manual = backtest_json(
        "--no-auto-recharge", "--initial", "100", "--manual-topup", "100", "--manual-delay-h", "2"
    )
    # Each dip below zero waits 2 h for the admin: after call 3 (-6.10), after call 6
    # (-7.35) and when the last lot expires on 2026-03-03 17:30 (82.65 forfeited).
    assert manual["funded_by_source"]["manual"] == 300.0
    assert (manual["outage_episodes"], manual["outage_hours"]) == (3, 6.0)
    assert (manual["forfeited"], manual["emails"]["balance_depleted"]) == (82.65, 3)
    monthly = backtest_json("--no-auto-recharge", "--initial", "0", "--monthly-topup", "20")
    # the 1st of every month from 2025-02-01 to 2026-03-01: 14 top-ups
    assert monthly["funded_by_source"]["scheduled"] == 280.0


def test_the_default_policy_is_the_documented_example() -> None:
    out = backtest_json()
    assert out["funded_by_source"]["initial"] == 1000.0
    # 1000 - 217.35 expires on 2026-01-06 09:00; the balance 0 < 400 buys 1000.
    assert (out["forfeited"], out["recharges"], out["final_balance"]) == (782.65, 1, 999.0)


def test_human_summary_and_portal_minimum_warning() -> None:
    result = invoke("backtest", WALKTHROUGH, "--trigger", "20", "--amount", "100")
    assert result.exit_code == 0
    assert "below the admin portal's minimum of 50" in result.stderr
    assert "Policy: initial $1,000.00, auto-recharge $100.00 when below $20.00" in result.stdout
    assert "Forfeited:" in result.stdout


def test_the_journal_explains_every_cent(tmp_path: Path) -> None:
    journal = tmp_path / "journal.csv"
    result = invoke("backtest", WALKTHROUGH, *SMALL, "--journal", journal)
    assert result.exit_code == 0
    with journal.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["time", "kind", "amount", "balance_after", "lot", "ref"]
    running = Decimal(0)
    for row in rows:
        running += Decimal(row["amount"])
        assert Decimal(row["balance_after"]) == running
    assert running == Decimal("99.00")
    forfeits = [row for row in rows if row["kind"] == "forfeit"]
    assert forfeits == [
        {
            "time": "2026-03-03T15:30:00Z",
            "kind": "forfeit",
            "amount": "-82.65",
            "balance_after": "0.00",
            "lot": "3",
            "ref": "expired",
        }
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trigger", "400"], "--trigger and --amount go together"),
        (["--no-auto-recharge", "--amount", "5"], "cannot be combined"),
        (["--trigger", "abc", "--amount", "5"], "'abc' is not a decimal number"),
        (["--trigger", "-1", "--amount", "5"], "must be a number >= 0"),
        (["--trigger", "100", "--amount", "0"], "amount(=0) must be > 0"),
        (["--trigger", "10.001", "--amount", "5"], "--trigger: '10.001' has more decimal places"),
        (["--start", "yesterday"], "'yesterday' is not an ISO 8601"),
        (["--card-expired", "2025-01-01"], "must be FROM/UNTIL"),
        (["--card-expired", "2025-02-01/2025-01-01"], "UNTIL must come after FROM"),
        (["--start", "2026-01-01", "--end", "2025-01-01"], "would end"),
        (["--manual-topup", "10", "--manual-delay-h", "0"], "must be > 0"),
        (["--currency", "XYZ"], "currency(='XYZ') is not an ISO 4217 currency code"),
    ],
)
def test_bad_options_exit_2_with_one_clear_line(args: list[str], message: str) -> None:
    result = invoke("backtest", WALKTHROUGH, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    result = invoke("backtest", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr


def test_a_bad_row_names_file_line_and_column_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "start,end,service,charge\n"
        "2025-01-01T10:00:00Z,2025-01-01T10:05:00Z,toll_free_dial_in,0.10\n"
        "2025-01-01T11:00:00Z,2025-01-01T11:05:00Z,toll_free_dial_in,-1.00\n",
        encoding="utf-8",
    )
    process = subprocess.run(
        [sys.executable, "-m", "sim", "backtest", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert process.stdout == ""
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in process.stderr
    assert lines[0].startswith(f"credsim: error: {bad}:3: column 'charge':")


def test_engine_is_one_option_for_every_command_that_runs_replications() -> None:
    declared = {
        name: param.to_info_dict()
        for name, command in main.commands.items()
        for param in command.params
        if param.name == "engine"
    }
    assert set(declared) == {"run", "sweep", "report", "plan"}
    assert declared["run"] == declared["sweep"] == declared["report"] == declared["plan"]
    assert declared["run"]["type"]["choices"] == ENGINE_NAMES
    assert declared["run"]["default"] == DEFAULT_ENGINE == "skip"
