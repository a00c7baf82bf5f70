"""Start-up: the command line imports heavy libraries only in the commands that use them.

Why a guard: one module-level import of ``sim.study.stats`` or ``sim.views.report``
anywhere under ``sim.cli`` brings scipy, pandas and plotly back into every
``credsim --help`` and ``credsim validate`` (1.5 s before issue 15; the figures are in
docs/performance.md#start-up). Each check runs in a fresh interpreter, so what the
test process itself imported does not count.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import ROOT, TINY

HEAVY = ("scipy", "pandas", "plotly", "numba", "streamlit", "pyarrow", "dask")
"""Never imported by the command line's modules, nor by ``--help``."""
NOT_FOR_VALIDATE = (*HEAVY, "simpy", "numpy")
"""Never imported by ``credsim validate`` of a scenario without an ``hour_of_week`` profile: it
needs the schema (pydantic); the workload estimate's numpy only near the limits
(``sim.world.workload.check_fits``)."""
EVERY_COMMAND = (
    "backtest",
    "calibrate",
    "dashboard",
    "demand",
    "fetch",
    "plan",
    "regress",
    "report",
    "run",
    "sweep",
    "validate",
)


def loaded_after(code: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after running ``code`` in a new interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.splitlines()[-1].split())


@pytest.mark.parametrize("module", ["sim.cli", "sim.cli.commands"])
def test_importing_the_command_line_loads_no_heavy_library(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    assert "sim" in loaded  # the probe does see what was imported
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("args", [["--help"], ["sweep", "--help"], ["run", "--help"]])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    code = (
        "from sim.cli.commands import main\n"
        f"try:\n    main({args!r}, prog_name='credsim')\nexcept SystemExit:\n    pass"
    )
    unwanted = {*HEAVY, "numpy", "pydantic"} & loaded_after(code)
    assert not unwanted, sorted(unwanted)


@pytest.mark.parametrize("scenario", [str(TINY), "small-team", "midsize"])
def test_validate_loads_the_schema_but_no_numpy_statistics_or_engine(scenario: str) -> None:
    code = (
        "from sim.cli.commands import main\n"
        f"try:\n    main(['validate', {scenario!r}], prog_name='credsim')\n"
        "except SystemExit as end:\n    assert end.code == 0, end.code"
    )
    loaded = loaded_after(code)
    assert "pydantic" in loaded  # it did validate
    assert not loaded & set(NOT_FOR_VALIDATE), sorted(loaded & set(NOT_FOR_VALIDATE))


def test_validate_runs_without_the_collector_and_skips_its_last_pass() -> None:
    """``sim.cli.heap``: no collection while validate runs, the collector on again after it,
    and everything frozen by the exit handler (the interpreter's last pass skips it)."""
    code = (
        "import atexit, gc\n"
        "passes = []\n"
        "gc.callbacks.append(lambda phase, info: passes.append(phase))\n"
        "from sim.cli.commands import main\n"
        "before = passes.count('start')\n"
        f"try:\n    main(['validate', {str(TINY)!r}], prog_name='credsim')\n"
        "except SystemExit as end:\n    assert end.code == 0, end.code\n"
        "during = passes.count('start') - before\n"
        "enabled = gc.isenabled()\n"
        "atexit._run_exitfuncs()\n"
        "print(during, enabled, gc.get_freeze_count() > 10_000)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    during, enabled, frozen = done.stdout.splitlines()[-1].split()
    assert int(during) < 10  # one or two as click reads the FILE argument; some 90 without
    assert (enabled, frozen) == ("True", "True")


def test_sniffing_a_scenario_file_loads_no_numpy() -> None:
    """Every scenario FILE argument is sniffed for a usage report (``sim.calls.sniff``): that
    must read the header line only, not load the usage reader's numpy (nor a zip's reader)."""
    code = (
        "from sim.calls.sniff import is_usage_file\n"
        f"assert not is_usage_file({str(TINY)!r})\n"
        f"assert is_usage_file({str(ROOT / 'examples' / 'calls.csv')!r})"
    )
    loaded = loaded_after(code)
    assert "sim" in loaded  # the probe does see what was imported
    assert "numpy" not in loaded, sorted(loaded)


def test_help_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    listed = done.stdout.split("Commands:", 1)[1].split()
    missing = [name for name in EVERY_COMMAND if name not in listed]
    assert not missing, done.stdout


def test_version_is_still_shown() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith("credsim, version "), done.stdout
