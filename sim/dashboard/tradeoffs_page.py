"""The Trade-offs view: a sweep with a progress bar, heatmaps, the Pareto frontier, a comparison.

The sweep is ``credsim sweep`` run in a scratch folder (``sim.dashboard.explore_sweep``);
its results stay in the session, tied to the scenario (as edited) they were
run on, so changing the sidebar's policy or view does not throw them away.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from sim.dashboard import explore_sweep, sensitivity_page
from sim.dashboard.explore import Edits
from sim.dashboard.jobs import Watch
from sim.dashboard.scenario_page import show_assumptions
from sim.dashboard.state import Choice, comparison, keep_sweep, kept_sweep
from sim.dashboard.verdict_panel import APPLIED, preselected, show_verdict
from sim.errors import InputError
from sim.study.experiment import grid_portal, scenario_levers
from sim.study.grid import Grid
from sim.study.kpis import kpi
from sim.study.summary import SweepSummary
from sim.study.sweep import Advance, Swept
from sim.study.sweep_summary import summary_table
from sim.views import charts

MAX_COMPARED = 3
HEATMAPS = ("outage_risk_per_year", "cost_per_year", "forfeited_per_year")
"""The figures drawn per trigger and amount (their labels and units: ``sim.study.kpis``);
outage risk is coloured against the risk limit, the expected cost is what is minimised."""


def show(choice: Choice) -> None:
    """The sweep form, then the results of the last sweep of this scenario, then a comparison."""
    kept = _sweep_form(choice)
    if kept is not None:
        _results(choice, *kept)
    _comparison(choice, None if kept is None else kept[0].summary)


@contextmanager
def progress_bar(stage: str, total: int) -> Iterator[Advance]:
    """``sim.study.sweep``'s progress factory, drawn as an ``st.progress`` bar per stage."""
    bar = st.progress(0.0, text=f"{stage}: 0/{total} replications")
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        bar.progress(done / max(total, 1), text=f"{stage}: {done}/{total} replications")

    yield advance
    bar.empty()


def _sweep_form(choice: Choice) -> tuple[Swept, Grid] | None:
    """Grid inputs and the run button; the session's sweep of this scenario, if any."""
    scenario = choice.loaded.scenario
    triggers, amounts = explore_sweep.grid_form_text(scenario)
    scope = choice.loaded.content_hash[:12]
    with st.form(f"sweep@{scope}"):
        st.markdown("**Sweep a grid of policies** (`START:STOP:STEP` or `50,100,200`)")
        left, middle, right = st.columns(3)
        triggers = left.text_input("Triggers", triggers, key=f"triggers@{scope}")
        amounts = middle.text_input("Recharge amounts", amounts, key=f"amounts@{scope}")
        initials = right.text_input(
            "Initial balances (empty: the file's)", "", key=f"initials@{scope}"
        )
        widen = st.checkbox(
            "Widen the grid where the recommended policy sits at its edge",
            value=True,
            key=f"widen@{scope}",
            help=f"At most {explore_sweep.WIDEN.rounds} times, adding "
            f"{explore_sweep.WIDEN.values} values at that end each time, never below the admin "
            "portal's minimum.",
        )
        run = st.form_submit_button(
            f"Run the sweep ({choice.replications} replications, seed {choice.seed})"
        )
    if run:
        try:
            grid = explore_sweep.sweep_grid(scenario, triggers, amounts, initials)
        except InputError as error:
            st.error(str(error))
        else:
            watch = Watch(f"the sweep of {len(grid):,} policies")
            output = explore_sweep.sweep(
                choice.loaded,
                grid,
                replications=choice.replications,
                seed=choice.seed,
                progress=progress_bar,
                check=watch.check,
                widen=widen,
            )
            watch.done()
            keep_sweep(choice, output, grid)
    kept = kept_sweep(choice)
    if kept is None:
        st.info("Run a sweep to see the trade-off between outage risk and cost over a grid.")
        return None
    output, grid = kept
    code = scenario.scenario.currency
    for line in grid_portal(code, grid.levers(scenario_levers(scenario))):
        st.warning(f"Admin portal: {line}")  # swept all the same
    st.caption(
        f"Last sweep: {output.summary.head.replications} replications, seed "
        f"{output.summary.head.seed}, {output.wall_s:.1f} s."
    )
    return kept


