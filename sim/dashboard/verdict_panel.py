"""The verdict of the last sweep's recommended policy, and the button that applies it.

Why one panel for two views: the Policy and Trade-offs views both open with
what to set and what it will do, in the words of ``sim.study.verdict`` (the
same as ``credsim sweep`` and the report): the sweep summary's own
``recommendation.verdict``, never recomputed, so the page cannot say another
figure than summary.json and the report. "Apply this policy" puts its trigger, amount and initial
balance in the sidebar's policy inputs, and marks it as the policy to
pre-select in the Trade-offs comparison and the Backtest view.
"""

from __future__ import annotations

import streamlit as st

from sim.dashboard.state import Choice
from sim.study.experiment import Levers
from sim.study.summary import SweepSummary

APPLIED = "applied_policy"
"""Session key: the label of the policy last applied from a verdict (``T200/A1500/I1000``)."""


def show_verdict(choice: Choice, summary: SweepSummary, where: str) -> None:
    """The verdict, and "Apply this policy" unless the sidebar already holds it."""
    rec = summary.recommendation
    st.success(f"**Verdict.** {rec.verdict}")
    levers = rec.levers
    if levers == choice.levers:
        st.caption(f"The sidebar holds this policy ({levers.label()}).")
        return
    st.button(
        f"Apply this policy ({levers.label()})",
        key=f"apply@{where}",
        on_click=apply,
        args=(choice.scope, levers),
        help="Puts its trigger, amount and initial balance in the sidebar, and pre-selects it "
        "in the Trade-offs comparison and the Backtest view.",
    )


def apply(scope: str, levers: Levers) -> None:
    """Set the sidebar's policy inputs to ``levers`` (a callback: runs before the rerun)."""
    state = st.session_state
    state[f"auto@{scope}"] = levers.auto_recharge
    if levers.trigger is not None and levers.amount is not None:
        state[f"trigger@{scope}"] = float(levers.trigger)
        state[f"amount@{scope}"] = float(levers.amount)
    state[f"initial@{scope}"] = float(levers.initial)
    state[APPLIED] = levers.label()


def preselected(names: list[str], choices: dict[str, Levers], count: int) -> list[str]:
    """The first ``count`` policy names to select: the one applied from a verdict first."""
    applied = st.session_state.get(APPLIED)
    first = [name for name in names if choices[name].label() == applied][:1]
    rest = [name for name in names if name not in first]
    return [*first, *rest][:count]
