"""The Scenario view: what the model was told (as ``credsim validate`` says it), edits, the file."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from sim.dashboard import tenant_panel
from sim.dashboard.state import Choice
from sim.views.scenario_text import scenario_text
from sim.world.assumptions import assumptions
from sim.world.scenario import Scenario


def show(choice: Choice) -> None:
    """The scenario's summary, the edits in force, and its TOML source."""
    scenario = choice.loaded.scenario
    if choice.calibration is not None:
        tenant_panel.show(choice.calibration)
    if scenario.scenario.description:
        st.markdown(f"**{scenario.scenario.name}**: {scenario.scenario.description}")
    st.code(scenario_text(choice.loaded), language=None, wrap_lines=True)
    edits = {
        name: value for name, value in asdict(choice.edits).items() if value not in (None, False)
    }
    if edits:
        st.markdown("**Edits in force** (on top of the file):")
        st.json({name: str(value) for name, value in edits.items()})
    with st.expander("The scenario file", expanded=False):
        st.code(choice.source.decode("utf-8", errors="replace"), language="toml")


def show_assumptions(scenario: Scenario) -> None:
    """The assumptions in force under a result (``sim.world.assumptions``: the CLI's wording).

    Folded, but its title says how many values are the documented defaults
    rather than the scenario's, so an optimistic or assumed world is never silent.
    """
    items = assumptions(scenario)
    defaulted = sum(not item.stated for item in items)
    title = f"Assumptions in force ({defaulted} of {len(items)} are documented defaults)"
    with st.expander(title, expanded=False):
        st.markdown("\n".join(f"- {item.text()}" for item in items))
