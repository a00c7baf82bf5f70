"""The files that ship with credsim: scenarios, rate tables, baselines, example call files.

There is one source of truth, the repository's top-level ``scenarios/`` and
``examples/`` folders (what users of a clone see and edit). A wheel carries a
copy of them that the build makes (``setup.py``'s ``build_py``) under
``sim/_bundled/``; a checkout (an editable install, or ``python -m sim`` from the
repository root) has no such copy and reads the folders themselves. Every user of
a bundled file (the CLI's scenario names, ``credsim regress``'s default folder,
the dashboard's scenario list) asks here, so the two layouts never diverge in
what they find. See docs/design.md, "Packaging".
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from sim.errors import InputError

PACKAGED = "_bundled"
"""The folder inside the installed ``sim`` package that holds the wheel's copy."""
SCENARIO_SUFFIX = ".toml"
EXAMPLE_SUFFIX = ".csv"


def scenarios_folder() -> Path:
    """The bundled ``scenarios/`` folder (scenario files, ``rates/``, ``baselines/``)."""
    return _folder("scenarios")


def examples_folder() -> Path:
    """The bundled ``examples/`` folder (example call files in the formats backtest reads)."""
    return _folder("examples")


def scenarios() -> dict[str, Path]:
    """Bundled scenario files by name: ``midsize``, ``checks/rate-card``, ... (top level first)."""
    return _named(scenarios_folder(), f"**/*{SCENARIO_SUFFIX}")


def examples() -> dict[str, Path]:
    """Bundled example call files by name: ``calls``, ``walkthrough``, ..."""
    return _named(examples_folder(), f"*{EXAMPLE_SUFFIX}")


def scenario(name: str) -> Path:
    """The bundled scenario called ``name`` (``.toml`` optional); InputError lists the names."""
    return _lookup(name, scenarios(), SCENARIO_SUFFIX, "scenario")


def example(name: str) -> Path:
    """The bundled example call file called ``name`` (``.csv`` optional)."""
    return _lookup(name, examples(), EXAMPLE_SUFFIX, "example")


def shown(path: Path) -> Path:
    """``path`` as messages and reproduce commands should show it.

    Relative to the working directory when it lies below it (run from the
    repository root, ``midsize`` reads as ``scenarios/midsize.toml``, exactly
    as if the user had typed that path), else absolute (an installed copy).
    """
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd())
    except ValueError:
        return absolute


def _folder(name: str) -> Path:
    """The wheel's copy of the top-level folder ``name``, else the checkout's own folder."""
    package = resources.files("sim")
    if not isinstance(package, Path):
        raise InputError(f"credsim is installed where its {name} are not files: {package}")
    packaged = package / PACKAGED / name
    if packaged.is_dir():
        return packaged
    checkout = package.parent
    if (checkout / name).is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout / name
    raise InputError(
        f"the bundled {name} are missing: no {packaged} (a wheel) nor {checkout / name} "
        "(a checkout); reinstall credsim"
    )


def _named(folder: Path, pattern: str) -> dict[str, Path]:
    found = {
        path.relative_to(folder).with_suffix("").as_posix(): path for path in folder.glob(pattern)
    }
    return {name: found[name] for name in sorted(found, key=lambda name: (name.count("/"), name))}


def _lookup(name: str, named: dict[str, Path], suffix: str, kind: str) -> Path:
    path = named.get(name.removesuffix(suffix))
    if path is None:
        message = f"no such file, and no bundled {kind} of that name ({', '.join(named)})"
        raise InputError(message, source=name)
    return path
