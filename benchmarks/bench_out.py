"""Where every benchmark puts its figures: JSON on stdout, and in ``--out FILE`` when given;
and the one way benchmarks read a process tree's memory."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import psutil


def tree_rss(root: psutil.Process) -> int:
    """Bytes resident in ``root`` and its children now (a process that ends while read
    counts 0): the dashboard's server and its bank workers are one figure."""
    total = 0
    for member in [root, *root.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def as_installed_env() -> dict[str, str]:
    """This process's environment for a child that runs credsim as a user's install does:
    Python's bytecode cache on. Why: a machine may set ``PYTHONDONTWRITEBYTECODE`` (this
    project's CI machine does), and then every start compiles credsim's modules from source
    again (about 0.3 s of ``credsim sweep``'s start), which a pip install never does: pip
    writes the bytecode of what it installs. Run the command once unmeasured first."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def emit(report: dict[str, Any], out: Path | None) -> None:
    """Print ``report`` as indented JSON; also write it to ``out`` (its folder made) if set."""
    text = json.dumps(report, indent=2) + "\n"
    print(text, end="")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
