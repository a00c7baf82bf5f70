"""What a sensitivity analysis found: each candidate in each setting, read as tables and words.

Why apart from ``sim.study.sensitivity`` (which runs it): the report, the
dashboard and the tests read a finished analysis (the tornado's rows, the
robust choice in words, the ranges assumed) without running anything, and a
hand-built one tests them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sim.account import format as fmt
from sim.account.money import currency
from sim.study.experiment import Levers
from sim.study.regret import Robust
from sim.study.stats import Estimate
from sim.study.variations import Setting, Varied

BASE = "base"
"""The id of the setting "as in the scenario"."""


@dataclass(frozen=True)
class Candidate:
    """A policy run in every setting, and why it is one."""

    levers: Levers
    roles: tuple[str, ...]
    """``recommended``, ``documented example``, ``rule of thumb``, ``next cheapest``."""

    @property
    def label(self) -> str:
        """``T400/A1000/I1000``."""
        return self.levers.label()


@dataclass(frozen=True)
class Figures:
    """One candidate in one setting: outage risk a year (Wilson) and expected cost a year."""

    risk: Estimate
    cost: Estimate

    @property
    def risk_upper(self) -> float:
        """The 95 % upper bound of the risk (the estimate when there is none)."""
        return self.risk.estimate if self.risk.ci_high is None else self.risk.ci_high


@dataclass(frozen=True)
class Sensitivity:
    """Every candidate in every setting, the variations as applied, and the robust choice."""

    scenario: str
    currency: str
    limit: float
    candidates: tuple[Candidate, ...]
    varied: tuple[Varied, ...]
    figures: dict[str, dict[str, Figures]]
    """setting id (``base``, ``failure_probability:high``...) -> label -> figures."""
    robust: Robust
    replications: int
    seed: int
    engine: str
    wall_s: float
    left_out: tuple[str, ...] = ()
    """References not tried, each with why (the admin portal would refuse them)."""

    @property
    def recommended(self) -> str:
        """The label of the recommended policy (the first candidate)."""
        return self.candidates[0].label

    def settings(self) -> list[Setting]:
        """Every varied setting, in table order (low before high)."""
        return [setting for item in self.varied for setting in item.settings]

    def tornado(self, label: str | None = None) -> pd.DataFrame:
        """One row per applied variation of ``label`` (the recommended policy by default).

        Columns: ``input``, ``base``, ``low``, ``high`` (values in words), then
        ``risk.<side>`` and ``cost.<side>`` for ``base``, ``low``, ``high``, and
        ``risk_swing`` and ``cost_swing`` (from the least to the most of the three);
        sorted by the cost swing, largest first.
        """
        label = label or self.recommended
        base = self.figures[BASE][label]
        rows = []
        for item in self.varied:
            if not item.settings:
                continue
            row: dict[str, object] = {"input": item.variation.name, "base": item.base}
            for name in ("risk", "cost"):
                values = [getattr(base, name).estimate]
                row[f"{name}.base"] = values[0]
                for setting in item.settings:
                    value = getattr(self.figures[setting.id][label], name).estimate
                    row[setting.side], row[f"{name}.{setting.side}"] = setting.value, value
                    values.append(value)
                row[f"{name}_swing"] = max(values) - min(values)  # the bar's whole span
            rows.append(row)
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        return frame.sort_values("cost_swing", ascending=False, kind="stable").reset_index(
            drop=True
        )

    def setting_words(self, setting_id: str) -> str:
        """``payment failure probability at 3.0 %``; ``the scenario as it is`` for the base."""
        for item in self.varied:
            for setting in item.settings:
                if setting.id == setting_id:
                    return f"{item.variation.name} at {setting.value}"
        return "the scenario as it is" if setting_id == BASE else setting_id

    def named(self, label: str) -> str:
        """``T74/A322/I322 (the rule of thumb)``: a candidate with its roles."""
        roles = next(item.roles for item in self.candidates if item.label == label)
        return f"{label} ({', '.join(roles)})"

    def notes(self) -> list[str]:
        """The variations and the references left out, each with why."""
        notes = [f"{item.variation.name}: {item.note}" for item in self.varied if item.note]
        return notes + list(self.left_out)

    def robust_text(self) -> str:
        """The robust choice beside the point optimum, in words."""
        cur = currency(self.currency)
        robust, rec = self.robust, self.recommended
        choice, limit = robust.choice, fmt.percent(self.limit)
        if not robust.ranked:
            return (
                f"No policy tried keeps its outage risk within {limit} a year at the 95 % upper "
                "bound in any setting, so regret cannot rank them and there is no robust choice "
                f"beside the point optimum {rec} (see the recommendation's warning)."
            )
        broken = robust.broken(choice)
        regret, where = robust.worst(choice)
        somewhere = " where any policy tried does" if robust.unresolved else ""
        if broken:
            text = (
                f"Every candidate breaks the outage-risk limit of {limit} a year in some setting; "
                f"{self.named(choice)} breaks it in the fewest ({len(broken)}: "
                f"{', '.join(self.setting_words(s) for s in broken)})."
            )
        else:
            text = (
                f"The robust choice is {self.named(choice)}: in every setting{somewhere} it "
                f"keeps the outage risk within {limit} a year (95 % upper bound) and "
            )
            if regret == 0:
                text += "is the cheapest policy tried that does."
            else:
                text += (
                    f"costs at most {fmt.money_major(regret, cur)} a year more than the cheapest "
                    f"policy tried that does (with {self.setting_words(where or BASE)})."
                )
        if robust.is_point_optimum:
            return text + " It is the point optimum: the recommended policy holds up."
        worst = robust.worst_case(rec)
        if math.isinf(worst):
            settings = ", ".join(self.setting_words(s) for s in robust.broken(rec))
            why = f"breaks the limit with {settings}"
        else:
            why = f"costs up to {fmt.money_major(worst, cur)} a year more than the cheapest"
        return text + f" The point optimum {rec} {why}."

    def assumptions(self) -> list[str]:
        """Each variation's rule, in words."""
        return [f"{item.variation.name}: {item.variation.rule}" for item in self.varied]
