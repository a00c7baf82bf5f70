"""Is this file a usage report? Told by the usage reader's own sniffing, never by its name.

Why: a planner who hands ``credsim sweep`` their Teams export should hear that it is a
usage report and what to run with it (``credsim plan``), not a TOML syntax error. The
answer comes from what the backtest's readers recognise: the zip magic and members of
an admin-center export (``sim.calls.export_zip``), or a header line that names one of
the usage formats (``sim.calls.usage_layout``). A first line opening with ``[`` is a
Graph JSON array only when an object follows (``[{``): ``[scenario]`` is TOML.

Why the header is read here, not through ``sim.calls.usage.open_usage``: every scenario
FILE a command is given is sniffed, ``credsim validate``'s too, and the usage reader
imports numpy; ``open_usage`` tells the format by the same two calls
(``usage_text.first_line``, ``usage_layout.read_layout``). Only a zip loads the export
reader.
"""

from __future__ import annotations

from pathlib import Path

from sim.calls.usage_layout import read_layout
from sim.calls.usage_text import first_line, is_zip
from sim.errors import InputError

_PREFIX_CHARS = 4096
"""Characters read to tell a JSON array of pages from a TOML table header."""


def is_usage_file(path: Path) -> bool:
    """Whether the backtest's readers recognise ``path`` as usage (never raises)."""
    path = Path(path)
    try:
        if is_zip(path):
            from sim.calls.export_zip import open_export  # noqa: PLC0415  (numpy: a zip only)

            open_export(path)
            return True
        with path.open(encoding="utf-8-sig") as handle:
            prefix = handle.read(_PREFIX_CHARS).lstrip()
        if prefix.startswith("[") and not prefix[1:].lstrip().startswith("{"):
            return False
        read_layout(first_line(path), path, None)
    except (InputError, OSError, UnicodeDecodeError, ValueError):
        return False
    return True
