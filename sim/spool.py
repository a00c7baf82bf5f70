"""Put a call stream in stream order (by start, then source order) in bounded memory.

Usage exports are not promised to be sorted, and a year of a large tenant is
millions of rows. Calls are packed into numpy columns a chunk at a time, each
chunk is sorted, and chunks beyond the first are spilled to ``.npy`` files in a
temporary folder; iteration is a k-way merge. Peak memory is a few chunks,
whatever the number of rows.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.clock import Instant
from sim.stream import Call

DEFAULT_CHUNK_ROWS = 250_000
_BLOCK_ROWS = 8_192
_COLUMNS = ("start", "end", "charge", "service", "credit_billed", "ref")


@dataclass
class SortedCalls:
    """Calls sorted by ``(start, ref)``; iterate as often as needed, then ``close``."""

    count: int = 0
    first_start: Instant | None = None
    last_end: Instant | None = None
    services: list[str] = field(default_factory=list)
    _chunks: list[dict[str, np.ndarray]] = field(default_factory=list, repr=False)
    _spill: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[Call]:
        if len(self._chunks) == 1:
            return self._decode(self._chunks[0])
        return heapq.merge(
            *(self._decode(chunk) for chunk in self._chunks), key=lambda c: (c.start, c.ref)
        )

    def close(self) -> None:
        """Remove spilled chunks from disk."""
        self._chunks.clear()
        if self._spill is not None:
            self._spill.cleanup()
            self._spill = None

    def __enter__(self) -> SortedCalls:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _decode(self, chunk: dict[str, np.ndarray]) -> Iterator[Call]:
        """Turn a chunk's columns back into Calls, a block at a time."""
        services = self.services
        for first in range(0, len(chunk["start"]), _BLOCK_ROWS):
            block = [chunk[name][first : first + _BLOCK_ROWS].tolist() for name in _COLUMNS]
            for start, end, charge, service, billed, ref in zip(*block, strict=True):
                yield Call(start, end, services[service], charge, billed, ref)


def sort_calls(calls: Iterable[Call], *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> SortedCalls:
    """Consume ``calls`` once and return them sorted by start, then by ``ref``."""
    result = SortedCalls()
    codes: dict[str, int] = {}
    buffer: list[Call] = []
    for call in calls:
        buffer.append(call)
        if len(buffer) >= chunk_rows:
            _add_chunk(result, buffer, codes)
            buffer = []
    if buffer or not result._chunks:
        _add_chunk(result, buffer, codes)
    return result


def _add_chunk(result: SortedCalls, buffer: list[Call], codes: dict[str, int]) -> None:
    """Sort one chunk, update the totals, and keep it in memory or on disk."""
    for service in {call.service for call in buffer} - codes.keys():
        codes[service] = len(result.services)
        result.services.append(service)
    columns = _pack(buffer, codes)
    order = np.lexsort((columns["ref"], columns["start"]))
    chunk = {name: values[order] for name, values in columns.items()}
    result.count += len(buffer)
    if len(buffer):
        first, last = int(chunk["start"][0]), int(chunk["end"].max())
        result.first_start = first if result.first_start is None else min(result.first_start, first)
        result.last_end = last if result.last_end is None else max(result.last_end, last)
    if result._chunks:
        chunk = _spill(result, chunk)
    result._chunks.append(chunk)


def _pack(buffer: list[Call], codes: dict[str, int]) -> dict[str, np.ndarray]:
    """Columns of a chunk as compact numpy arrays."""
    return {
        "start": np.fromiter((c.start for c in buffer), np.int64, len(buffer)),
        "end": np.fromiter((c.end for c in buffer), np.int64, len(buffer)),
        "charge": np.fromiter((c.charge_minor for c in buffer), np.int64, len(buffer)),
        "service": np.fromiter((codes[c.service] for c in buffer), np.int32, len(buffer)),
        "credit_billed": np.fromiter((c.credit_billed for c in buffer), np.bool_, len(buffer)),
        "ref": np.fromiter((c.ref for c in buffer), np.int64, len(buffer)),
    }


def _spill(result: SortedCalls, chunk: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Write a chunk to disk and return memory-mapped views of it."""
    if result._spill is None:
        result._spill = tempfile.TemporaryDirectory(prefix="credsim-spool-")
    folder = Path(result._spill.name) / f"chunk{len(result._chunks)}"
    folder.mkdir()
    mapped = {}
    for name, values in chunk.items():
        path = folder / f"{name}.npy"
        np.save(path, values)
        mapped[name] = np.load(path, mmap_mode="r")
    return mapped
