"""``credsim sweep`` as a planner sees it: the printout, progress, warnings and usage errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli.commands import main
from sim.cli.progress import status_line
from sim.engines.batch import DEFAULT_ENGINE
from tests.paths import TINY

PORTAL = "credsim: warning: trigger 0 is below the admin portal's minimum of 50 USD"


def sweep(out: Path, *extra: str) -> Result:
    args = ["sweep", str(TINY), "--triggers", "0,50", "--amounts", "100", "--replications", "10",
            "--workers", "1", "--out", str(out), *extra]  # fmt: skip
    return CliRunner().invoke(main, args)


def test_progress_goes_to_stderr_with_an_eta_and_stdout_has_the_choice(tmp_path: Path) -> None:
    result = sweep(tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(PORTAL)
    assert "policy grid: 10 replications to compute" in lines
    assert any(line.startswith("policy grid: 5/10 replications (50 %)") and "ETA" in line
               for line in lines)  # fmt: skip
    assert any(line.startswith("policy grid: 10/10 replications (100 %)") for line in lines)
    assert "rule of thumb: 10 replications to compute" in lines
    assert "wider grid 1: 10 replications to compute" in lines  # T50 was the highest trigger
    out = result.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    verdict = summary["recommendation"]["verdict"]
    assert verdict.startswith("Set trigger $")
    assert out.startswith(  # the verdict first, word for word as summary.json has it
        f"{verdict}\n\n"
        "Grid widened once: triggers 0-50 -> 0-150 (the optimum sat at the highest trigger); "
        "the optimum now lies inside the grid.\n\n"
        f"Sweep of sweep-tiny: 4 policies x 10 replications, seed 1, engine {DEFAULT_ENGINE}"
    )
    guess = summary["first_guess"]
    assert (
        f"First guess from the formulas (not simulated; docs/model.md#recommendation): "
        f"trigger ${guess['trigger']}.00, amount ${guess['amount']}.00, beside the simulated "
        f"optimum {summary['recommendation']['label']}." in out
    )
    assert re.search(r"\nRecommended: T(50|100)/A100/I100: \$", out)
    assert "\nThe documented example: T400/A1000/I1000: $" in out
    assert re.search(r"\nThe rule of thumb: T\d+/A\d+/I\d+: \$", out)
    assert "Pareto frontier" in out
    assert f"Wrote {tmp_path / 'out' / 'manifest.json'}, " in out
    assert PORTAL not in out and "warning" not in out


def test_quiet_silences_progress_but_not_warnings(tmp_path: Path) -> None:
    result = sweep(tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{PORTAL}; the portal would refuse it",
    ]


def test_a_rule_of_thumb_under_the_portal_minimum_is_warned_about(tmp_path: Path) -> None:
    cheap = tmp_path / "cheap.toml"
    text = TINY.read_text(encoding="utf-8").replace("rate_per_min = 0.25", "rate_per_min = 0.01")
    cheap.write_text(text, encoding="utf-8")
    args = ["sweep", str(cheap), "--triggers", "50", "--amounts", "50", "--replications", "3",
            "--out", str(tmp_path / "out"), "--quiet",
            "--strict"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output  # a reference is warned about, even --strict
    # 4 calls x 10.5 min x 0.01 USD a day: ~12.80 USD a month, ~3 USD a week
    lines = result.stderr.splitlines()
    trigger = r"the rule of thumb's trigger \d is below the admin portal's minimum of 50 USD"
    assert re.fullmatch(f"credsim: warning: {trigger}; the portal would refuse it", lines[0])
    assert re.match(r"credsim: warning: the rule of thumb's amount 1\d is below", lines[1])


def test_every_grid_value_is_checked_once_per_lever_and_rule(tmp_path: Path) -> None:
    args = ["sweep", str(TINY), "--triggers", "0,10,50.5", "--amounts", "20,30,100",
            "--initials", "0,10", "--replications", "2", "--workers", "1", "--no-widen",
            "--out", str(tmp_path / "out"), "--quiet"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:4] == [
        "credsim: warning: triggers 0, 10 are below the admin portal's minimum of 50 USD; "
        "the portal would refuse them",
        "credsim: warning: trigger 50.5 is not a whole amount: the admin portal takes whole USD "
        "amounts; the portal would refuse it",
        "credsim: warning: amounts 20, 30 are below the admin portal's minimum of 50 USD; "
        "the portal would refuse them",
        "credsim: warning: initial balance 10 is below the admin portal's minimum of 50 USD; "
        "the portal would refuse it",  # initial 0 buys nothing: no minimum
    ]


def test_strict_refuses_the_grid_before_anything_is_written(tmp_path: Path) -> None:
    result = sweep(tmp_path / "out", "--strict")
    assert result.exit_code == 2
    assert result.stderr == (
        "credsim: error: trigger 0 is below the admin portal's minimum of 50 USD; the portal "
        "would refuse it; --strict refuses what the portal would\n"
    )
    assert not (tmp_path / "out").exists()


def test_when_no_policy_qualifies_the_safest_is_shown_with_a_warning(tmp_path: Path) -> None:
    strict = tmp_path / "strict.toml"
    text = TINY.read_text(encoding="utf-8")
    strict.write_text(
        text.replace("max_outage_risk_per_year = 0.9", "max_outage_risk_per_year = 0.01"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["sweep", str(strict), "--triggers", "0,50", "--amounts", "100", "--replications", "5",
            "--out", str(out), "--quiet"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rec = summary["recommendation"]
    assert (rec["qualifies"], rec["qualifying_policies"], rec["label"]) == (
        False,
        0,
        "T50/A100/I100",
    )
    assert rec["reason"].startswith("No policy keeps its outage risk within 1.0 % a year")
    assert "run at least 381 replications" in rec["warning"]
    assert result.stdout.startswith(f"{rec['verdict']}\nWARNING: {rec['warning']}\n")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--resume", "--force"), "--resume and --force exclude each other"),
        (("--scheduler", "tcp://127.0.0.1:1"), "--workers is for local processes"),
        (("--engine", "warp"), "Invalid value for '--engine'"),
        (("--replications", "0"), "Invalid value for '--replications'"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, extra: tuple[str, ...], message: str) -> None:
    result = sweep(tmp_path / "out", *extra)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_out_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["sweep", str(TINY), "--triggers", "50", "--amounts", "1"])
    assert result.exit_code == 2
    assert "Missing option '--out'" in result.stderr


def test_status_lines_estimate_the_time_left_from_the_pace_so_far() -> None:
    assert (
        status_line("grid", 25, 100, 10.0)
        == "grid: 25/100 replications (25 %), 10.0 s, ETA 0:00:30"
    )
    assert status_line("grid", 1, 1000, 4.0) == (
        "grid: 1/1000 replications (0 %), 4.0 s, ETA 1:06:36"
    )
    assert status_line("grid", 100, 100, 40.0) == "grid: 100/100 replications (100 %), 40.0 s"
