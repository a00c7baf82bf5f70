"""Buffers a replication's shared arrays reuse once the replication before is done with them.

Why: every replication gets new compiled arrays (``fast.Prepared``: the post order
and the admission counts; ``skip_layout``: the skip engine's prefix arrays), about
70 bytes per charged call, 3.4 MB on ``midsize``. Fresh from the allocator, every
page of them was a page fault: glibc hands memory above its threshold back to the
kernel when it is freed, and the next replication's arrays faulted it in again,
630 faults per ``midsize`` grid, 1.5 of the skip engine's 5 ms at load 1-2 on the
2-core machine. A replication's buffers come from here instead and go back when
nothing holds them any more, so a sweep's next replication (or a benchmark's next
grid) writes into memory already mapped.

Whether a buffer is free is read from CPython's reference count: every array
handed out is a view of a buffer the pool holds, and a view keeps its base
alive, so a buffer no view (nor anything else) refers to has only the pool's own
references. A buffer still held (a dashboard keeps its replications' ``Prepared``)
is never handed out twice. A lock makes taking one atomic between threads.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

KEPT_BUFFERS = 2
"""Buffers of each dtype the pool keeps: a replication's int64 arrays take two (the
admission counts and the prefix arrays' block), its post order one int32 buffer. A
larger request replaces a free, smaller buffer."""
HEADROOM = 8
"""A new buffer holds 1/HEADROOM more than asked: the next replication's stream is a bit longer."""


class ScratchPool:
    """Reusable 1-d buffers, handed out as views of ``size`` elements (module docstring)."""

    def __init__(self, kept: int = KEPT_BUFFERS) -> None:
        self.kept = kept
        self.buffers: list[np.ndarray] = []
        self.lock = threading.Lock()

    def take(self, size: int, dtype: type[np.generic]) -> np.ndarray:
        """An uninitialised array of ``size`` elements of ``dtype``, nobody else's until dropped."""
        wanted = np.dtype(dtype)
        with self.lock:
            free = self._free(wanted)
            fits = [index for index in free if self.buffers[index].size >= size]
            if fits:
                return self.buffers[min(fits, key=lambda index: self.buffers[index].size)][:size]
            if sum(kept.dtype == wanted for kept in self.buffers) < self.kept:
                self.buffers.append(np.empty(size + size // HEADROOM, wanted))
                return self.buffers[-1][:size]
            if free:  # the pool is full: a new buffer replaces the smallest free one
                smallest = min(free, key=lambda index: self.buffers[index].size)
                self.buffers[smallest] = np.empty(size + size // HEADROOM, wanted)
                return self.buffers[smallest][:size]
            return np.empty(size, wanted)  # every kept buffer is held: one of its own

    def release(self) -> None:
        """Drop the buffers nobody holds (memory back to the allocator, e.g. before a trim)."""
        with self.lock:
            held = set(range(len(self.buffers))) - set(self._free(None))
            self.buffers = [self.buffers[index] for index in sorted(held)]

    def _free(self, dtype: np.dtype | None) -> list[int]:
        """Indices of the buffers of ``dtype`` (None: any) that only the pool refers to.

        ``sys.getrefcount`` of ``self.buffers[index]`` counts the list's reference and
        its own argument: 2 means no view of the buffer, nor anything else, is alive.
        """
        return [
            index
            for index in range(len(self.buffers))
            if (dtype is None or self.buffers[index].dtype == dtype)
            and sys.getrefcount(self.buffers[index]) == 2
        ]


POOL = ScratchPool()
"""The process's pool: the engines' shared arrays of one replication after another."""
