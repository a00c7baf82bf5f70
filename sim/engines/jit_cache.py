"""numba's on-disk cache, made stale by an edit to ANY source the compiled engine is built from.

numba keys a cached function on its own file alone. The engine's loop
(``fast_loop.run_loop``) inlines helpers from other modules (``fast_steps``,
``fast_stretch``, ``skip_stretch``, ...) and freezes constants read from others
(``sim.limits``, ``sim.account.clock``) into its machine code: after an edit to
one of those alone, numba would load the loop compiled from the old code,
silently, and the engine would no longer be the one the tests checked
(numba issue 6845). A wheel upgrade rewrites every file, so users were safe;
a developer editing a helper was not.

Every cached function of ``sim.engines`` is therefore stamped with a digest of
the sources of every ``sim`` module the numba modules import, directly or
through each other (``engine_sources``): any edit to one of them makes every
cached engine function stale, and numba compiles it again. The caches stay
where numba puts them (``__pycache__`` beside the source, or numba's user-wide
folder, or ``NUMBA_CACHE_DIR``); only the stamp numba compares gains the digest.

The numba modules take ``njit`` from here, so the stamp is installed before
their first function is decorated.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any

import numba
from numba.core import caching

SIM_DIR = Path(__file__).resolve().parents[1]
"""The ``sim`` package folder: module ``sim.a.b`` is ``SIM_DIR / a / b.py``."""
ENGINES_DIR = Path(__file__).resolve().parent


def numba_modules(engines_dir: Path = ENGINES_DIR) -> list[Path]:
    """The engine modules that compile with numba (they take ``njit`` from this module)."""
    return sorted(
        path
        for path in engines_dir.glob("*.py")
        if path.name != "jit_cache.py" and "njit(" in path.read_text(encoding="utf-8")
    )


def engine_sources(sim_dir: Path = SIM_DIR) -> list[Path]:
    """The numba modules and every ``sim`` module they import, directly or not (sorted)."""
    pending = numba_modules(sim_dir / "engines")
    seen: set[Path] = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        pending.extend(_imported(path, sim_dir))
    return sorted(seen)


_IMPORT = re.compile(r"^from sim\.([\w.]+) import", re.MULTILINE)
"""``from sim.x.y import ...`` at the start of a line: how every sim module imports sim."""


def _imported(path: Path, sim_dir: Path) -> list[Path]:
    """The files of the ``sim`` modules that ``path`` imports (``from sim.x import ...``)."""
    found = []
    for module in _IMPORT.findall(path.read_text(encoding="utf-8")):
        parts = module.split(".")
        for candidate in (sim_dir.joinpath(*parts).with_suffix(".py"),
                          sim_dir.joinpath(*parts, "__init__.py")):  # fmt: skip
            if candidate.is_file():
                found.append(candidate)
                break
    return found


@cache
def sources_digest(sim_dir: Path = SIM_DIR) -> str:
    """SHA-256 over the names and bytes of ``engine_sources`` (once per process)."""
    digest = hashlib.sha256()
    for path in engine_sources(sim_dir):
        digest.update(path.relative_to(sim_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamped(base: type) -> type:
    """``base`` (a numba cache locator) for engine files, its stamp joined by the digest."""

    class Stamped(base):
        @classmethod
        def from_function(cls, py_func: Any, py_file: str) -> Any:
            if Path(py_file).resolve().parent != ENGINES_DIR:
                return None  # not an engine function: numba's own locators
            return super().from_function(py_func, py_file)

        def get_source_stamp(self) -> Any:
            return (super().get_source_stamp(), sources_digest())

    Stamped.__name__ = Stamped.__qualname__ = f"EngineSources{base.__name__}"
    return Stamped


def _numba(name: str) -> Any:
    """numba's caching class ``name`` (public since numba 0.61; ``_name`` before)."""
    return getattr(caching, name, None) or getattr(caching, f"_{name}")


def _install() -> None:
    """Put the stamped locators first in numba's list, once per process."""
    impl = _numba("CacheImpl")
    if any(cls.__name__.startswith("EngineSources") for cls in impl._locator_classes):
        return
    bases = ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")
    impl._locator_classes = [*(_stamped(_numba(name)) for name in bases), *impl._locator_classes]


_install()
njit = numba.njit
"""``numba.njit``, with the stamp above installed: every engine module decorates with this."""
