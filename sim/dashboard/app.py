"""The dashboard's page: a sidebar that makes a ``Choice`` and one view of it.

Thin on purpose: the sidebar collects a ``Choice`` (scenario, edits, policy,
replications, seed), and each view hands it to the study layer and draws what
comes back with ``sim.views.charts``. No simulation, statistics or plotting
lives in ``sim/dashboard/``: they are in the lower packages, where the CLI,
report and notebooks share them.

Streamlit runs this file as a script (``credsim dashboard`` or
``streamlit run app_dashboard.py``), once per interaction.
"""

from __future__ import annotations

import streamlit as st

from sim.dashboard import (
    backtest_page,
    demand_page,
    link,
    policy_page,
    scenario_page,
    tradeoffs_page,
)
from sim.dashboard.bank_workers import return_freed_memory
from sim.dashboard.failures import show_bug
from sim.dashboard.jobs import SessionGone
from sim.dashboard.sidebar import MAX_REPLICATIONS, choose
from sim.errors import InputError

VIEWS = {
    "Policy": policy_page.show,
    "Trade-offs": tradeoffs_page.show,
    "Demand": demand_page.show,
    "Backtest": backtest_page.show,
    "Scenario": scenario_page.show,
}


def main() -> None:
    """Draw the page once (Streamlit calls the script again on every interaction)."""
    st.set_page_config(page_title="credsim: Teams Communications Credits", layout="wide")
    st.title("credsim: Communications Credits planner")
    try:
        _page()
    except InputError as error:  # the model's own words, e.g. a bank too big for memory
        st.error(str(error))
    except SessionGone:  # the tab closed while a computation ran: nobody to tell
        return
    except Exception as error:  # a bug: a friendly line here, the traceback in the server log
        show_bug(error)
    finally:
        # What this run read from Streamlit's data cache was unpickled for it (replication
        # 1's journal: about 100 MB on enterprise) and is freed now; glibc kept its pages,
        # and the server grew by 300 MB over a few edits (docs/performance-history.md).
        return_freed_memory()


def _page() -> None:
    """The sidebar's choice and the chosen view (Streamlit's own stop and rerun pass through)."""
    link.open_once(list(VIEWS), MAX_REPLICATIONS)  # an address such as ?scenario=...&seed=...
    choice = choose()
    view = st.segmented_control("View", list(VIEWS), default="Policy", key="view", required=True)
    if choice is None:
        st.info("Results appear here once the inputs in the sidebar are valid.")
        st.stop()
    link.keep(choice, view or "Policy")
    VIEWS[view or "Policy"](choice)


if __name__ == "__main__":
    main()
