"""``credsim backtest`` and ``run`` with money, time and recharge arguments beyond the limits.

Before issue 11 each case below was a traceback (``decimal.InvalidOperation``,
``OverflowError``, ``year 10000 is out of range``), ran for ever (a trigger of
10^11 with an amount of 1) or silently billed duplicate rows twice.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli.commands import main
from tests.calls.test_usage import write_teams
from tests.paths import TINY, WALKTHROUGH


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.mark.parametrize(
    ("args", "limit"),
    [
        (["--initial", "1e30"], "MONEY_MAX_MINOR"),
        (["--initial", "1e-999999"], "ARGUMENT_DECIMALS_MAX"),
        (["--trigger", "1e14", "--amount", "1"], "MONEY_MAX_MINOR"),
        (["--monthly-topup", "100000000000.01"], "10,000,000,000,000 minor units"),
        (["--recharge-delay-min", "1e20"], "DELAY_MAX_H"),
        (["--admin-fix-delay-h", "8785"], "DELAY_MAX_H"),
        (["--manual-topup", "5", "--manual-delay-h", "1e9"], "DELAY_MAX_H"),
        (["--end", "9999-12-31"], "DATE_MIN, DATE_MAX"),
        (["--start", "0001-01-01"], "DATE_MIN, DATE_MAX"),
        (["--card-expired", "2025-01-01/9999-12-31"], "DATE_MIN, DATE_MAX"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_a_money_or_time_argument_beyond_its_limit_exits_2_naming_it(args, limit) -> None:
    result = invoke("backtest", WALKTHROUGH, *args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if "rror" in line]
    assert len(errors) == 1 and limit in errors[0], result.stderr


def test_a_trigger_needing_10_to_the_13_recharges_ends_at_once_with_exit_2() -> None:
    """It never ended before; ``signal.alarm`` turns a loop back into a failure."""

    def expired(*_: object) -> None:
        raise TimeoutError("credsim backtest did not end within 60 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    try:
        result = invoke("backtest", WALKTHROUGH, "--trigger", "100000000000", "--amount", "0.01")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exit_code == 2, result.output
    *warnings, error = result.stderr.splitlines()  # the portal's: an amount of 0.01 USD
    assert all(line.startswith("credsim: warning: amount 0.01 ") for line in warnings), warnings
    assert error.startswith("credsim: error: ")
    assert (
        "the balance $1,000.00 would need 9,999,999,900,000 auto-recharges of $0.01"
        in result.stderr
    )
    assert "RECHARGES_TO_TRIGGER_MAX" in result.stderr


def test_duplicates_are_dropped_and_reported_in_the_text_and_the_json(tmp_path) -> None:
    leg = {"UsageId": "u-1", "Call ID": "call-1", "Call Type": "user_out", "Charge": "0.44"}
    other = {**leg, "UsageId": "u-2", "UPN": "raj@contoso.com"}
    path = write_teams(tmp_path / "t.csv", leg, other, leg)
    text = invoke("backtest", path)
    assert text.exit_code == 0, text.output
    assert "Duplicates: 1 row(s) repeat a billed leg (first on line 4); 1 dropped" in text.stdout
    out = json.loads(invoke("backtest", path, "--json").stdout)
    assert (out["rows"]["read"], out["rows"]["replayed"], out["consumed"]) == (3, 2, 0.88)
    assert (out["rows"]["duplicates"], out["rows"]["duplicates_dropped"]) == (1, 1)
    kept = json.loads(invoke("backtest", path, "--json", "--keep-duplicates").stdout)
    assert (kept["rows"]["duplicates"], kept["rows"]["duplicates_dropped"]) == (1, 0)
    assert (kept["rows"]["replayed"], kept["consumed"]) == (3, 1.32)
    billed = invoke("backtest", path, "--keep-duplicates").stdout
    assert "billed as written (--keep-duplicates)" in billed


def test_a_file_without_duplicates_prints_no_duplicates_line() -> None:
    result = invoke("backtest", WALKTHROUGH)
    assert result.exit_code == 0 and "Duplicates" not in result.stdout


@pytest.mark.parametrize(
    ("args", "limit"),
    [
        (["--trigger", "100000000000", "--amount", "0.01"], "RECHARGES_TO_TRIGGER_MAX"),
        (["--initial", "10000000000000"], "MONEY_MAX_MINOR"),
    ],
    ids=["runaway-chain", "initial-in-minor-units"],
)
def test_run_refuses_a_policy_beyond_the_limits_with_exit_2(args, limit) -> None:
    """Scenario runs go through the same checks (policy amounts, the recharge chain)."""
    result = invoke("run", TINY, "--replications", "1", "--workers", "1", *args)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and limit in errors[0], result.stderr
