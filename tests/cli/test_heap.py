"""A command's process does not collect what it loaded again (``sim.cli.heap``).

Why a guard: without ``gc.freeze`` the interpreter's exit walked every object numpy,
pandas, scipy and numba left behind, 0.35-0.55 s of issue 15's sweep, and each full
collection during the sweep walked them again (docs/performance.md#fixed-costs-of-a-sweep).
A timed test would fail on a busy machine's noise; these check that the heap is frozen
where the time was measured to go, and unfrozen for a caller in the same process.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import sim.study.sweep
import sim.world.load
from sim.cli import heap
from sim.cli.commands import main
from tests.paths import ROOT, TINY


def test_a_command_process_exits_with_what_it_loaded_frozen() -> None:
    """The probe's handler is registered first, so it runs last: after the command's."""
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
        "from sim.cli.commands import main\n"
        f"try:\n    main(['validate', {str(TINY)!r}], prog_name='credsim')\n"
        "except SystemExit as end:\n    assert end.code == 0, end.code\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    frozen = int(done.stdout.splitlines()[-1].removeprefix("frozen "))
    assert frozen > 20_000, frozen  # click, pydantic, numpy and the scenario's objects


def test_a_sweep_loads_with_the_collector_off_and_runs_with_its_libraries_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, tuple[bool, int]] = {}
    run_sweep, load_scenario = sim.study.sweep.run_sweep, sim.world.load.load_scenario

    def sweeping(*args: object, **kwargs: object) -> object:
        seen["run_sweep"] = gc.isenabled(), gc.get_freeze_count()
        return run_sweep(*args, **kwargs)  # type: ignore[arg-type]

    def loading(*args: object, **kwargs: object) -> object:
        seen["load_scenario"] = gc.isenabled(), gc.get_freeze_count()
        return load_scenario(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sim.study.sweep, "run_sweep", sweeping)
    monkeypatch.setattr(sim.world.load, "load_scenario", loading)
    args = ["sweep", str(TINY), "--triggers", "50", "--amounts", "100", "--replications", "2",
            "--workers", "1", "--no-widen", "--quiet", "--out", str(tmp_path / "out")]  # fmt: skip
    assert gc.isenabled() and gc.get_freeze_count() == 0
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert seen["load_scenario"] == (False, 0)  # loading: nothing collected, nothing frozen
    enabled, frozen = seen["run_sweep"]
    assert enabled and frozen > 20_000, seen  # pandas, numpy, the scenario: frozen
    assert gc.isenabled() and gc.get_freeze_count() == 0  # this process: as it was


def test_a_sweep_refused_on_bad_input_leaves_the_collector_on(tmp_path: Path) -> None:
    args = ["sweep", str(tmp_path / "missing.toml"), "--triggers", "50", "--amounts", "100",
            "--out", str(tmp_path / "out")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_frozen_leaves_a_heap_frozen_by_someone_else_frozen() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with heap.frozen():
            assert gc.get_freeze_count() >= before
        assert gc.get_freeze_count() >= before > 0
    finally:
        gc.unfreeze()


def test_frozen_turns_the_collector_on_and_puts_it_back_when_the_block_raises() -> None:
    gc.disable()
    try:
        with pytest.raises(RuntimeError), heap.frozen():
            assert gc.isenabled() and gc.get_freeze_count() > 0
            raise RuntimeError("stop")
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_collector_off_puts_the_collector_back_when_the_command_raises() -> None:
    @heap.collector_off
    def command() -> None:
        assert not gc.isenabled()
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        command()
    assert gc.isenabled()


def test_the_exit_freeze_is_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[object] = []
    monkeypatch.setattr(heap, "_exit_registered", False)
    monkeypatch.setattr(heap.atexit, "register", registered.append)
    heap.freeze_at_exit()
    heap.freeze_at_exit()
    assert registered == [gc.freeze]
