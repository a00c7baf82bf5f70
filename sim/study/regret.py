"""The robust choice: the candidate policy with the least worst-case regret over the settings.

Why regret and not the average: the settings of a sensitivity analysis are
not equally likely draws of one world, they are "what if we were wrong about
X"; the planner wants the policy that is never much worse than the best one
could have chosen had they known. So, in each setting:

- a candidate **meets the limit** when the 95 % upper bound of its outage
  risk a year is within ``max_outage_risk_per_year`` (as the recommendation
  rules, docs/model.md#recommendation);
- its **regret** is its expected cost a year minus the least expected cost
  among the candidates that meet the limit there; a candidate that breaks the
  limit has no price that makes up for it: its regret is infinite, reported
  as "breaks the limit";
- a setting where no candidate meets the limit cannot tell them apart on
  cost; it is reported, and left out of the regrets.

The **robust choice** has the least worst-case regret; when every candidate
breaks the limit somewhere, the one that breaks it in the fewest settings,
then the least worst-case regret over the settings where it holds. Ties go
to the earlier candidate (the point optimum comes first). Plain numbers in,
so it is tested on hand-built tables without a simulation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One candidate in one setting: its expected cost a year and whether it meets the limit."""

    cost: float
    meets_limit: bool


@dataclass(frozen=True)
class Robust:
    """Regrets per candidate and setting, and the robust choice among the candidates."""

    labels: tuple[str, ...]
    """The candidates in order (the point optimum first)."""
    regret: dict[str, dict[str, float]]
    """label -> setting -> regret (``math.inf``: breaks the limit there)."""
    unresolved: tuple[str, ...]
    """Settings where no candidate meets the limit (left out of the regrets)."""
    choice: str

    def broken(self, label: str) -> list[str]:
        """The settings where ``label`` breaks the limit."""
        return [setting for setting, value in self.regret[label].items() if math.isinf(value)]

    def worst(self, label: str) -> tuple[float, str | None]:
        """The worst finite regret of ``label`` and its setting (0, None when none)."""
        finite = [(value, setting) for setting, value in self.regret[label].items()
                  if not math.isinf(value)]  # fmt: skip
        if not finite:
            return 0.0, None
        return max(finite, key=lambda pair: pair[0])

    def worst_case(self, label: str) -> float:
        """The worst-case regret: infinite when it breaks the limit in some setting."""
        return math.inf if self.broken(label) else self.worst(label)[0]

    @property
    def ranked(self) -> bool:
        """False when no setting has a candidate within the limit: regret ranks nothing."""
        return any(self.regret[label] for label in self.labels)

    @property
    def is_point_optimum(self) -> bool:
        """Whether the robust choice is the first candidate (the point optimum)."""
        return self.choice == self.labels[0]


def robust_choice(table: Mapping[str, Mapping[str, Cell]], labels: Sequence[str]) -> Robust:
    """Regrets and the robust choice; ``table`` is setting -> label -> Cell.

    ``labels`` orders the candidates (ties go to the earlier); every setting
    must have a cell for every label (KeyError names the first missing one).
    """
    if not labels:
        raise ValueError("robust_choice needs at least one candidate")
    regret: dict[str, dict[str, float]] = {label: {} for label in labels}
    unresolved = []
    for setting, cells in table.items():
        row = [cells[label] for label in labels]
        feasible = [cell.cost for cell in row if cell.meets_limit]
        if not feasible:
            unresolved.append(setting)
            continue
        best = min(feasible)
        for label, cell in zip(labels, row, strict=True):
            regret[label][setting] = cell.cost - best if cell.meets_limit else math.inf
    robust = Robust(tuple(labels), regret, tuple(unresolved), labels[0])

    def rank(position: int) -> tuple[int, float, int]:
        label = labels[position]
        return len(robust.broken(label)), robust.worst(label)[0], position

    choice = labels[min(range(len(labels)), key=rank)]
    return Robust(tuple(labels), regret, tuple(unresolved), choice)
