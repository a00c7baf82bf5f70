"""The Scenario view's "Your tenant" panel: what was fitted, how the holdout went, the files.

Thin: every word and number is the ``Calibration``'s and the report's
(``sim.views.report_calibration``), so the dashboard, ``credsim calibrate``
and the report of ``credsim plan`` say the same thing.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sim.study.calibration import Calibration
from sim.views import report_calibration
from sim.views.charts_calibration import holdout_chart


def show(calibration: Calibration) -> None:
    """The fitted figures, the holdout chart and table, assumptions, and the downloads."""
    st.subheader("Your tenant: the scenario fitted to your exports")
    st.markdown(report_calibration.intro(calibration))
    verdict, *more = report_calibration.lines(calibration)
    st.markdown(f"**{verdict}**")
    for line in more:
        st.markdown(line)
    if calibration.holdout is not None:
        st.plotly_chart(holdout_chart(calibration.holdout), key="holdout_chart")
    fitted, *holdout = report_calibration.tables(calibration)
    st.markdown(f"**{fitted.head[0]}**")
    st.markdown("\n".join(f"- {row[0]}" for row in fitted.rows))
    for table in holdout:
        frame = pd.DataFrame(list(table.rows), columns=list(table.head))
        st.dataframe(frame, hide_index=True)
    with st.expander(f"Assumptions and notes ({len(calibration.assumptions)} assumed)"):
        st.markdown("\n".join(f"- {text}" for text in report_calibration.notes(calibration)))
    left, right = st.columns(2)
    left.download_button(
        "Download the scenario (tenant.toml)", calibration.scenario_toml, file_name="tenant.toml",
        mime="application/toml", key="download_tenant_toml",
    )  # fmt: skip
    right.download_button(
        f"Download its rates ({calibration.rates_name})", calibration.rates_csv,
        file_name=calibration.rates_name, mime="text/csv", key="download_tenant_rates",
    )  # fmt: skip
