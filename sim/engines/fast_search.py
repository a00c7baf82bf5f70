"""Searches in sorted arrays that start where the loop stands: O(log distance), not O(log n).

The compiled loop (``sim.engines.fast_loop``) and the skip engine's jumps
(``sim.engines.skip_stretch``) look for the next posting at or after an event,
or the last one within a balance, always ahead of a pointer that only moves
forward, and mostly a few dozen postings ahead. ``np.searchsorted`` over the
rest of the array bisects all of it: on ``midsize`` about 16 probes scattered
over 0.4 MB arrays, several times per recharge, and they were the larger part
of a policy's compiled work. A galloping search probes ``lo + 1, lo + 2, lo + 4,
...`` and bisects the last gap: log2 of the distance, in memory already cached.
"""

from __future__ import annotations

import numpy as np

from sim.engines.jit_cache import njit


@njit(cache=True, inline="always")
def first_at_least(values: np.ndarray, lo: int, stop: int, value: int) -> int:
    """The first index in ``lo .. stop - 1`` whose value is >= ``value`` (``stop``: none).

    ``values[lo:stop]`` must be sorted; the same as
    ``lo + np.searchsorted(values[lo:stop], value, side="left")``.
    """
    if lo >= stop or values[lo] >= value:
        return lo
    below, step = lo, 1  # values[below] < value
    while below + step < stop and values[below + step] < value:
        below += step
        step *= 2
    above = min(below + step, stop)  # values[above] >= value, or above == stop
    while above - below > 1:
        middle = (below + above) >> 1
        if values[middle] < value:
            below = middle
        else:
            above = middle
    return above
