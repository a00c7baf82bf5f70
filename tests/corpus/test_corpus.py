"""Every command of the CLI against a corpus of broken inputs: one line, exit 2, bounded.

Each case (``tests/corpus/cases_*.py``) runs in a forked child with a time and
memory limit (``tests/corpus/harness.py``). A case that fails on main today is
a strict xfail naming the item of issue 11 that fixes it: when the fix lands
the case passes, the strict marker fails, and the marker must be removed.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from sim.cli.commands import main
from tests.corpus import (
    cases_opening,
    cases_options,
    cases_scenario,
    cases_store,
    cases_usage,
    cases_world,
)
from tests.corpus.harness import Case, prepare, problems, run, run_process
from tests.corpus.inputs import SCENARIO, tiny, tiny_baseline, tiny_sweep, with_table

CASES: list[Case] = [
    *cases_scenario.CASES,
    *cases_world.CASES,
    *cases_usage.CASES,
    *cases_options.CASES,
    *cases_store.CASES,
    *cases_opening.CASES,
]


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """Compile (or load) the engines and make the shared sweep and baseline in this process.

    Forked cases inherit them, so a case that runs replications takes a fraction
    of a second instead of loading the compiled engine again.
    """
    tiny_sweep()
    tiny_baseline()
    for name in list(main.commands):  # each command's module, imported on first use
        main.commands[name]
    for module in LOADED_BY_COMMANDS:
        importlib.import_module(module)


LOADED_BY_COMMANDS = (
    "sim.calls.records",
    "sim.study.backtest",
    "sim.study.calibration",
    "sim.study.plan_grid",
    "sim.study.regress",
    "sim.study.sensitivity",
    "sim.views.report",
    "sim.views.report_render",
    "sim.views.summary",
)
"""What the commands import in their bodies (the CLI's modules import only click and light
parts of sim, for start-up): imported here once, with every command's own module (the
group imports each on first use, ``sim.cli.lazy``), so that a case's CPU limit is spent
on its input."""


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.fails)] if case.fails else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_a_broken_input_is_refused_in_one_line_within_its_limits(
    case: Case, tmp_path: Path
) -> None:
    prepare(case, tmp_path)
    outcome = run(case, tmp_path)
    assert problems(case, outcome, tmp_path) == [], (
        outcome.stderr[-2000:],
        outcome.traceback[-2000:],
    )


PROCESS_CASES = [
    Case(
        "process-toml-syntax",
        ("validate", SCENARIO),
        tiny(("amount = 100", "amount =")),
        names="s.toml:",
    ),
    Case(
        "process-initial-1e30",
        ("backtest", "walkthrough", "--initial", "1e30"),
        names="--initial",
    ),
    Case(
        "process-table-dev-zero",
        ("validate", SCENARIO),
        with_table("/dev/zero"),
        names="rates.table",
    ),
]
"""A handful through ``python -m sim``: what a shell sees, entry point and all."""


@pytest.mark.parametrize("case", [_param(case) for case in PROCESS_CASES])
def test_the_real_command_line_prints_one_line_too(case: Case, tmp_path: Path) -> None:
    prepare(case, tmp_path)
    outcome = run_process(case, tmp_path)
    assert problems(case, outcome, tmp_path) == [], outcome.stderr[-2000:]


def test_the_corpus_covers_every_command_with_150_cases() -> None:
    commands = {case.args[0] for case in CASES}
    assert len(CASES) >= 150
    assert set(main.commands) <= commands
    assert len({case.id for case in [*CASES, *PROCESS_CASES]}) == len(CASES) + len(PROCESS_CASES)
