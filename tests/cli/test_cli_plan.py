"""``credsim plan``: the bundled 14-month export and a balance in, a decision document out."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli.commands import main
from sim.cli.plan import OUTPUTS
from sim.world.load import load_scenario
from tests.paths import EXAMPLES

EXPORT = EXAMPLES / "tenant-usage.csv"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """One plan of the bundled export (few replications, one month held out, no widening).

    One worker: the checks below read the files and the report, not the pool (whose results
    equal one worker's: ``tests/cli/test_cli_scenario.py``), and a pool's start-up cost more
    than its work here.
    """
    out = tmp_path_factory.mktemp("plan") / "out"
    result = invoke(
        "plan", EXPORT, "--balance", "800", "-o", out, "--replications", "6", "--workers", "1",
        "--holdout-months", "1", "--timezone", "America/New_York", "--country", "US",
        "--no-widen", "--quiet",
    )  # fmt: skip
    return out, result


def test_plan_writes_the_scenario_the_calibration_the_summary_and_the_report(
    planned: tuple[Path, Result],
) -> None:
    out, result = planned
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == sorted(OUTPUTS)
    summary = json.loads((out / "summary.json").read_text())
    verdict = summary["recommendation"]["verdict"]
    assert result.stdout.splitlines()[0] == verdict  # the verdict first, as sweep and report
    assert "Grid from the fitted spend of" in result.stdout
    loaded = load_scenario(out / "tenant.toml")  # the fitted scenario validates
    assert loaded.scenario.opening is not None
    assert [lot.remaining for lot in loaded.scenario.opening.lots] == [800]


def test_the_report_shows_the_holdout_figures_and_how_to_reproduce_it(
    planned: tuple[Path, Result],
) -> None:
    out, _ = planned
    html = (out / "report.html").read_text(encoding="utf-8")
    calibration = json.loads((out / "calibration.json").read_text())
    holdout = calibration["holdout"]
    assert 'id="calibration"' in html and 'id="fig-holdout"' in html
    months = len(holdout["months"])
    assert f"{holdout['months_inside']} of {months} month(s) inside the 90 % band" in html
    assert f"{holdout['total_error_pct']:+.1f} % off the actual" in html
    assert "credsim plan" in html and "--balance 800" in html


def test_a_usage_file_that_cannot_be_fitted_is_one_line_and_exit_2(tmp_path: Path) -> None:
    header = EXPORT.read_text(encoding="utf-8-sig").splitlines()[:3]
    one_day = tmp_path / "one-day.csv"
    one_day.write_text("\n".join(header) + "\n", encoding="utf-8")
    result = invoke("plan", one_day, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "one-day.csv" in result.stderr and "Traceback" not in result.output


def test_a_fit_with_nothing_to_plan_for_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sim.study.plan_grid.fitted_spend_per_day", lambda loaded, seed: Decimal(0))
    result = invoke("plan", EXPORT, "-o", tmp_path / "out", "--holdout-months", "0")
    assert result.exit_code == 2, result.output
    assert "no credit-billed spend to plan recharges for" in result.stderr
    assert "Traceback" not in result.output
