"""The wall time a sweep cannot go below, from its steps' CPU (``floors_bench.py``).

Two lower bounds: the steps that must follow one another (a chain, whatever runs beside
it), and all the CPU spent once over the cores. A schedule can do no better than the
larger, so a target below it needs fewer or cheaper steps, not a better schedule.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SweepSteps:
    """A sweep's steps in CPU seconds, and the wall time they cannot go below."""

    base_imports_s: float
    """The interpreter, click, numpy and the scenario schema: before anything else."""
    special_s: float
    """``scipy.special`` beyond them: the summary's quantiles, in any process, any time."""
    numba_s: float
    """numba beyond them: before the engine's load."""
    engine_load_s: float
    """The compiled engine from numba's cache: before the first policy."""
    demand_and_policies_s: float
    """Every replication's demand and policies: divides over the cores."""
    after_demand_s: float
    """The rule of thumb (its policy needs every replication's spend), the summary and
    the files: after all the demand."""

    def chain_s(self) -> float:
        """The steps that must follow one another, whatever runs beside them."""
        return self.base_imports_s + self.numba_s + self.engine_load_s + self.after_demand_s

    def total_s(self) -> float:
        """All the CPU, each step once (nothing imported or loaded twice)."""
        return self.chain_s() + self.special_s + self.demand_and_policies_s

    def floor_s(self, cores: int, extra_s: float = 0.0) -> float:
        """The larger of the chain and all the CPU (plus ``extra_s``) over ``cores``."""
        return max(self.chain_s(), (self.total_s() + extra_s) / cores)
