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
    portal.json            what the admin portal would refuse of the policies

The identity of a sweep (scenario hash, seed, grid, replications, engine)
decides whether ``--resume`` may reuse the parts: if any of it differs the
folder is refused, never mixed. Each part also carries that identity, the
credsim version, its stage, replication and policies in its parquet schema
metadata, and is checked whenever it is read: a part copied in from another
sweep, written by another version, truncated or not parquet at all is never
used (recomputed with a warning on ``--resume``, refused when the summary is
built). The whole run holds the folder's lock (``sim.study.folder_lock``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.errors import InputError
from sim.limits import SWEEP_MANIFEST_MAX_BYTES
from sim.study.folder_lock import LOCK_FILE
from sim.study.part_digest import column_digests

MANIFEST = "manifest.json"
PARTS = "parts"
RUNS = "runs.parquet"
SUMMARY_CSV = "summary.csv"
SUMMARY_JSON = "summary.json"
PORTAL_JSON = "portal.json"
"""What the admin portal would refuse of the policies (``sim.study.sweep_summary.portal_dict``)."""
OUTPUTS = (MANIFEST, RUNS, SUMMARY_CSV, SUMMARY_JSON, PORTAL_JSON)
IDENTITY = ("scenario_hash", "seed", "grid", "replications", "engine", "widen")
"""What must match for ``--resume`` to reuse a folder's parts (``grid``: the grid asked for;
``widen``: the widening limits, null without widening, as in folders from before it)."""

PART_KEY = b"credsim.part"
"""The key of a part's identity in its parquet schema metadata (JSON)."""
DIGESTS_KEY = b"credsim.digests"
"""The key of a part's column digests in its metadata (JSON: column -> hex digest).

Why: parquet pages carry no checksum, so a few flipped bits in a part's data
(identity intact) would be read as other numbers. Each column's digest is
checked whenever the part is read, so such a part is recomputed or refused."""

_PART = re.compile(r"^r(\d+)\.parquet$")
_STAGE_POLICIES = "policies.json"

Warn = Callable[[str], None]
"""Where a one-line warning goes (the CLI prints it to stderr)."""


