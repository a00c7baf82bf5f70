"""The sidebar's "Your tenant" source: exports in, a fitted scenario every view runs on.

Run headless by AppTest (``tests/dashboard/test_dashboard.py`` says how) on the
bundled 14-month export; a few replications keep the views fast.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from sim.dashboard.tenant_source import calibrate_uploads
from sim.errors import InputError
from tests.dashboard.test_dashboard import clean, errors, main_module_restored, started
from tests.paths import EXAMPLES

__all__ = ["main_module_restored"]  # the fixture, used here too
EXPORT = EXAMPLES / "tenant-usage.csv"


@pytest.fixture(scope="module")
def app() -> Iterator[AppTest]:
    """The app on "Your tenant" with the bundled export, a balance of 800 and 1 month held out."""
    shown = started(source="Your tenant")  # midsize's page is not drawn first
    shown.text_input(key="tenant_balance").set_value("800")
    shown.text_input(key="tenant_country").set_value("US")
    shown.text_input(key="tenant_timezone").set_value("America/New_York")
    shown.selectbox(key="tenant_holdout").set_value(1)
    shown.file_uploader(key="tenant_uploads").set_value(
        [("tenant-usage.csv", EXPORT.read_bytes(), "text/csv")]
    )
    yield shown.run()


def test_the_fitted_scenario_is_what_every_view_runs_on(app: AppTest) -> None:
    clean(app)
    assert not errors(app)
    assert app.metric  # the Policy view's cards, drawn for the fitted scenario
    app.segmented_control(key="view").set_value("Scenario").run()
    clean(app)
    text = " ".join(str(item.value) for item in app.markdown)
    assert "Your tenant: the scenario fitted to your exports" in " ".join(
        str(item.value) for item in app.subheader
    )
    assert "month(s) inside the 90 % band" in text
    code = " ".join(str(item.value) for item in app.code)
    assert "opening balance: $800.00 in 1 lot (expires 2027-12-01)" in code
    assert 'holidays = "US"' in code
    assert 'timezone = "America/New_York"' in code
    assert "[[streams]]" in code


def test_a_bad_balance_is_one_line_under_its_input() -> None:
    with pytest.raises(InputError, match="is not an amount in USD"):
        calibrate_uploads([("tenant-usage.csv", EXPORT.read_bytes())], "eight hundred", None, 0)


def test_balance_and_lots_exclude_each_other() -> None:
    lots = ("lots.csv", b"purchased,remaining\n2026-11-01,100\n")
    with pytest.raises(InputError, match="not both"):
        calibrate_uploads([("tenant-usage.csv", EXPORT.read_bytes())], "800", lots, 0)


def test_a_message_names_the_upload_never_the_scratch_folder() -> None:
    header = EXPORT.read_text(encoding="utf-8-sig").splitlines()[0]
    with pytest.raises(InputError) as caught:
        calibrate_uploads([("mine.csv", (header + "\n").encode())], "", None, 0)
    assert "mine.csv" in str(caught.value)
    assert "credsim-tenant-" not in str(caught.value)
