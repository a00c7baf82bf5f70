"""The dependency rule of ``sim/``: a package imports only the packages below it.

    errors  <-  limits  <-  account  <-  calls, world  <-  engines  <-  study  <-  views
            <-  dashboard, cli                         (and ``sim`` itself on top)

``calls`` and ``world`` are siblings (neither imports the other), as are
``dashboard`` and ``cli``. Every import counts: at module level, inside a
function and under ``TYPE_CHECKING``, so the rule holds for readers as well as
for the interpreter. The walls of the architecture are checked here too: the
ledger is pure Python and only the dashboard imports Streamlit.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT

BELOW: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "limits": frozenset({"errors"}),
    "account": frozenset({"errors", "limits"}),
    "calls": frozenset({"errors", "limits", "account"}),
    "world": frozenset({"errors", "limits", "account"}),
    "engines": frozenset({"errors", "limits", "account", "world"}),
    "study": frozenset({"errors", "limits", "account", "calls", "world", "engines"}),
    "views": frozenset({"errors", "limits", "account", "calls", "world", "engines", "study"}),
    "dashboard": frozenset(
        {"errors", "limits", "account", "calls", "world", "engines", "study", "views"}
    ),
    "cli": frozenset(
        {"errors", "limits", "account", "calls", "world", "engines", "study", "views"}
    ),
}
"""What each room may import (besides itself). ``sim/__init__`` and ``__main__`` sit on top."""
TOP = frozenset({"__init__", "__main__"})
PURE = ("simpy", "numpy", "pandas", "streamlit", "plotly", "scipy", "numba")
"""What the ledger must never import: it is the exact, pure core."""


def imported(path: Path, package: str = "") -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``.

    Relative imports are resolved against ``package`` (``sim.views`` for a
    module of ``sim/views/``).
    """
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield node.lineno, base
            yield from ((node.lineno, f"{base}.{alias.name}") for alias in node.names)


def room(module: str, tree: Path) -> str | None:
    """The room of ``sim.X...``: ``X`` when it is a package or top-level module of ``tree``."""
    parts = module.split(".")
    if parts[0] != "sim" or len(parts) < 2:
        return None
    name = parts[1]
    if (tree / name).is_dir() or (tree / f"{name}.py").exists():
        return name
    return None


def violations(tree: Path) -> list[str]:
    """Every import that breaks the rule, as ``file:line: room imports room (module)``."""
    found = []
    for path in sorted(tree.rglob("*.py")):
        relative = path.relative_to(tree.parent)
        own = relative.parts[1].removesuffix(".py")
        if own in TOP:
            continue
        if own not in BELOW:
            found.append(f"{relative}: {own} is not a room of the layout (add it to BELOW)")
            continue
        seen = set()
        package = ".".join(relative.parts[:-1])
        for line, module in imported(path, package):
            target = room(module, tree)
            if target is None or target == own or target in BELOW[own] or target in seen:
                continue
            seen.add(target)
            found.append(f"{relative}:{line}: {own} imports {target} ({module})")
    return found


def _imports_of(path: Path) -> set[str]:
    return {module for _, module in imported(path)}


def test_no_package_imports_a_higher_one() -> None:
    assert violations(ROOT / "sim") == []


def test_the_rule_catches_a_lower_package_importing_a_higher_one(tmp_path: Path) -> None:
    tree = tmp_path / "sim"
    for name in ("account", "study", "views"):
        (tree / name).mkdir(parents=True)
        (tree / name / "__init__.py").write_text("")
    (tree / "errors.py").write_text("")
    (tree / "account" / "ledger.py").write_text("from sim.errors import InputError\n")
    (tree / "study" / "stats.py").write_text("import numpy\nfrom sim.account import ledger\n")
    (tree / "study" / "runner.py").write_text(
        "def late():\n    from sim.views.charts import balance_fan\n"
    )
    (tree / "views" / "charts.py").write_text("from ..study import stats\n")
    (tree / "account" / "policy.py").write_text("from ..views import charts\n")
    assert violations(tree) == [
        "sim/account/policy.py:1: account imports views (sim.views)",
        "sim/study/runner.py:2: study imports views (sim.views.charts)",
    ]


def test_a_folder_outside_the_layout_is_reported(tmp_path: Path) -> None:
    tree = tmp_path / "sim"
    (tree / "misc").mkdir(parents=True)
    (tree / "misc" / "helpers.py").write_text("")
    assert violations(tree) == [
        "sim/misc/helpers.py: misc is not a room of the layout (add it to BELOW)"
    ]


@pytest.mark.parametrize("module", PURE)
def test_the_ledger_is_pure(module: str) -> None:
    names = _imports_of(ROOT / "sim" / "account" / "ledger.py")
    assert not any(name == module or name.startswith(f"{module}.") for name in names)


def test_only_the_dashboard_imports_streamlit() -> None:
    importers = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "sim").rglob("*.py")
        if any(name.split(".")[0] == "streamlit" for name in _imports_of(path))
    }
    assert importers
    assert all(name.startswith("sim/dashboard/") for name in importers), importers
