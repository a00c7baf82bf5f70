"""Scenario and example FILE arguments also take a bundled file's name; a real file wins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli.commands import main
from sim.world import bundled
from tests.paths import CHECKS, ROOT, SCENARIOS, WALKTHROUGH


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_a_name_reads_exactly_like_its_path_from_the_repository_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    by_name = invoke("validate", "checks/rate-card")
    by_path = invoke("validate", "scenarios/checks/rate-card.toml")
    assert by_name.exit_code == by_path.exit_code == 0, by_name.stderr
    assert by_name.stdout == by_path.stdout
    assert by_name.stdout.startswith("OK: scenarios/checks/rate-card.toml: scenario 'rate-card'")


def test_from_another_folder_a_name_is_shown_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("demand", "checks/poisson-manual.toml", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"calls"' in result.stdout
    assert invoke("validate", "midsize").stdout.startswith(f"OK: {SCENARIOS / 'midsize.toml'}")


def test_a_file_of_that_name_wins_over_the_bundled_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copyfile(CHECKS / "poisson-manual.toml", tmp_path / "midsize")
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "midsize")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK: midsize: scenario 'poisson-manual'")


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "midsise"),
        ("demand", "midsise"),
        ("run", "midsise"),
        ("sweep", "midsise", "--triggers", "100", "--amounts", "200", "--out", "x"),
        ("report", "midsise", "-o", "x.html"),
    ],
)
def test_an_unknown_name_is_one_line_listing_the_bundled_ones(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    names = ", ".join(bundled.scenarios())
    expected = (
        f"credsim: error: midsise: no such file, and no bundled scenario of that name ({names})"
    )
    assert result.stderr == expected + "\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_backtest_takes_a_bundled_example_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ("--trigger", "50", "--amount", "100", "--initial", "100")
    by_name = invoke("backtest", "walkthrough", *args)
    by_path = invoke("backtest", WALKTHROUGH.relative_to(ROOT), *args)
    assert by_name.exit_code == by_path.exit_code == 0, by_name.stderr
    assert by_name.stdout == by_path.stdout
    unknown = invoke("backtest", "nosuch.csv")
    assert unknown.exit_code == 2
    names = "calls, teams-pstn-report, tenant-usage, walkthrough"
    assert f"no bundled example of that name ({names})" in unknown.stderr


def test_regress_defaults_to_the_bundled_scenarios(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bundle" / "scenarios"
    folder.mkdir(parents=True)
    text = (CHECKS / "poisson-manual.toml").read_text(encoding="utf-8")
    (folder / "poisson.toml").write_text(text + "\n[regression]\nreplications = 3\nseed = 1\n")
    monkeypatch.setattr(bundled, "scenarios_folder", lambda: folder)
    monkeypatch.chdir(tmp_path)
    updated = invoke("regress", "--update", "--reason", "first")
    assert updated.exit_code == 0, updated.stderr
    assert (folder / "baselines" / "poisson-manual.json").is_file()
    assert "Updated 1 baseline(s) in bundle/scenarios/baselines: first" in updated.stdout
    again = invoke("regress")
    assert again.exit_code == 0, again.stderr
    assert "No drift in 1 scenario(s)." in again.stdout


def test_the_bundled_tenant_export_backtests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke("backtest", "examples/tenant-usage.csv", "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["rows"]["format"] == "teams" and found["currency"] == "USD"
    assert found["rows"]["read"] == found["rows"]["replayed"] == found["calls"] > 8_000
    assert found["start"].startswith("2025-10-01") and found["end"].startswith("2026-11-30")
    assert 14 * 300 < found["consumed"] < 14 * 600  # hundreds of dollars a month
