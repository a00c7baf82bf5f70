"""A sweep's folder on disk: the manifest, one parquet part per replication, the final files.

Why parts: a sweep can run for hours; every replication is written the moment
it is done, atomically (a temporary file renamed into place), so a sweep
killed at any instant loses at most the replications in flight, and
``--resume`` computes only the parts that are missing. A part is either
complete or absent, never half-written.

Layout of ``DIR``::

    manifest.json          what was run (identity, versions, arguments, timings)
    parts/<stage>/r000012.parquet   replication 12 of a stage, every policy of it
    runs.parquet, summary.csv, summary.json   written at the end from the parts

The identity of a sweep (scenario hash, seed, grid, replications, engine)
decides whether ``--resume`` may reuse the parts: if any of it differs the
folder is refused, never mixed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from sim.errors import InputError

MANIFEST = "manifest.json"
PARTS = "parts"
RUNS = "runs.parquet"
SUMMARY_CSV = "summary.csv"
SUMMARY_JSON = "summary.json"
OUTPUTS = (MANIFEST, RUNS, SUMMARY_CSV, SUMMARY_JSON)
IDENTITY = ("scenario_hash", "seed", "grid", "replications", "engine")
"""What must match for ``--resume`` to reuse a folder's parts."""

_PART = re.compile(r"^r(\d+)\.parquet$")
_STAGE_POLICIES = "policies.json"


class SweepStore:
    """The folder of one sweep."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def open(cls, root: Path, identity: dict[str, Any], *, resume: bool, force: bool) -> SweepStore:
        """Prepare ``root`` for the sweep with this identity; InputError when it may not be used.

        - new or empty folder: a fresh sweep;
        - ``resume``: the folder's manifest must have the same identity (no
          manifest: a fresh sweep, so "always --resume" scripts work);
        - ``force``: the folder's sweep files are removed first (other files stay);
        - otherwise a non-empty folder is refused: nothing is overwritten silently.
        """
        store = cls(root)
        if store.root.exists() and not store.root.is_dir():
            raise InputError("is not a folder", source=store.root)
        existing = store.read_manifest()
        if force:
            store.clear()
        elif resume and existing is not None:
            _check_identity(store.root, existing, identity)
        elif store._non_empty():
            held = "holds another sweep" if existing is not None else "is not empty"
            raise InputError(
                f"{held}; use --resume to continue the same sweep, --force to replace it, "
                "or another folder",
                source=store.root,
            )
        (store.root / PARTS).mkdir(parents=True, exist_ok=True)
        return store

    def _non_empty(self) -> bool:
        return self.root.is_dir() and any(self.root.iterdir())

    def clear(self) -> None:
        """Remove this folder's sweep files (manifest, parts, final files); keep anything else."""
        shutil.rmtree(self.root / PARTS, ignore_errors=True)
        for name in OUTPUTS:
            (self.root / name).unlink(missing_ok=True)

    # -- manifest -------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None when there is none; InputError when it is unreadable."""
        path = self.root / MANIFEST
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            return None
        try:
            manifest = json.loads(text)
        except json.JSONDecodeError:
            raise InputError("is not a sweep manifest (not JSON)", source=path) from None
        if not isinstance(manifest, dict):
            raise InputError("is not a sweep manifest", source=path)
        return manifest

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest atomically."""
        self.write_text(MANIFEST, json.dumps(manifest, indent=2) + "\n")

    # -- parts ----------------------------------------------------------------

    def prepare_stage(self, stage: str, labels: Sequence[str]) -> None:
        """Make the stage's folder; drop its parts if they were for other policies."""
        folder = self._stage(stage)
        marker = folder / _STAGE_POLICIES
        wanted = list(labels)
        if folder.exists():
            try:
                held = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                held = None
            if held != wanted:
                shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if not marker.exists():
            _atomic(marker, lambda handle: handle.write(json.dumps(wanted).encode()))

    def done(self, stage: str) -> set[int]:
        """Replication indices whose part is on disk; stray temporary files are removed."""
        folder = self._stage(stage)
        indices = set()
        for path in folder.iterdir() if folder.exists() else ():
            if match := _PART.match(path.name):
                indices.add(int(match.group(1)))
            elif path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)  # a write that was killed before its rename
        return indices

    def write_part(self, stage: str, index: int, frame: pd.DataFrame) -> None:
        """Replication ``index`` of ``stage``, atomically."""
        path = self._stage(stage) / f"r{index:06d}.parquet"
        _atomic(path, lambda handle: frame.to_parquet(handle, index=False))

    def read_parts(self, stage: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every part of ``stage`` in replication order, concatenated."""
        paths = sorted(
            (int(match.group(1)), path)
            for path in self._stage(stage).iterdir()
            if (match := _PART.match(path.name))
        )
        frames = [
            pd.read_parquet(path, columns=None if columns is None else list(columns))
            for _, path in paths
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _stage(self, stage: str) -> Path:
        return self.root / PARTS / stage

    # -- final files ----------------------------------------------------------

    def write_text(self, name: str, text: str) -> None:
        """A text file in the folder, atomically."""
        _atomic(self.root / name, lambda handle: handle.write(text.encode("utf-8")))

    def write_parquet(self, name: str, frame: pd.DataFrame) -> None:
        """A parquet file in the folder, atomically."""
        _atomic(self.root / name, lambda handle: frame.to_parquet(handle, index=False))

    def path(self, name: str) -> Path:
        """Where ``name`` lives in the folder."""
        return self.root / name


def _atomic(path: Path, write: Any) -> None:
    """Write through a temporary file in the same folder, then rename it into place."""
    with _temporary(path) as (handle, temporary):
        write(handle)
    os.replace(temporary, path)


@contextmanager
def _temporary(path: Path) -> Iterator[tuple[IO[bytes], Path]]:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            yield handle, temporary
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _check_identity(root: Path, manifest: dict[str, Any], identity: dict[str, Any]) -> None:
    """InputError naming every identity field that differs from the folder's sweep."""
    held = manifest.get("identity", {})
    differs = [name for name in IDENTITY if held.get(name) != identity.get(name)]
    if differs:
        details = "; ".join(
            f"{name}: {_short(held.get(name))} there, {_short(identity.get(name))} now"
            for name in differs
        )
        raise InputError(
            f"cannot resume: the sweep in this folder differs ({details}). --resume needs the "
            "same scenario file, seed, grid, replications and engine; use another folder, or "
            "--force to replace it",
            source=root,
        )


def _short(value: Any) -> str:
    """A value for an error line: hashes cut to 12 characters, grids as compact JSON."""
    if isinstance(value, str) and len(value) == 64:
        return value[:12]
    return json.dumps(value, separators=(",", ":")) if isinstance(value, dict) else repr(value)
