"""``sim.world.bundled``: where the shipped scenarios and examples are, by layout and by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.errors import InputError
from sim.world import bundled
from tests.paths import EXAMPLES, ROOT, SCENARIOS


def test_a_checkout_reads_the_top_level_folders_themselves() -> None:
    assert bundled.scenarios_folder() == SCENARIOS
    assert bundled.examples_folder() == EXAMPLES


def test_every_scenario_file_has_a_name_top_level_first() -> None:
    named = bundled.scenarios()
    assert sorted(named.values()) == sorted(SCENARIOS.rglob("*.toml"))
    assert named["midsize"] == SCENARIOS / "midsize.toml"
    assert named["checks/rate-card"] == SCENARIOS / "checks" / "rate-card.toml"
    names = list(named)
    assert names.index("small-team") < names.index("checks/business-hours-tokyo")
    assert not any(name.startswith(("rates", "baselines")) for name in names)


def test_examples_are_the_call_files_only() -> None:
    assert bundled.examples() == {path.stem: path for path in EXAMPLES.glob("*.csv")}
    assert {"calls", "walkthrough", "teams-pstn-report"} <= set(bundled.examples())


def test_a_name_resolves_with_or_without_its_suffix() -> None:
    assert (
        bundled.scenario("midsize")
        == bundled.scenario("midsize.toml")
        == SCENARIOS / "midsize.toml"
    )
    assert bundled.example("walkthrough.csv") == EXAMPLES / "walkthrough.csv"


def test_an_unknown_name_lists_the_bundled_ones() -> None:
    with pytest.raises(InputError) as raised:
        bundled.scenario("midsise")
    message = str(raised.value)
    assert message.startswith("midsise: no such file, and no bundled scenario of that name (")
    assert "card-expiry, enterprise, germany, midsize, small-team, checks/" in message


@pytest.fixture
def fake_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``resources.files("sim")`` answers a package folder under ``tmp_path`` (no files yet)."""
    package = tmp_path / "site-packages" / "sim"
    package.mkdir(parents=True)
    monkeypatch.setattr(bundled.resources, "files", lambda name: package)
    return package


def test_a_wheel_reads_its_packaged_copy(fake_install: Path) -> None:
    copy = fake_install / bundled.PACKAGED / "scenarios"
    shutil.copytree(SCENARIOS, copy)
    assert bundled.scenarios_folder() == copy
    assert bundled.scenario("checks/poisson-manual") == copy / "checks" / "poisson-manual.toml"


def test_the_packaged_copy_wins_over_a_stray_top_level_folder(fake_install: Path) -> None:
    (fake_install.parent / "examples").mkdir()  # e.g. another distribution's folder
    (fake_install.parent / "pyproject.toml").write_text("")
    copy = fake_install / bundled.PACKAGED / "examples"
    copy.mkdir(parents=True)
    assert bundled.examples_folder() == copy


def test_a_folder_next_to_the_package_is_not_a_checkout_without_pyproject(
    fake_install: Path,
) -> None:
    (fake_install.parent / "scenarios").mkdir()
    with pytest.raises(InputError, match=r"the bundled scenarios are missing.*reinstall credsim"):
        bundled.scenarios_folder()


def test_shown_is_relative_below_the_working_directory_else_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert bundled.shown(SCENARIOS / "midsize.toml") == Path("scenarios/midsize.toml")
    monkeypatch.chdir(tmp_path)
    assert bundled.shown(SCENARIOS / "midsize.toml") == SCENARIOS / "midsize.toml"
