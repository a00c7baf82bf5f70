"""The Trade-offs view's sensitivity: a button after a sweep, the tornados, the robust choice.

Why behind a button: the analysis runs the recommended policy and a few
others in every setting of the uncertain inputs (``sim.study.sensitivity``),
about ten times the work of one policy's replications, which is minutes on a
big scenario; it runs under the dashboard's budget (``sim.dashboard.jobs.Watch``)
with a progress bar, on the sweep's replications or fewer (a planner's choice:
fewer are quicker, but too few and no policy can meet the risk limit), and its
result is kept for the sweep it was run on.
The words, tables and charts are the report's (``sim.views.report_sensitivity``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sim.dashboard.jobs import Watch
from sim.dashboard.state import Choice
from sim.errors import InputError
from sim.study.executors import LocalExecutor
from sim.study.sensitivity import run_sensitivity
from sim.study.sensitivity_result import Sensitivity
from sim.study.sweep import ProgressFactory, Swept
from sim.views import report_sensitivity as shown

BUTTON = "Sensitivity of the recommended policy"
KEPT = "sensitivity"


def show(choice: Choice, output: Swept, progress: ProgressFactory) -> None:
    """The button, then the analysis of this sweep when one was run."""
    summary = output.summary
    head = summary.head
    sweep = (choice.loaded.content_hash, head.grid, head.replications, head.seed)
    st.markdown(f"**{BUTTON}**: its outage risk and cost with each uncertain input at a low "
                "and a high value, and the robust choice across them.")  # fmt: skip
    left, right = st.columns([1, 3])
    replications = left.number_input(
        "Sensitivity replications (at most the sweep's)", min_value=1,
        max_value=head.replications, value=head.replications, step=1,
        key=f"sensitivity_replications@{choice.loaded.content_hash[:12]}",
    )  # fmt: skip
    if right.button(f"{BUTTON} ({replications} replications, seed {head.seed})"):
        watch = Watch(f"the sensitivity of {summary.recommendation.label}")
        try:
            result = run_sensitivity(
                choice.loaded, summary, replications=int(replications),
                executor=LocalExecutor(check=watch.check), progress=progress,
            )  # fmt: skip
        except InputError as error:
            st.error(str(error))
            return
        watch.done()
        st.session_state[KEPT] = (sweep, result)
    kept = st.session_state.get(KEPT)
    if kept is not None and kept[0] == sweep:
        _result(kept[1])


def _result(result: Sensitivity) -> None:
    """The robust choice, the tornados, the two tables and the notes."""
    first, *rest = shown.lines(result)
    (st.success if result.robust.ranked else st.warning)(first)
    for line in rest:
        st.caption(line)
    st.caption(shown.intro(result))
    for _, _, figure in shown.figures(result):
        st.plotly_chart(figure)
    tables = [shown.inputs_table(result)]
    if result.robust.ranked:
        tables.append(shown.regret_table(result))
    for table in tables:
        st.table(pd.DataFrame(list(table.rows), columns=list(table.head)))
    for note in shown.notes(result):
        st.caption(note)
