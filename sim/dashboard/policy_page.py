"""The Policy view: KPI cards with CIs, the balance fan, one sample path, where money was lost."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from sim.dashboard.explore_display import forfeit_table, journal_csv, kpi_cards
from sim.dashboard.scenario_page import show_assumptions
from sim.dashboard.state import Choice, kept_sweep, policy_path, policy_view
from sim.dashboard.verdict_panel import show_verdict
from sim.views import charts

CARDS_PER_ROW = 3
"""Three cards a row: at four, "Blocked toll-free dial-ins a year" is cut at 1,400 px."""
DELTA_COLOURS: dict[bool | None, Literal["inverse", "normal", "off"]] = {
    True: "inverse",
    False: "normal",
    None: "off",
}
"""A change's colour by whether lower is better: a fall is green when it is good news."""


def show(choice: Choice) -> None:
    """Draw the view for the sidebar's policy (cached per policy; the demand is kept)."""
    view = policy_view(choice, choice.levers)
    baseline = None
    if choice.levers != choice.file_levers:
        baseline = policy_view(choice, choice.file_levers).kpis
    st.subheader(f"Policy {choice.levers.label()} over {choice.replications} replications")
    if baseline is not None:
        st.caption(f"Changes are against the scenario file's policy, {choice.file_levers.label()}.")
    kept = kept_sweep(choice)
    if kept is None:
        st.caption("Which trigger and amount to choose: the Trade-offs view sweeps a grid and "
                   "recommends one, with its reason.")  # fmt: skip
    else:
        show_verdict(choice, kept[0].summary, "policy")
    show_assumptions(choice.loaded.scenario)
    cards = kpi_cards(view.kpis, view.currency, baseline)
    for start in range(0, len(cards), CARDS_PER_ROW):
        row = cards[start : start + CARDS_PER_ROW]
        for column, card in zip(st.columns(CARDS_PER_ROW), row, strict=False):
            with column:
                st.metric(
                    card.label,
                    card.value,
                    card.delta,
                    delta_color=DELTA_COLOURS[card.lower_is_better],
                    help=card.help,
                    border=True,
                )
                st.caption(card.interval)
    trigger = None if choice.levers.trigger is None else float(choice.levers.trigger)
    began = choice.loaded.scenario.scenario.start
    st.plotly_chart(
        charts.balance_fan(view.bands, currency=view.currency, trigger=trigger, start=began)
    )
    picture = policy_path(choice, choice.levers)  # after the cards: they show while it replays
    st.plotly_chart(charts.sample_path_chart(picture.path, currency=view.currency, trigger=trigger))
    st.plotly_chart(charts.forfeiture_sources(picture.lots, currency=view.currency))
    forfeits = forfeit_table(picture.lots, view.currency)
    if forfeits.empty:
        st.caption("No lot of this replication expired with money left in it.")
    else:
        st.markdown("**The lots of this replication that expired with money left in them**")
        st.dataframe(forfeits, hide_index=True)
    name = f"journal-{choice.loaded.scenario.scenario.name}-{view.levers.label()}"
    st.download_button(
        "Download the sample path's journal (CSV)",
        lambda: journal_csv(picture.trace.entries, view.currency),
        file_name=f"{name.replace('/', '-')}.csv",
        mime="text/csv",
        key="journal_download",
    )
