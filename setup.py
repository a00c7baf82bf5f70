"""Build hook: the wheel carries a copy of ``scenarios/`` and the example call files.

The metadata is in pyproject.toml; this file only adds one step to ``build_py``.
The repository's top-level ``scenarios/`` and ``examples/`` stay the one source
of truth (what a clone shows and edits); the build copies them into
``sim/_bundled/`` inside the wheel, where ``sim.world.bundled`` finds them through
``importlib.resources``. An editable install and ``python -m sim`` in a checkout
get no copy: ``sim.world.bundled`` reads the folders themselves. See
docs/design.md, "Packaging".
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {"scenarios": "**/*", "examples": "*.csv"}
"""Top-level folder -> which of its files the wheel carries (every file of ``scenarios/``)."""
TARGET = ("sim", "_bundled")
"""Where the copy goes inside the wheel (``sim.world.bundled.PACKAGED``)."""


def bundled_files(root: Path = ROOT) -> dict[str, Path]:
    """Every bundled file: its path below ``sim/_bundled/`` -> its source file."""
    files = {}
    for folder, pattern in BUNDLED.items():
        if not (root / folder).is_dir():
            raise FileNotFoundError(f"{root / folder}: the bundled folder is missing")
        for path in sorted((root / folder).glob(pattern)):
            parts = path.relative_to(root).parts
            if path.is_file() and not any(
                part.startswith(".") or part == "__pycache__" for part in parts
            ):
                files[Path(*parts).as_posix()] = path
    return files


class BuildPyWithBundled(build_py):
    """``build_py``, then a fresh copy of the bundled files into the build folder."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # a checkout reads scenarios/ and examples/ in place
            return
        target = Path(self.build_lib, *TARGET)
        shutil.rmtree(target, ignore_errors=True)  # a file deleted from scenarios/ must go too
        for relative, source in bundled_files().items():
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if self.editable_mode:
            return outputs
        target = Path(self.build_lib, *TARGET)
        return outputs + [str(target / relative) for relative in bundled_files()]


setup(cmdclass={"build_py": BuildPyWithBundled})