class SweepStore:
    """The folder of one sweep; ``identity`` is the sweep's (parts are checked against it)."""

    def __init__(self, root: Path, identity: dict[str, Any], warn: Warn) -> None:
        self.root = Path(root)
        self.identity = identity
        self.warn = warn
        self._labels: dict[str, list[str]] = {}

    @classmethod
    def open(
        cls, root: Path, identity: dict[str, Any], *, resume: bool, force: bool, warn: Warn
    ) -> SweepStore:
        """Prepare ``root`` for the sweep with this identity; InputError when it may not be used.

        The caller holds the folder's lock. Then:

        - new or empty folder: a fresh sweep;
        - ``resume``: the folder's manifest must have the same identity (no
          manifest: a fresh sweep, so "always --resume" scripts work; an
          unreadable one: a warning, and every part is checked on its own);
        - ``force``: the folder's sweep files are removed first (other files stay);
        - otherwise a non-empty folder is refused: nothing is overwritten silently.
        """
        store = cls(root, identity, warn)
        if store.root.exists() and not store.root.is_dir():
            raise InputError("is not a folder", source=store.root)
        try:
            existing, unreadable = store.read_manifest(), None
        except InputError as error:
            existing, unreadable = None, error
        if force:
            store.clear()
        elif resume and unreadable is not None:
            warn(f"{unreadable}; it is replaced, and each part is checked against this sweep")
        elif resume and existing is not None:
            _check_identity(store.root, existing, identity)
        elif store._non_empty():
            held = "is not empty"
            if existing is not None or unreadable is not None:
                held = "holds another sweep" if unreadable is None else "holds a damaged sweep"
            raise InputError(
                f"{held}; use --resume to continue the same sweep, --force to replace it, "
                "or another folder",
                source=store.root,
            )
        (store.root / PARTS).mkdir(parents=True, exist_ok=True)
        return store

    def _non_empty(self) -> bool:
        return self.root.is_dir() and any(p.name != LOCK_FILE for p in self.root.iterdir())

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
            with path.open("rb") as handle:
                data = handle.read(SWEEP_MANIFEST_MAX_BYTES + 1)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            raise InputError(f"cannot read it ({error.strerror})", source=path) from None
        if len(data) > SWEEP_MANIFEST_MAX_BYTES:
            raise InputError(
                f"is not a sweep manifest (over {SWEEP_MANIFEST_MAX_BYTES:,} bytes)", source=path
            )
        try:
            manifest = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError("is not a sweep manifest (not UTF-8 text)", source=path) from None
        except (ValueError, RecursionError):  # not JSON, numbers too long, nesting too deep
            raise InputError("is not a sweep manifest (not JSON)", source=path) from None
        if not isinstance(manifest, dict):
            raise InputError("is not a sweep manifest (not a JSON object)", source=path)
        return manifest

    def invocations(self) -> list[Any]:
        """The runs recorded by the manifest so far (none when it is missing or unreadable)."""
        try:
            manifest = self.read_manifest() or {}
        except InputError:
            return []
        held = manifest.get("invocations")
        return list(held) if isinstance(held, list) else []

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest atomically."""
        self.write_text(MANIFEST, json.dumps(manifest, indent=2) + "\n")

    # -- parts ----------------------------------------------------------------

    def prepare_stage(self, stage: str, labels: Sequence[str]) -> None:
        """Make the stage's folder; drop its parts if they were for other policies."""
        folder = self._stage(stage)
        marker = folder / _STAGE_POLICIES
        wanted = list(labels)
        self._labels[stage] = wanted
        if folder.exists():
            try:
                held = json.loads(marker.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):  # missing, not UTF-8, not JSON
                held = None
            if held != wanted:
                shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if not marker.exists():
            _atomic(marker, lambda handle: handle.write(json.dumps(wanted).encode()))

    def part_identity(self, stage: str, index: int) -> dict[str, Any]:
        """What a part of ``stage`` for replication ``index`` of this sweep must carry."""
        return {
            **self.identity,
            "credsim_version": __version__,
            "stage": stage,
            "replication": index,
            "policies": self._labels[stage],
        }

    def done(self, stage: str) -> set[int]:
        """Replications whose part is on disk and this sweep's; others are removed, with a warning.

        Each part is read whole, to check its columns' digests (a resume reads
        every part twice; computing one costs far more).
        Stray temporary files (a write killed before its rename) are removed silently.
        """
        folder = self._stage(stage)
        indices, dropped = set(), []
        for path in sorted(folder.iterdir()) if folder.exists() else ():
            if match := _PART.match(path.name):
                problem = self._problem(path, stage, int(match.group(1)))
                if problem is None:
                    problem = _load(path, None)[1]
                if problem is None:
                    indices.add(int(match.group(1)))
                else:
                    dropped.append(f"{path.name} {problem}")
                    path.unlink(missing_ok=True)
            elif path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
        if dropped:
            more = f" (and {len(dropped) - 1} more)" if len(dropped) > 1 else ""
            self.warn(
                f"{folder}: {len(dropped)} part(s) not used and recomputed: {dropped[0]}{more}"
            )
        return indices

    def write_part(self, stage: str, index: int, frame: pd.DataFrame) -> pa.Table:
        """Replication ``index`` of ``stage``, atomically, its identity in the schema metadata.

        Returns the table written (what reading the part gives back, without reading it:
        ``read_parts(..., held=)``)."""
        table = pa.Table.from_pandas(frame, preserve_index=False)
        stamp = json.dumps(self.part_identity(stage, index), sort_keys=True).encode()
        digests = json.dumps(column_digests(table)).encode()
        metadata = {**(table.schema.metadata or {}), PART_KEY: stamp, DIGESTS_KEY: digests}
        table = table.replace_schema_metadata(metadata)
        path = self._stage(stage) / f"r{index:06d}.parquet"
        _atomic(path, lambda handle: pq.write_table(table, handle))
        return table

    def read_parts(
        self,
        stage: str,
        columns: Sequence[str] | None = None,
        labels: Collection[str] | None = None,
        held: Mapping[int, pa.Table] | None = None,
    ) -> pd.DataFrame:
        """Every part of ``stage`` in replication order, concatenated; each checked first.

        ``labels``: only the rows of these policies (each part is still read and
        checked whole, then cut, so memory holds one part and the rows kept).
        ``held``: the tables ``write_part`` returned in this process, by replication:
        those parts are taken from them, not read back and checked again (the same
        frame: parquet keeps these tables' types and values exactly).
        A part that is not this sweep's or cannot be read is removed and the
        sweep refused (InputError): ``--resume`` then recomputes it.
        """
        frames = []
        for index, path in self.part_paths(stage):
            table = None if held is None else held.get(index)
            if table is None:
                frame = self._read_part(path, stage, index, columns)
            else:
                frame = (table if columns is None else table.select(list(columns))).to_pandas()
            frames.append(frame if labels is None else frame[frame["label"].isin(labels)])
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def part_paths(self, stage: str) -> list[tuple[int, Path]]:
        """The stage's parts in replication order."""
        return sorted(
            (int(match.group(1)), path)
            for path in self._stage(stage).iterdir()
            if (match := _PART.match(path.name))
        )

    def _read_part(
        self, path: Path, stage: str, index: int, columns: Sequence[str] | None
    ) -> pd.DataFrame:
        problem = self._problem(path, stage, index)
        if problem is None:
            frame, problem = _load(path, columns)
            if frame is not None:
                return frame
        path.unlink(missing_ok=True)
        raise InputError(
            f"{problem}; it was removed: run the same sweep with --resume to recompute it",
            source=path,
        )

    def _problem(self, path: Path, stage: str, index: int) -> str | None:
        """Why the part at ``path`` may not be used as replication ``index`` of ``stage``."""
        try:
            metadata = pq.read_schema(path).metadata or {}
        except (pa.ArrowException, OSError, UnicodeDecodeError):  # a damaged column name
            return "is not a readable parquet file (truncated or damaged)"
        try:
            held = json.loads(metadata[PART_KEY])
        except (KeyError, ValueError, RecursionError):
            held = None
        if not isinstance(held, dict):
            return "carries no sweep identity (not written by this version of credsim)"
        wanted = self.part_identity(stage, index)
        differs = [name for name in wanted if held.get(name) != wanted[name]]
        if differs:
            name = differs[0]
            there, here = _short(held.get(name)), _short(wanted[name])
            return f"is from another sweep ({name}: {there} there, {here} here)"
        return None

    def _stage(self, stage: str) -> Path:
        return self.root / PARTS / stage

    # -- final files ----------------------------------------------------------

    def write_text(self, name: str, text: str) -> None:
        """A text file in the folder, atomically."""
        _atomic(self.root / name, lambda handle: handle.write(text.encode("utf-8")))

    def write_parquet(self, name: str, frame: pd.DataFrame) -> None:
        """A parquet file in the folder, atomically."""
        _atomic(self.root / name, lambda handle: frame.to_parquet(handle, index=False))

    def write_parquet_chunks(self, name: str, frames: Iterator[pd.DataFrame]) -> None:
        """A parquet file from frames of the same columns, a row group each, atomically.

        Why: a table too big to hold (``SWEEP_CHUNK_ROWS``) is written chunk by chunk.
        Every chunk takes the first one's schema (its column types are the same
        by construction; a chunk that differs fails loudly rather than being coerced).
        """

        def write(handle: IO[bytes]) -> None:
            writer: pq.ParquetWriter | None = None
            try:
                for frame in frames:
                    table = pa.Table.from_pandas(frame, preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(handle, table.schema)
                    writer.write_table(table)
            finally:
                if writer is not None:
                    writer.close()

        _atomic(self.root / name, write)

    def path(self, name: str) -> Path:
        """Where ``name`` lives in the folder."""
        return self.root / name


_DAMAGED = (pa.ArrowException, OSError, KeyError, ValueError, TypeError, IndexError, RecursionError)
"""What damaged bytes surface as while a part is read, from pyarrow or pandas' metadata."""


def _load(path: Path, columns: Sequence[str] | None) -> tuple[pd.DataFrame | None, str | None]:
    """The part's frame (only ``columns`` when given), or None and why it may not be used."""
    try:
        table = pq.read_table(path, columns=None if columns is None else list(columns))
        frame = table.to_pandas()
        digests = json.loads((table.schema.metadata or {})[DIGESTS_KEY])
    except _DAMAGED:
        return None, "is damaged (its data cannot be read)"
    try:
        matches = isinstance(digests, dict) and all(
            digests.get(name) == held for name, held in column_digests(table).items()
        )
    except (pa.ArrowException, ValueError, TypeError):  # a damaged string column fails to hash
        matches = False
    if not matches:
        return None, "is damaged (its data does not match its checksum)"
    return frame, None


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
    held = manifest.get("identity")
    held = held if isinstance(held, dict) else {}
    differs = [name for name in IDENTITY if held.get(name) != identity.get(name)]
    if differs:
        details = "; ".join(
            f"{name}: {_short(held.get(name))} there, {_short(identity.get(name))} now"
            for name in differs
        )
        raise InputError(
            f"cannot resume: the sweep in this folder differs ({details}). --resume needs the "
            "same scenario file, seed, grid, replications, engine and widening; use another "
            "folder, or --force to replace it",
            source=root,
        )


def _short(value: Any) -> str:
    """A value for an error line: hashes cut to 12 characters, grids as compact JSON, cut to 120."""
    if isinstance(value, str) and len(value) == 64:
        return value[:12]
    text = (
        json.dumps(value, separators=(",", ":")) if isinstance(value, dict | list) else repr(value)
    )
    return text if len(text) <= 120 else text[:117] + "..."
