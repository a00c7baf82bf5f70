"""Valid inputs that the corpus breaks one way at a time, and builders of large inputs.

Every case works in its own temporary folder: the data lives under ``data/``
(so ``../secret.txt``, the canary, is outside it). Large inputs (a 3 MB
scenario, a header field of 200,000 characters) are built here in the test,
never committed.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from sim.cli.commands import main
from tests.paths import EXAMPLES, FIXTURES, SCENARIOS, TINY

SCENARIO = "data/s.toml"
"""Where a case's scenario file goes."""
CALLS = "data/calls.csv"
"""Where a case's usage file goes."""

TINY_TEXT = TINY.read_text(encoding="utf-8")
"""The sweep tests' three-month scenario: one stream with its own rate, no rate table."""
TEAM_TEXT = (SCENARIOS / "small-team.toml").read_text(encoding="utf-8")
"""The bundled small-team scenario: users, meetings, user calling and a rate table."""
RATES = (SCENARIOS / "rates" / "sample-usd.csv").read_bytes()
"""The bundled rate table, copied next to a case's small-team scenario."""

STREAM_HEADER = "start,end,service,charge"
STREAM_ROW = "2025-01-06T09:00:00Z,2025-01-06T09:45:00Z,toll_free_dial_in,32.50"
TEAMS_TEXT = (EXAMPLES / "teams-pstn-report.csv").read_text(encoding="utf-8-sig")
SKYPE_TEXT = (FIXTURES / "skype_pstn_calls.csv").read_text(encoding="utf-8")


def tiny(*edits: tuple[str, str], append: str = "") -> dict[str, bytes | str]:
    """The tiny scenario with each (old, new) text replaced once, plus ``append``."""
    return {SCENARIO: _edited(TINY_TEXT, edits) + append}


def team(*edits: tuple[str, str], append: str = "") -> dict[str, bytes | str]:
    """The small-team scenario (and its rate table) with the same kind of edits."""
    return {SCENARIO: _edited(TEAM_TEXT, edits) + append, "data/rates/sample-usd.csv": RATES}


def _edited(text: str, edits: tuple[tuple[str, str], ...]) -> str:
    for old, new in edits:
        assert text.count(old) >= 1, f"{old!r} is not in the base scenario"
        text = text.replace(old, new, 1)
    return text


def with_table(path: str) -> dict[str, bytes | str]:
    """The tiny scenario naming ``path`` as its rate table (read whether needed or not)."""
    return tiny(append=f'\n[rates]\ntable = "{path}"\n')


def rate_table(body: bytes | str) -> dict[str, bytes | str]:
    """The tiny scenario whose stream looks its rate up in ``data/rates/t.csv`` = ``body``."""
    files = tiny(
        ("rate_per_min = 0.25", 'country = "US"\nnumber_type = "toll_free"\ndirection = "inbound"'),
        append='\n[rates]\ntable = "rates/t.csv"\n',
    )
    files["data/rates/t.csv"] = body
    return files


def stream(*rows: str, header: str = STREAM_HEADER) -> dict[str, bytes | str]:
    """A canonical stream CSV with these data rows."""
    return {CALLS: "\n".join((header, *rows)) + "\n"}


def stream_row(**fields: str) -> str:
    """The valid stream row with some fields replaced (start, end, service, charge)."""
    values = dict(zip(STREAM_HEADER.split(","), STREAM_ROW.split(","), strict=True))
    values.update(fields)
    return ",".join(values.values())


def teams(column: str, value: str, *more: str) -> dict[str, bytes | str]:
    """The Teams PSTN example with ``column`` of its first data row set to ``value``
    (and further column, value pairs in ``more``)."""
    text = _set_cell(TEAMS_TEXT, ",", column, value)
    for other, changed in zip(more[::2], more[1::2], strict=True):
        text = _set_cell(text, ",", other, changed)
    return {CALLS: text}


def skype(column: str, value: str) -> dict[str, bytes | str]:
    """The Skype for Business fixture with ``column`` of its first data row set to ``value``."""
    return {CALLS: _set_cell(SKYPE_TEXT, "\t", column, value)}


