"""The Backtest view: replay an uploaded PSTN usage report under a few policies, with journals."""

from __future__ import annotations

import streamlit as st

from sim.dashboard import explore_sweep
from sim.dashboard.explore_display import backtest_table, journal_csv, journal_frame
from sim.dashboard.state import Choice, backtests, kept_sweep
from sim.dashboard.usage_upload import (
    DATE_ORDERS,
    MAX_REPORT_BYTES,
    REPORT_SUFFIXES,
    row_warnings,
    rows_table,
)
from sim.dashboard.verdict_panel import APPLIED, preselected
from sim.errors import InputError
from sim.study.backtest import RowAccount

REPORT_MAX_MB = MAX_REPORT_BYTES // 2**20
"""Per upload; also ``server.maxUploadSize`` in .streamlit/config.toml (bigger: the CLI)."""
MAX_POLICIES = 4


def _rows_caption(name: str, rows: RowAccount) -> None:
    """The file's format and row counts, and its warnings (the same for every policy)."""
    st.caption(
        f"{name}: {rows.format} format, {rows.rows:,} rows read, "
        f"{rows.replayed:,} replayed, {rows.outside_window:,} outside the window."
    )
    for line in row_warnings(rows):
        st.warning(line)


def _rows_by_reason(rows: RowAccount) -> None:
    """Where every row went: replayed, outside the window, not credit-billed by reason."""
    with st.expander("Rows by reason", expanded=bool(rows.not_credit_billed or rows.duplicates)):
        st.table(rows_table(rows))


def show(choice: Choice) -> None:
    """Upload, pick policies, replay; the figures side by side and each policy's journal."""
    st.markdown(
        "Replay a recorded **Teams PSTN usage report** (the admin center's export zip or its "
        "CSV, a Direct Routing report, a Graph `getPstnCalls` JSON or CSV, a Skype for Business "
        "report, or a `start,end,service,charge` stream CSV) under your policy and a few others. "
        "Amounts are read in the file's currency."
    )
    kinds = ", ".join(REPORT_SUFFIXES)
    upload = st.file_uploader(
        f"Usage report ({kinds}; up to {REPORT_MAX_MB} MB)",
        type=[suffix.removeprefix(".") for suffix in REPORT_SUFFIXES],
        key="report_upload",
        max_upload_size=REPORT_MAX_MB,
    )
    order = st.segmented_control(
        "Date order",
        list(DATE_ORDERS),
        default="Auto",
        key="date_order",
        help="For dates re-saved by Excel (03/04/2024): Auto reads the order from the file and "
        "asks when every date could be either (the CLI's --date-order).",
    )
    kept = kept_sweep(choice)  # its recommendation is worth replaying too
    summary = None if kept is None else kept[0].summary
    choices = explore_sweep.policy_choices(choice.loaded.scenario, choice.levers, summary)
    names = list(choices)
    picked = st.multiselect(
        "Policies",
        names,
        default=preselected(names, choices, 2),
        max_selections=MAX_POLICIES,
        accept_new_options=True,
        key=f"backtest@{st.session_state.get(APPLIED)}@{'|'.join(names)}",
    )
    if upload is None:
        st.info("Upload a usage report to replay it.")
        return
    try:
        levers = tuple(
            choices.get(name) or explore_sweep.parse_label(name, choice.file_levers)
            for name in picked
        )
        results = backtests(upload.getvalue(), upload.name, levers, DATE_ORDERS[order or "Auto"])
    except InputError as error:
        st.error(str(error))
        return
    if not results:
        return
    _rows_caption(upload.name, results[0][1].rows)
    st.table(backtest_table([(lev.label(), result) for lev, result, _ in results]))
    _rows_by_reason(results[0][1].rows)
    labels = [lev.label() for lev, _, _ in results]
    shown = st.selectbox("Journal of", labels, key="journal_of")
    _, result, journal = results[labels.index(shown)]
    code = result.outcome.currency.code
    digits = f"%.{result.outcome.currency.digits}f"  # -0.40, not -0.4
    st.dataframe(
        journal_frame(journal, code),
        hide_index=True,
        height=320,
        column_config={
            "amount": st.column_config.NumberColumn(f"amount ({code})", format=digits),
            "balance_after": st.column_config.NumberColumn(
                f"balance after ({code})", format=digits
            ),
        },
    )
    st.download_button(
        "Download this journal (CSV)",
        lambda: journal_csv(journal, code),
        file_name=f"journal-{shown.replace('/', '-')}.csv",
        mime="text/csv",
        key="backtest_journal_download",
    )
