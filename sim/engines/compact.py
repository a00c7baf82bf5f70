"""A replication's charged calls in few bytes, rebuilt exactly for the engines when replayed.

Why: the dashboard keeps every replication's demand so that a new policy only
replays it, and the engines' prepared arrays (int64 instants, charges and
orders, ``sim.engines.fast.Prepared``) take about 49 bytes a charged call:
20 MB a replication of enterprise, 3.9 GB at 200 replications (issue 15).
Here a call takes about 4 bytes (3.6 on enterprise), and nothing is rounded:

- starts as the gap to the previous start, lengths (end - start) and charges,
  each in uint8, uint16 or uint32, whichever is smallest with the values that
  do not fit kept apart, exact, in an overflow list (``Narrow``: a night's gap,
  a call of 18 hours);
- gaps and lengths in whole seconds when every one is (generated demand is),
  else in microseconds;
- service codes in uint8, the credit-billed flags as bits;
- every one of these arrays compressed with zstd (``Packed``);
- optionally (``of(stream, refs=True)``) each charged call's row in the whole
  stream, as gaps: the call numbers a journal names, which only the sample
  path of replication 1 needs (``credsim run``'s numbers, free calls counted).

``CompactCalls.stream()`` gives back the charged calls as a ``CallStream``
with the free calls counted, which is all ``Prepared`` reads; rebuilding it
costs a few vectorised passes (measured in docs/performance-history.md).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.account.clock import MICROS_PER_SECOND
from sim.account.stream import Call, CallStream

ENGINE_COLUMNS = ("start_us", "end_us", "service", "charge_minor", "credit_billed")
"""The columns of the charged calls the engines read (``Prepared``): the only ones kept."""


@dataclass(frozen=True)
class Packed:
    """A numpy array's bytes compressed with zstd (pyarrow's codec), exact.

    Why: 200 replications of enterprise kept 473 MB of narrow arrays; their
    bytes still repeat (services, billed flags, small gaps), and zstd at level
    1 keeps them in about 60 % of that, unpacked at a few ms a replication
    while a policy rebuilds its arrays in tens (docs/performance-history.md).
    """

    data: bytes
    dtype: str
    size: int
    packed: bool = True
    """False: ``data`` holds the array's own bytes (``CompactCalls.of(..., packed=False)``)."""

    @classmethod
    def of(cls, values: np.ndarray, *, packed: bool = True) -> Packed:
        """``values`` (one dimension) compressed, or only copied when not ``packed``."""
        values = np.ascontiguousarray(values)
        if not packed:
            return cls(values.tobytes(), values.dtype.str, len(values), packed=False)
        data = _codec().compress(values, asbytes=True) if values.nbytes else b""
        return cls(data, values.dtype.str, len(values))

    def array(self) -> np.ndarray:
        """The values again (read-only: the decompressed buffer is shared, not copied)."""
        kind = np.dtype(self.dtype)
        if not self.size:
            return np.zeros(0, kind)
        if not self.packed:
            return np.frombuffer(self.data, kind)
        buffer = _codec().decompress(self.data, decompressed_size=self.size * kind.itemsize)
        return np.frombuffer(buffer, kind)

    @property
    def nbytes(self) -> int:
        """Bytes kept."""
        return len(self.data)

    def pack(self) -> Packed:
        """This array compressed (itself if it is)."""
        return self if self.packed else Packed.of(self.array())

    def unpack(self) -> Packed:
        """This array's own bytes (itself if not compressed)."""
        return Packed.of(self.array(), packed=False) if self.packed else self


@functools.cache
def _codec() -> Any:
    """zstd at level 1: as small as level 3 on a replication's arrays (1.36 MB against
    1.36 MB) and the fastest to compress (enterprise, docs/performance-history.md). pyarrow is
    imported here, not with the module: the bank's workers keep their demand unpacked
    (``CompactCalls.pack`` in the server), and pyarrow held 26 MB in each of them."""
    import pyarrow as pa  # noqa: PLC0415  (the why above)

    return pa.Codec("zstd", compression_level=1)