def _set_cell(text: str, delimiter: str, column: str, value: str) -> str:
    lines = text.splitlines()
    header = lines[0].split(delimiter)
    index = header.index(column)
    if delimiter == "," and '"' in lines[1]:  # the Teams example quotes "Last, First" names
        row = _split_quoted(lines[1])
    else:
        row = lines[1].split(delimiter)
    row[index] = value
    lines[1] = delimiter.join(row)
    return "\n".join(lines) + "\n"


def _split_quoted(line: str) -> list[str]:
    """A comma-separated row whose quoted fields keep their quotes (written back as they were)."""
    fields, current, quoted = [], "", False
    for char in line:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            fields.append(current)
            current = ""
        else:
            current += char
    return [*fields, current]


def symlink(target: str, link: str) -> Callable[[Path], None]:
    """A setup that makes ``link`` (inside the case folder) point at ``target``."""

    def make(folder: Path) -> None:
        (folder / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, folder / link)

    return make


@functools.cache
def tiny_sweep() -> Path:
    """A finished 2-policy x 3-replication sweep of the tiny scenario, made once per process.

    Cases copy it and break a copy (a corrupt part, a garbage manifest), then
    ``--resume`` it with the same arguments as ``SWEEP_ARGS``.
    """
    folder = _scratch("corpus-sweep-")
    shutil.copy(TINY, folder / "s.toml")
    args = ["sweep", str(folder / "s.toml"), *SWEEP_GRID, "--out", str(folder / "out")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return folder


SWEEP_GRID = ("--triggers", "50", "--amounts", "100,200", "--replications", "3", "--workers", "1")
SWEEP_ARGS = ("sweep", SCENARIO, *SWEEP_GRID, "--out", "data/out", "--quiet")
"""The arguments that resume the copied tiny sweep (same scenario bytes, grid, seed)."""


def sweep_copy(change: Callable[[Path], None]) -> Callable[[Path], None]:
    """A setup: the tiny sweep copied to ``data/``, then changed by ``change(data/out)``."""

    def make(folder: Path) -> None:
        source = tiny_sweep()
        shutil.copytree(source / "out", folder / "data" / "out")
        shutil.copy(source / "s.toml", folder / SCENARIO)
        change(folder / "data" / "out")

    return make


def first_part(out: Path) -> Path:
    """The sweep's first parquet part (its stage folder's name is the sweep's business)."""
    return sorted(out.glob("parts/*/r*.parquet"))[0]


REGRESSION = "\n[regression]\nreplications = 2\nseed = 7\npolicies = [{}]\n"
"""A [regression] table for the tiny scenario: two replications of its own policy."""
BASELINE = "sweep-tiny.json"
"""The tiny scenario's baseline file (named after the scenario)."""


@functools.cache
def tiny_baseline() -> str:
    """The baseline ``credsim regress --update`` writes for the tiny scenario, made once."""
    folder = _scratch("corpus-regress-")
    (folder / "r.toml").write_text(TINY_TEXT + REGRESSION, encoding="utf-8")
    args = ["regress", "--scenarios", str(folder), "--update", "--reason", "corpus"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return (folder / "baselines" / BASELINE).read_text(encoding="utf-8")


def regress_folder(baseline: Callable[[str], bytes | str] | None) -> Callable[[Path], None]:
    """A setup: ``data/r.toml`` with its baseline changed by ``baseline`` (None: no baseline)."""

    def make(folder: Path) -> None:
        (folder / "data" / "baselines").mkdir(parents=True)
        (folder / "data" / "r.toml").write_text(TINY_TEXT + REGRESSION, encoding="utf-8")
        if baseline is not None:
            content = baseline(tiny_baseline())
            target = folder / "data" / "baselines" / BASELINE
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                target.write_bytes(content)

    return make


def _scratch(prefix: str) -> Path:
    """A temporary folder removed when this process exits (forked cases exit with os._exit)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
