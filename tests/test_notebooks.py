"""Notebooks are executed top to bottom, and stored without outputs.

Each notebook's settings are in one cell tagged ``parameters`` (papermill's
convention); the test replaces that cell with a smaller study (``SMALL``: the
checks are on the code path, not on the figures' size), as papermill would.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.paths import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = {"scenario": "small-team", "replications": 4, "seed": 2027}
"""The parameters the test runs with: small-team is the smallest bundled scenario with the
same kinds of calls; 4 replications still give every policy a confidence interval."""


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The one code cell tagged ``parameters``, before any other code cell."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    tagged = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0], "one parameters cell, run first"
    return tagged[0]


def test_there_are_notebooks() -> None:
    assert [path.name for path in NOTEBOOKS] == ["01_policy_tradeoffs.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_and_imports_its_logic_from_sim(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "from sim" in source and "def " not in source, "notebooks define no logic"
    imports = re.findall(r"^\s*(?:from|import) (sim\S*)", source, flags=re.M)
    assert imports and set(imports) == {"sim"}, (
        f"only the public API (from sim import ...): {imports}"
    )
    cell = parameters_cell(notebook)
    shipped: dict[str, object] = {}
    exec(cell.source, shipped)  # the notebook's own settings cell: three assignments
    assert {name for name in shipped if not name.startswith("__")} == set(SMALL), cell.source
    cell.source = "\n".join(f"{name} = {value!r}" for name, value in SMALL.items())
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": path.parent}}
    )
    client.execute()
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert not [output for output in outputs if output.output_type == "error"]
    figures = [
        output for output in outputs if "application/vnd.plotly.v1+json" in output.get("data", {})
    ]
    assert len(figures) == 3
