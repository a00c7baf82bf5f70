"""Fixtures shared by the tests in every folder.

Loaded scenarios are immutable (frozen pydantic models, a read-only rate
table), so one copy per test session serves every test that only reads them.
Plain helpers that tests import (instants, running a hypothesis case on an
engine) are in ``tests/strategies.py``; the repository's paths in
``tests/paths.py``.

Before xdist starts its workers, the controller compiles the engines once
(``pytest_configure``): with an empty numba cache (a fresh clone), every
process that runs an engine (both workers, the dashboard server of the browser
tests, each ``python -m sim`` a test starts) compiled the same code at the
same time, some 33 s each; then they all load it from the cache.

The browser tests run first (``pytest_collection_modifyitems``): xdist's
``worksteal`` hands each worker a contiguous half of the collected tests and
steals from the end of a queue, so tests at the front stay with the first
worker. All of them then share one Streamlit server, one Chromium and one
demand bank, and the longest tests start while the other worker still has
work, instead of one of them ending the run with the other core idle.
"""

from __future__ import annotations

import pytest

from sim.world.load import LoadedScenario, load_scenario
from tests.paths import SCENARIOS, TINY


def pytest_configure(config: pytest.Config) -> None:
    """In xdist's controller only: fill numba's cache before any worker starts."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return  # a worker, or ``-n 0``: the first test that needs the engine compiles it
    from sim.engines.batch import DEFAULT_ENGINE  # noqa: PLC0415  (numba, only here)
    from sim.study.experiment import scenario_levers  # noqa: PLC0415
    from sim.study.runner import run_replications  # noqa: PLC0415

    loaded = load_scenario(TINY)
    levers = [scenario_levers(loaded.scenario)]
    run_replications(loaded, levers, replications=1, seed=1, engine=DEFAULT_ENGINE)


FIRST = ("tests/e2e/",)
"""Test folders run before the rest, in their collected order (see the module's docstring)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests under ``FIRST`` to the front; each file's tests stay together and in order
    (a module's fixtures are set up once)."""
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))


@pytest.fixture(scope="session")
def tiny() -> LoadedScenario:
    """``tests/fixtures/sweep-tiny.toml``: three months, a few users (quick sweeps)."""
    return load_scenario(TINY)


@pytest.fixture(scope="session")
def midsize() -> LoadedScenario:
    """The bundled ``midsize`` scenario (1,000 users, 24 months)."""
    return load_scenario(SCENARIOS / "midsize.toml")
