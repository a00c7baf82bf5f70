"""The Backtest view: replay an uploaded PSTN usage report under a few policies, with journals."""

from __future__ import annotations

import streamlit as st

from sim.dashboard import explore_sweep
from sim.dashboard.explore_display import backtest_table, journal_csv, journal_frame
from sim.dashboard.state import Choice, backtests, kept_sweep
from sim.errors import InputError

REPORT_MAX_MB = 50
"""Per upload; also ``server.maxUploadSize`` in .streamlit/config.toml (bigger: the CLI)."""
MAX_POLICIES = 4


def show(choice: Choice) -> None:
    """Upload, pick policies, replay; the figures side by side and each policy's journal."""
    st.markdown(
        "Replay a recorded **Teams PSTN usage report** export (or a Skype for Business report, "
        "or a `start,end,service,charge` stream CSV) under your policy and a few others. "
        "Amounts are read in the file's currency."
    )
    upload = st.file_uploader(
        f"Usage report (.csv, up to {REPORT_MAX_MB} MB)",
        type=["csv", "tsv", "txt"],
        key="report_upload",
        max_upload_size=REPORT_MAX_MB,
    )
    kept = kept_sweep(choice)  # its recommendation is worth replaying too
    summary = None if kept is None else kept[0].summary
    choices = explore_sweep.policy_choices(choice.loaded.scenario, choice.levers, summary)
    names = list(choices)
    picked = st.multiselect(
        "Policies",
        names,
        default=names[:2],
        max_selections=MAX_POLICIES,
        accept_new_options=True,
        key=f"backtest@{'|'.join(names)}",
    )
    if upload is None:
        st.info("Upload a usage report to replay it.")
        return
    try:
        levers = tuple(
            choices.get(name) or explore_sweep.parse_label(name, choice.file_levers)
            for name in picked
        )
        results = backtests(upload.getvalue(), upload.name, levers)
    except InputError as error:
        st.error(str(error))
        return
    if not results:
        return
    first = results[0][1].rows
    st.caption(
        f"{upload.name}: {first.format} format, {first.rows:,} rows read, "
        f"{first.replayed:,} replayed, {first.outside_window:,} outside the window."
    )
    st.table(backtest_table([(lev.label(), result) for lev, result, _ in results]))
    labels = [lev.label() for lev, _, _ in results]
    shown = st.selectbox("Journal of", labels, key="journal_of")
    _, result, journal = results[labels.index(shown)]
    code = result.outcome.currency.code
    money = st.column_config.NumberColumn(format=f"%.{result.outcome.currency.digits}f")
    st.dataframe(
        journal_frame(journal, code),
        hide_index=True,
        height=320,
        column_config={"amount": money, "balance_after": money},  # -0.40, not -0.4
    )
    st.download_button(
        "Download this journal (CSV)",
        lambda: journal_csv(journal, code),
        file_name=f"journal-{shown.replace('/', '-')}.csv",
        mime="text/csv",
        key="backtest_journal_download",
    )
