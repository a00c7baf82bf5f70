"""Fixtures shared by the tests in every folder.

Loaded scenarios are immutable (frozen pydantic models, a read-only rate
table), so one copy per test session serves every test that only reads them.
Plain helpers that tests import (instants, running a hypothesis case on an
engine) are in ``tests/strategies.py``; the repository's paths in
``tests/paths.py``.
"""

from __future__ import annotations

import pytest

from sim.world.load import LoadedScenario, load_scenario
from tests.paths import SCENARIOS, TINY


@pytest.fixture(scope="session")
def tiny() -> LoadedScenario:
    """``tests/fixtures/sweep-tiny.toml``: three months, a few users (quick sweeps)."""
    return load_scenario(TINY)


@pytest.fixture(scope="session")
def midsize() -> LoadedScenario:
    """The bundled ``midsize`` scenario (1,000 users, 24 months)."""
    return load_scenario(SCENARIOS / "midsize.toml")
