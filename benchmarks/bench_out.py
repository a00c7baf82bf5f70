"""Where every benchmark puts its figures: JSON on stdout, and in ``--out FILE`` when given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def emit(report: dict[str, Any], out: Path | None) -> None:
    """Print ``report`` as indented JSON; also write it to ``out`` (its folder made) if set."""
    text = json.dumps(report, indent=2) + "\n"
    print(text, end="")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
