"""numba's cache goes stale with any source the engine is compiled from (sim.engines.jit_cache)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from numba.core.registry import CPUDispatcher

from sim.engines import (
    fast_calendar,
    fast_loop,
    fast_many,
    fast_room,
    fast_search,
    fast_steps,
    fast_stretch,
    jit_cache,
    skip_layout,
    skip_stretch,
)
from tests.paths import ROOT

NUMBA_MODULES = (
    fast_calendar, fast_loop, fast_many, fast_room, fast_search, fast_steps, fast_stretch,
    skip_layout, skip_stretch,
)  # fmt: skip


def test_every_cached_engine_function_carries_the_sources_digest() -> None:
    assert {Path(module.__file__ or "") for module in NUMBA_MODULES} == set(
        jit_cache.numba_modules()
    )
    dispatchers = [
        value
        for module in NUMBA_MODULES
        for value in vars(module).values()
        if isinstance(value, CPUDispatcher) and value.__module__ == module.__name__
    ]
    assert len(dispatchers) >= 30 and fast_loop.run_policy in dispatchers
    assert fast_many.run_policies in dispatchers and fast_loop.run_loop in dispatchers
    for dispatcher in dispatchers:
        locator = dispatcher._cache._impl.locator
        assert type(locator).__name__.startswith("EngineSources"), dispatcher
        own, digest = locator.get_source_stamp()
        assert digest == jit_cache.sources_digest() and own  # numba's own stamp is kept


def test_the_sources_are_what_the_loop_inlines_and_the_constants_it_freezes() -> None:
    names = {path.relative_to(jit_cache.SIM_DIR).as_posix() for path in jit_cache.engine_sources()}
    inlined = {"engines/fast_steps.py", "engines/fast_stretch.py", "engines/skip_stretch.py"}
    frozen = {"limits.py", "account/clock.py", "engines/fast_layout.py", "engines/skip_layout.py"}
    assert inlined | frozen | {"engines/fast_loop.py", "engines/fast_calendar.py"} <= names
    assert not names & {"engines/batch.py", "engines/fast.py", "study/sweep.py", "cli/run.py"}


def _copy_of_sim(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_an_edit_to_any_source_changes_the_digest_and_no_other_edit_does(tmp_path: Path) -> None:
    sim_dir = _copy_of_sim(tmp_path) / "sim"
    before = jit_cache.sources_digest(sim_dir)
    for name in ("engines/skip_stretch.py", "limits.py", "account/clock.py", "study/sweep.py"):
        path = sim_dir / name
        original = path.read_text(encoding="utf-8")
        path.write_text(original + "# an edit\n", encoding="utf-8")
        jit_cache.sources_digest.cache_clear()
        changed = jit_cache.sources_digest(sim_dir) != before
        assert changed == (name != "study/sweep.py"), name
        path.write_text(original, encoding="utf-8")
    jit_cache.sources_digest.cache_clear()


def test_a_constant_edited_in_another_module_is_compiled_again_not_loaded_stale(
    tmp_path: Path,
) -> None:
    """The bug it prevents: ``add_months_us`` freezes ``clock.MICROS_PER_DAY``; numba alone
    keys its cache on fast_calendar.py, so after an edit to clock.py it loaded the old code."""
    root = _copy_of_sim(tmp_path)
    code = "from sim.engines.fast_calendar import add_months_us; print(add_months_us(0, 1))"

    def run() -> int:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
        )
        return int(done.stdout)

    day_us = 86_400_000_000
    assert run() == 31 * day_us  # 1970-01-01 plus one month
    assert list((root / "sim" / "engines" / "__pycache__").glob("fast_calendar*.nbi"))  # cached
    clock = root / "sim" / "account" / "clock.py"
    text = clock.read_text(encoding="utf-8")
    assert "MICROS_PER_DAY = 24 * MICROS_PER_HOUR" in text
    clock.write_text(text.replace("= 24 * MICROS_PER_HOUR", "= 12 * MICROS_PER_HOUR"), "utf-8")
    assert run() == 31 * day_us // 2  # compiled again with the new constant
