"""Where the repository's data lives, for tests in any folder under ``tests/``."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
CHECKS = SCENARIOS / "checks"
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"
TINY = FIXTURES / "sweep-tiny.toml"
WALKTHROUGH = EXAMPLES / "walkthrough.csv"
