"""Every command of the CLI against a corpus of broken inputs: one line, exit 2, bounded.

Each case (``tests/corpus/cases_*.py``) runs in a forked child with a time and
memory limit (``tests/corpus/harness.py``). A case that fails on main today is
a strict xfail naming the item of issue 11 that fixes it: when the fix lands
the case passes, the strict marker fails, and the marker must be removed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import cases_scenario, cases_usage, cases_world
from tests.corpus.harness import Case, prepare, problems, run

CASES: list[Case] = [*cases_scenario.CASES, *cases_world.CASES, *cases_usage.CASES]


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.fails)] if case.fails else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_a_broken_input_is_refused_in_one_line_within_its_limits(
    case: Case, tmp_path: Path
) -> None:
    prepare(case, tmp_path)
    outcome = run(case, tmp_path)
    assert problems(case, outcome) == [], (outcome.stderr[-2000:], outcome.traceback[-2000:])