def _results(choice: Choice, output: Swept, grid: Grid) -> None:
    """The recommendation, the two heatmaps, the frontier and the downloads."""
    summary = output.summary
    rec = summary.recommendation
    show_verdict(choice, summary, "tradeoffs")
    text = f"**Recommended: {rec.label}.** {rec.reason}"
    (st.warning if rec.warning else st.success)(text)
    if rec.warning:
        st.warning(rec.warning)
    if summary.widening is not None and summary.widening.text():
        text = summary.widening.text()
        st.info(f"{text[:1].upper()}{text[1:]}.")
    show_assumptions(choice.loaded.scenario)
    rows = summary_table(summary)
    initials = explore_sweep.grid_initials(rows)
    initial = initials[0]
    if len(initials) > 1:
        initial = st.selectbox(
            "Initial balance shown in the heatmaps", initials, key="heat_initial"
        )
    one = explore_sweep.heatmap_rows(rows, initial)
    chosen = rec.label if rec.label in set(one["label"]) else None
    for name in HEATMAPS:
        shown = kpi(name)
        st.plotly_chart(
            charts.grid_heatmap(
                one,
                name,
                unit=shown.unit,
                currency=choice.currency,
                title=shown.label,
                recommended=chosen,
                limit=summary.objective.max_outage_risk_per_year,
            )
        )
    st.plotly_chart(
        charts.pareto_chart(
            rows,
            frontier=summary.frontier,
            recommended=rec.label,
            documented_example=summary.reference("documented_example").label,
            rule_of_thumb=summary.reference("rule_of_thumb").label,
            currency=choice.currency,
            limit=summary.objective.max_outage_risk_per_year,
        )
    )
    _downloads(choice, output, grid)
    sensitivity_page.show(choice, output, progress_bar)


def _downloads(choice: Choice, output: Swept, grid: Grid) -> None:
    """The sweep's summary.csv, and the standalone HTML report on the same grid."""
    summary = output.summary
    left, right = st.columns(2)
    left.download_button(
        "Download the sweep summary (CSV)",
        output.summary_csv,
        file_name=f"sweep-{summary.head.scenario}.csv",
        mime="text/csv",
        key="sweep_download",
    )
    wanted = (choice.loaded.content_hash, grid, summary.head.replications, summary.head.seed)
    if right.button("Build the HTML report (adds the recommended policy's fan and path)"):
        html = explore_sweep.report_html(choice.loaded, grid, output, progress=progress_bar)
        st.session_state["report"] = (wanted, html)
    kept = st.session_state.get("report")
    if kept is not None and kept[0] == wanted:
        right.download_button(
            "Download the HTML report",
            kept[1],
            file_name=f"credsim-report-{summary.head.scenario}.html",
            mime="text/html",
            key="report_download",
        )
        if choice.edits != Edits():
            right.caption("The report's command recomputes the scenario file, without your edits.")


def _comparison(choice: Choice, summary: SweepSummary | None) -> None:
    """Up to three policies side by side on the sidebar's replications."""
    st.markdown("**Compare up to three policies** (pick, or type one as `T300/A800/I1000`)")
    choices = explore_sweep.policy_choices(choice.loaded.scenario, choice.levers, summary)
    names = list(choices)
    picked = st.multiselect(
        "Policies",
        names,
        default=preselected(names, choices, 2),
        max_selections=MAX_COMPARED,
        accept_new_options=True,
        key=f"compare@{st.session_state.get(APPLIED)}@{'|'.join(names)}",
    )
    if not picked:
        return
    try:
        levers = tuple(
            choices.get(name) or explore_sweep.parse_label(name, choice.file_levers)
            for name in picked
        )
    except InputError as error:
        st.error(str(error))
        return
    st.table(comparison(*choice.key, choice.objective_key, levers, choice))