@dataclass(frozen=True)
class Narrow:
    """Non-negative integers in uint8, uint16 or uint32, whichever takes fewest bytes, with
    the values that do not fit (>= the type's top) kept exactly in an overflow list; the
    three arrays are kept compressed (``Packed``)."""

    packed_low: Packed
    packed_over_rows: Packed
    packed_over_values: Packed

    @classmethod
    def of(cls, values: np.ndarray, *, packed: bool = True) -> Narrow:
        """``values`` (int64, all >= 0) in the narrow form (``packed``: as ``Packed.of``)."""
        if len(values) and int(values.min()) < 0:
            raise ValueError("Narrow holds integers >= 0 only")
        kind = min(_KINDS, key=lambda kind: _bytes(values, kind))
        top = np.iinfo(kind).max
        rows = np.flatnonzero(values >= top)
        low = np.minimum(values, top).astype(kind)
        over = values[rows].astype(np.int64)
        return cls(*(Packed.of(part, packed=packed) for part in (low, rows, over)))

    @property
    def low(self) -> np.ndarray:
        """The values in the narrow type, those that do not fit at its top."""
        return self.packed_low.array()

    @property
    def over_rows(self) -> np.ndarray:
        """Where the values that do not fit are."""
        return self.packed_over_rows.array()

    @property
    def over_values(self) -> np.ndarray:
        """Those values, exact (int64)."""
        return self.packed_over_values.array()

    def pack(self) -> Narrow:
        """These values with every array compressed."""
        parts = (self.packed_low, self.packed_over_rows, self.packed_over_values)
        return Narrow(*(part.pack() for part in parts))

    def unpack(self) -> Narrow:
        """These values with no array compressed."""
        parts = (self.packed_low, self.packed_over_rows, self.packed_over_values)
        return Narrow(*(part.unpack() for part in parts))

    def wide(self) -> np.ndarray:
        """The values again, as int64."""
        values = self.low.astype(np.int64)
        values[self.over_rows] = self.over_values
        return values

    @property
    def nbytes(self) -> int:
        """Bytes kept (compressed)."""
        parts = (self.packed_low, self.packed_over_rows, self.packed_over_values)
        return sum(part.nbytes for part in parts)


_KINDS: tuple[np.dtype[Any], ...] = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.uint32))
_OVERFLOW_BYTES = 16
"""Bytes of one value kept apart (its row and its value, int64 each)."""


def _bytes(values: np.ndarray, kind: np.dtype[Any]) -> int:
    """Bytes ``values`` would take in ``kind`` with its overflow list."""
    over = int(np.count_nonzero(values >= np.iinfo(kind).max))
    return len(values) * kind.itemsize + over * _OVERFLOW_BYTES


