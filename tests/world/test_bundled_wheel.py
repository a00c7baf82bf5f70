"""The wheel carries every bundled file: build one from a copy of the checkout and list it.

This is what fails when someone adds a scenario subfolder (or a new kind of
file under ``scenarios/``) that the build hook in setup.py would not copy, or
moves the dashboard page or the report templates out of the package. The wheel
is built with the backend the test extra installs (``setuptools>=77``, the
``[build-system]`` requirement), without pip's isolated build environment: 2 s
instead of 8-20 s to install setuptools into a fresh one each time. The wheel
a user gets is built in isolation by the CI's wheel step (``.ci/run``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sim.world.bundled import PACKAGED
from tests.paths import EXAMPLES, ROOT, SCENARIOS

NOT_SOURCE = (".git", "build", "dist", "*.egg-info", "__pycache__", ".*cache", "test-artifacts")


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every file name in a wheel built from a copy of this checkout (as a clean clone has it)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "credsim"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    command += [str(source), "-w", "dist"]
    subprocess.run(command, cwd=work, check=True, capture_output=True)
    (wheel,) = (work / "dist").glob("credsim-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def files_below(folder: Path, pattern: str = "**/*") -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }


def packaged(names: set[str], folder: str) -> set[str]:
    prefix = f"sim/{PACKAGED}/{folder}/"
    return {name.removeprefix(prefix) for name in names if name.startswith(prefix)}


def test_every_file_under_scenarios_is_in_the_wheel(wheel_names: set[str]) -> None:
    expected = files_below(SCENARIOS)
    assert {"midsize.toml", "rates/sample-usd.csv", "baselines/midsize.json"} <= expected
    assert {"germany.toml", "rates/sample-eur.csv", "baselines/germany.json"} <= expected
    assert packaged(wheel_names, "scenarios") == expected


def test_the_example_call_files_are_in_the_wheel(wheel_names: set[str]) -> None:
    assert packaged(wheel_names, "examples") == files_below(EXAMPLES, "*.csv")


def test_the_dashboard_page_and_report_templates_are_package_files(wheel_names: set[str]) -> None:
    sim = ROOT / "sim"
    templates = {f"sim/views/templates/{name}" for name in files_below(sim / "views" / "templates")}
    assert templates
    assert {"sim/dashboard/app.py", "sim/py.typed", *templates} <= wheel_names
    modules = {f"sim/{name}" for name in files_below(sim, "**/*.py")}
    assert modules <= wheel_names
