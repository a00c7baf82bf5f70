"""The admin portal's limits on the command line: warnings by default, exit 2 with --strict."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from sim.cli.commands import main
from tests.paths import CHECKS, SCENARIOS, WALKTHROUGH

SMALL = SCENARIOS / "small-team.toml"  # its [regression] has T20/A40/I40 besides its own
TOKYO = CHECKS / "business-hours-tokyo.toml"  # JPY, auto-recharge off
WARNING = "credsim: warning: "
STRICT = "; --strict refuses what the portal would"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_validate_checks_the_scenarios_policy_and_its_regression_policies() -> None:
    result = invoke("validate", SMALL)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK: {SMALL}")
    whose = "[regression] policy T20/A40/I40: "
    assert result.stderr.splitlines() == [
        f"{WARNING}{whose}trigger 20 is below the admin portal's minimum of 50 USD; "
        "the portal would refuse it",
        f"{WARNING}{whose}amount 40 is below the admin portal's minimum of 50 USD; "
        "the portal would refuse it",
        f"{WARNING}{whose}initial balance 40 is below the admin portal's minimum of 50 USD; "
        "the portal would refuse it",
    ]
    strict = invoke("validate", SMALL, "--strict")
    assert strict.exit_code == 2 and strict.stdout == ""
    assert strict.stderr == (
        f"credsim: error: {whose}trigger 20 is below the admin portal's minimum of 50 USD; "
        f"the portal would refuse it (and 2 more){STRICT}\n"
    )


def test_validate_applies_jpys_own_rule(tmp_path: Path) -> None:
    assert invoke("validate", TOKYO, "--strict").exit_code == 0  # 300,000 JPY, no auto-recharge
    auto = tmp_path / "tokyo-auto.toml"
    text = TOKYO.read_text(encoding="utf-8")
    auto.write_text(
        text.replace("auto_recharge = false", "trigger = 400\namount = 10000"), encoding="utf-8"
    )
    result = invoke("validate", auto)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{WARNING}trigger 400 is below the admin portal's minimum of 5,000 JPY (assumed: no "
        "figure published for JPY); the portal would refuse it\n"
    )


def test_run_warns_once_per_finding_and_strict_refuses_before_running() -> None:
    args = ("run", SMALL, "--replications", "2", "--json")
    result = invoke(*args, "--trigger", "50.5", "--amount", "20")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [  # then the progress lines
        f"{WARNING}trigger 50.5 is not a whole amount: the admin portal takes whole USD "
        "amounts; the portal would refuse it",
        f"{WARNING}amount 20 is below the admin portal's minimum of 50 USD; "
        "the portal would refuse it",
    ]
    strict = invoke(*args, "--trigger", "50.5", "--amount", "20", "--strict")
    assert strict.exit_code == 2 and strict.stdout == ""
    assert strict.stderr.startswith("credsim: error: trigger 50.5 is not a whole amount")
    assert strict.stderr.endswith(f"(and 1 more){STRICT}\n")
    fine = invoke(*args, "--trigger", "50", "--amount", "50", "--strict")
    assert fine.exit_code == 0 and WARNING not in fine.stderr


def test_backtest_checks_every_purchase_and_strict_refuses() -> None:
    args = ("backtest", WALKTHROUGH, "--trigger", "50", "--amount", "100", "--json")
    result = invoke(*args, "--initial", "1000.5", "--monthly-topup", "10")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{WARNING}initial balance 1000.5 is not a whole amount: the admin portal takes whole "
        "USD amounts; the portal would refuse it",
        f"{WARNING}monthly top-up 10 is below the admin portal's minimum of 50 USD; "
        "the portal would refuse it",
    ]
    strict = invoke(*args, "--manual-topup", "25", "--strict")
    assert strict.exit_code == 2 and strict.stdout == ""
    assert strict.stderr == (
        "credsim: error: manual top-up 25 is below the admin portal's minimum of 50 USD; "
        f"the portal would refuse it{STRICT}\n"
    )
    assert invoke(*args, "--strict").exit_code == 0


def test_report_checks_its_grid_and_strict_refuses_before_computing(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = invoke("report", SMALL, "-o", out, "--triggers", "10,20", "--strict")
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr == (
        "credsim: error: triggers 10, 20 are below the admin portal's minimum of 50 USD; "
        f"the portal would refuse them{STRICT}\n"
    )