@dataclass(frozen=True)
class CompactCalls:
    """One replication's charged calls, exact, in about 4 bytes a call (module docstring)."""

    size: int
    free_count: int
    services: tuple[str, ...]
    pools: tuple[str, ...]
    first_start_us: int
    unit_us: int
    """1 or ``MICROS_PER_SECOND``: the unit of ``gaps`` and ``lengths``."""
    gaps: Narrow
    lengths: Narrow
    charges: Narrow
    service_codes: Packed
    billed_bits: Packed
    ref_gaps: Narrow | None = None
    """With ``refs=True``: each charged call's row in the whole stream, as the gap to the
    previous one (the first from -1); None: not kept (a policy's replay never reads them)."""

    @classmethod
    def of(cls, stream: CallStream, *, refs: bool = False, packed: bool = True) -> CompactCalls:
        """The charged calls of ``stream`` (free calls only counted, never built).

        ``packed``: compress the arrays (``Packed``); False keeps them as they are, for
        demand kept briefly (a sweep's stages, ``sim.study.kept_demand``), where
        compressing cost more than the memory it saved.

        ``refs``: keep each charged call's row in ``stream`` too (``stream.charged_refs()``,
        which merges the free calls into stream order once: seconds on enterprise).
        """
        charged = stream.charged()
        starts = np.asarray(charged.start_us, np.int64)
        lengths = np.asarray(charged.end_us, np.int64) - starts
        first = int(starts[0]) if len(starts) else 0
        gaps = np.diff(starts, prepend=first)
        seconds = not (np.any(gaps % MICROS_PER_SECOND) or np.any(lengths % MICROS_PER_SECOND))
        unit = MICROS_PER_SECOND if seconds else 1
        if len(stream.services) > 256:
            raise ValueError("CompactCalls keeps at most 256 services")
        return cls(
            size=len(starts),
            free_count=stream.free_count,
            services=stream.services,
            pools=stream.pools,
            first_start_us=first,
            unit_us=unit,
            gaps=Narrow.of(gaps // unit, packed=packed),
            lengths=Narrow.of(lengths // unit, packed=packed),
            charges=Narrow.of(np.asarray(charged.charge_minor, np.int64), packed=packed),
            service_codes=Packed.of(np.asarray(charged.service).astype(np.uint8), packed=packed),
            billed_bits=Packed.of(
                np.packbits(np.asarray(charged.credit_billed, np.bool_)), packed=packed
            ),
            ref_gaps=Narrow.of(np.diff(stream.charged_refs(), prepend=-1), packed=packed)
            if refs
            else None,
        )

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (what a bank of these needs, one replication)."""
        parts = (self.gaps, self.lengths, self.charges, self.ref_gaps)
        narrow = sum(part.nbytes for part in parts if part is not None)
        return narrow + self.service_codes.nbytes + self.billed_bits.nbytes

    def pack(self) -> CompactCalls:
        """These calls with every array compressed (``of(..., packed=False)`` then this: the
        bank's workers send their demand unpacked, the server packs it as it arrives)."""
        return self._each("pack")

    def unpack(self) -> CompactCalls:
        """These calls with no array compressed: what is sent to a process that should not
        import pyarrow for them (the dashboard's sample path: ``sim.dashboard.path_worker``)."""
        return self._each("unpack")

    def _each(self, how: str) -> CompactCalls:
        """These calls with ``how`` (``"pack"`` or ``"unpack"``) applied to every array."""
        return replace(
            self,
            gaps=getattr(self.gaps, how)(),
            lengths=getattr(self.lengths, how)(),
            charges=getattr(self.charges, how)(),
            service_codes=getattr(self.service_codes, how)(),
            billed_bits=getattr(self.billed_bits, how)(),
            ref_gaps=None if self.ref_gaps is None else getattr(self.ref_gaps, how)(),
        )

    def stream(self) -> ChargedStream:
        """The charged calls as the engines read them, with the free calls counted.

        With ``ref_gaps`` kept, its ``calls(skip_free=True)`` and ``charged_refs()`` give the
        rows of the generated stream (``credsim run``'s call numbers), else the charged
        calls' own numbers.
        """
        gaps = self.gaps.wide()
        np.cumsum(gaps, out=gaps)
        starts = gaps
        if self.unit_us != 1:
            starts *= self.unit_us
        starts += self.first_start_us
        ends = self.lengths.wide()
        if self.unit_us != 1:
            ends *= self.unit_us
        ends += starts
        columns = {
            "start_us": starts,
            "end_us": ends,
            "service": self.service_codes.array().astype(np.int16),
            "charge_minor": self.charges.wide(),
            "credit_billed": np.unpackbits(self.billed_bits.array(), count=self.size).astype(
                np.bool_
            ),
        }
        refs = None
        if self.ref_gaps is not None:
            refs = self.ref_gaps.wide()
            np.cumsum(refs, out=refs)
            refs -= 1
        return ChargedStream(columns, self.services, self.pools, self.free_count, refs)


class ChargedStream(CallStream):
    """Charged calls whose free calls are only counted: what ``Prepared`` reads, no more.

    Pools' minutes (``billed_min``, ``pool``, ``pool_min``) are not kept in a
    ``CompactCalls``; reading them raises KeyError. Every call of this stream
    is charged; its calls are numbered by ``refs`` (their rows in the generated
    stream) when given, else by their own rows.
    """

    __slots__ = ("_free", "_refs")

    def __init__(
        self,
        columns: dict[str, np.ndarray],
        services: tuple[str, ...],
        pools: tuple[str, ...],
        free_count: int,
        refs: np.ndarray | None = None,
    ) -> None:
        self.services, self.pools = services, pools
        self._data = {name: columns[name] for name in ENGINE_COLUMNS}
        self._free = free_count
        self._refs = refs

    def __len__(self) -> int:
        return len(self._data["start_us"]) + self._free

    @property
    def free_count(self) -> int:
        return self._free

    @property
    def free_mask(self) -> np.ndarray:
        raise LookupError("the free calls of a compact demand were counted, not kept")

    def charged(self) -> CallStream:
        return ChargedStream(self._data, self.services, self.pools, 0)

    def charged_refs(self) -> np.ndarray:
        if self._refs is not None:
            return self._refs
        return np.arange(len(self._data["start_us"]))

    def calls(self, *, skip_free: bool = False) -> Iterator[Call]:
        if not skip_free:
            raise LookupError("the free calls of a compact demand were counted, not kept")
        return self._charged_calls()

    def _charged_calls(self) -> Iterator[Call]:
        columns = [self._data[name].tolist() for name in ENGINE_COLUMNS]
        rows = self.charged_refs().tolist()
        for row, start, end, code, charge, billed in zip(rows, *columns, strict=True):
            yield Call(start, end, self.services[code], charge, billed, row)
