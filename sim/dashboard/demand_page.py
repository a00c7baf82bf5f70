"""The Demand view: what the scenario's calls cost by month, when they start, how pools are used."""

from __future__ import annotations

import streamlit as st

from sim.dashboard.state import Choice, demand_picture
from sim.views import charts


def show(choice: Choice) -> None:
    """Replication 1's demand (``credsim demand --seed``), drawn by ``sim.views.charts``."""
    picture = demand_picture(choice.loaded.content_hash, choice.seed, choice.loaded)
    zone = choice.loaded.scenario.calendar.timezone
    st.caption(
        f"Replication 1 of seed {choice.seed}: the calls the Monte Carlo replays, "
        "before any policy blocks them."
    )
    st.plotly_chart(charts.spend_by_month(picture.summary))
    left, right = st.columns(2)
    left.plotly_chart(
        charts.calls_by_hour_weekday(
            picture.by_hour_weekday, timezone=zone, title="When calls start (all calls)"
        )
    )
    right.plotly_chart(
        charts.calls_by_hour_weekday(
            picture.charged_by_hour_weekday, timezone=zone, title="When charged calls start"
        )
    )
    st.plotly_chart(charts.pool_use(picture.summary))
