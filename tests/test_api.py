"""The public namespace: ``from sim import ...`` gives what a notebook needs, and only that.

Adding or removing a public name is a decision, so the list is spelled out
here. Names are imported on first use: ``import sim`` must not pull in the
heavy libraries (the command line starts on it).
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys

import pytest

import sim
from tests.paths import ROOT

PUBLIC = sorted(
    [
        "AutoRecharge",
        "Backtest",
        "CallStream",
        "CardExpiry",
        "DaskExecutor",
        "Estimate",
        "Grid",
        "KPIS",
        "LoadedScenario",
        "Levers",
        "LocalExecutor",
        "ManualTopUp",
        "Outcome",
        "Payments",
        "Policy",
        "PolicyRuns",
        "Recording",
        "RunResults",
        "RunSpec",
        "Scenario",
        "ScheduledTopUp",
        "SweepPlan",
        "SweepResult",
        "SweepSummary",
        "__version__",
        "balance_bands",
        "build_payments",
        "build_policy",
        "bundled_scenario",
        "charts",
        "comparison_table",
        "evaluate",
        "generate_demand",
        "kpi",
        "load_scenario",
        "run_replications",
        "run_spec",
        "run_sweep",
        "scenario_levers",
        "traced_run",
        "with_overrides",
    ]
)
HEAVY = ("numpy", "pandas", "scipy", "plotly", "numba", "simpy", "streamlit", "pydantic")


def test_the_namespace_is_the_agreed_one() -> None:
    assert sorted(sim.__all__) == PUBLIC
    assert sorted([*sim._HOMES, "__version__"]) == PUBLIC


@pytest.mark.parametrize("name", [name for name in PUBLIC if name != "__version__"])
def test_each_name_is_the_object_of_its_home(name: str) -> None:
    module_name, _, attribute = sim._HOMES[name].partition(":")
    home = importlib.import_module(module_name)
    expected = getattr(home, attribute) if attribute else home
    assert getattr(sim, name) is expected
    assert name in dir(sim)


def test_type_checkers_see_every_name() -> None:
    """The ``if TYPE_CHECKING:`` imports name exactly the public names."""
    tree = ast.parse((ROOT / "sim" / "__init__.py").read_text(encoding="utf-8"))
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    seen = {
        (f"{node.module}.{alias.name}", alias.asname or alias.name)
        for node in ast.walk(guarded)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    homes = {(home.replace(":", ".").rstrip("."), name) for name, home in sim._HOMES.items()}
    assert seen == homes


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'simulate'"):
        _ = sim.simulate  # type: ignore[attr-defined]


def test_importing_sim_loads_no_heavy_library() -> None:
    code = f"import sys, sim; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
