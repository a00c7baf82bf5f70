"""The Streamlit dashboard, run headless by ``streamlit.testing.v1.AppTest``.

AppTest runs ``app_dashboard.py`` in this process, as the server would, and
lets a test set widgets (uploads included) and read what was drawn. What it
does not cover (the browser, the websocket, the server's upload limit) is
``tests/e2e/test_browser.py``'s job.

Most tests use a few replications, set through the sidebar's widget, to stay
fast; the default page is rendered as a planner opens it (midsize, 200).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from sim.dashboard.explore import CARDS, MAX_UPLOAD_BYTES
from sim.dashboard.sidebar import DEFAULT_REPLICATIONS
from tests.paths import ROOT

APP = str(ROOT / "app_dashboard.py")
TIMEOUT_S = 180
FEW = 20
SMALL_FEW = 4
"""Replications of the tests on small-team: one demand, built once, shared by all of them."""
VIEWS = ("Policy", "Trade-offs", "Demand", "Backtest", "Scenario")
UPLOAD = "Upload a TOML file"


@pytest.fixture(autouse=True)
def main_module_restored() -> Iterator[None]:
    """Put back ``sys.modules["__main__"]``, which AppTest leaves set to the app's module.

    Left as it is, every process started later with ``spawn`` (Dask's workers)
    would run the whole dashboard script while bootstrapping: 10 s per cluster.
    """
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def started(
    replications: int | None = FEW,
    source: str | None = None,
    *,
    view: str | None = None,
    scenario: str | None = None,
) -> AppTest:
    """The app after its first run, with ``replications`` in the sidebar from the start.

    Set through the widget's session state before the first run, so that a test
    on a few replications never builds the default 200-replication demand. With
    ``source`` set to ``UPLOAD`` the first run waits for a file: a test of an
    upload does not pay for midsize's page first. ``view`` and ``scenario`` are
    set the same way: a test of the Trade-offs view, or of small-team, does not
    draw midsize's Policy view first (every run of the page costs about a second).
    """
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    if replications is not None:
        app.session_state["replications"] = replications
    if source is not None:
        app.session_state["source"] = source
    if view is not None:
        app.session_state["view"] = view
    if scenario is not None:
        app.session_state["scenario"] = scenario
    app.run()
    assert not app.exception, app.exception
    if view is not None:
        assert app.segmented_control(key="view").value == view
    if scenario is not None:
        assert app.selectbox(key="scenario").value == scenario
    if source is not None:
        assert app.radio(key="source").value == source
        assert not app.metric, "no scenario yet: nothing simulated"
    elif replications is not None:
        assert app.number_input(key="replications").value == replications
    return app


def widget(app: AppTest, kind: str, label: str):  # AppTest's element types vary by kind
    """The one widget of ``kind`` whose label starts with ``label`` (keys carry a scenario hash)."""
    found = [item for item in getattr(app, kind) if item.label.startswith(label)]
    assert len(found) == 1, [item.label for item in getattr(app, kind)]
    return found[0]


def kpis(app: AppTest) -> dict[str, float]:
    """The KPI cards' values as numbers (``55.0 %`` -> 0.55, ``$1,234.50`` -> 1234.5)."""
    values = {}
    for metric in app.metric:
        number = float(re.sub(r"[^0-9.\-]", "", metric.value))
        values[metric.label] = number / 100 if metric.value.endswith("%") else number
    return values


def errors(app: AppTest) -> list[str]:
    return [str(item.value) for item in app.error]


def clean(app: AppTest) -> None:
    assert not app.exception, [item.value for item in app.exception]
    assert not errors(app), errors(app)


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    """The page a planner opens (on FEW replications), drawn once for the tests that read it.

    Drawn before ``main_module_restored`` looks (a wider scope), so it puts ``__main__``
    back itself.
    """
    main = sys.modules["__main__"]
    app = started()
    sys.modules["__main__"] = main
    return app


def test_the_default_page_shows_midsizes_kpis_with_intervals(default_page: AppTest) -> None:
    """The page a planner opens, on FEW replications instead of the default 200.

    The default itself is checked (the widget's), and the page at 200 replications
    is opened end to end by ``tests/e2e/test_browser.py`` ("over 200 replications");
    building that demand in this process took half of this file's time.
    """
    app = default_page
    clean(app)
    assert app.selectbox(key="scenario").value == "midsize"
    assert app.number_input(key="replications").proto.default == DEFAULT_REPLICATIONS == 200
    assert [metric.label for metric in app.metric] == [card.label for card in CARDS]
    for metric in app.metric:
        assert metric.help.startswith(f"{metric.label}: {metric.value}, 95 % CI"), metric.help
    captions = [caption.value for caption in app.caption]
    assert sum(text.startswith("95 % CI") for text in captions) == len(CARDS)
    assert len(app.get("plotly_chart")) == 3  # fan, sample path, where lots went
    assert any(text.startswith("Which trigger and amount to choose") for text in captions)


def test_a_much_leaner_policy_raises_the_outage_risk() -> None:
    app = started()
    before = kpis(app)
    assert before["Outage risk a year"] == 0
    widget(app, "number_input", "Trigger").set_value(50.0)
    widget(app, "number_input", "Recharge amount").set_value(100.0)
    widget(app, "number_input", "Initial balance").set_value(100.0).run()
    clean(app)
    after = kpis(app)
    assert after["Outage risk a year"] > 0.2
    assert after["Blocked toll-free dial-ins a year"] > before["Blocked toll-free dial-ins a year"]
    assert after["Mean balance (cash tied up)"] < before["Mean balance (cash tied up)"]
    deltas = {metric.label: metric.delta for metric in app.metric}
    assert deltas["Outage risk a year"].startswith("+")  # against the file's policy


def test_an_oversized_initial_purchase_shows_which_lot_was_forfeited() -> None:
    app = started(SMALL_FEW, scenario="small-team")
    assert not any(item.value.startswith("**The lots") for item in app.markdown)
    widget(app, "number_input", "Initial balance").set_value(5000.0).run()
    clean(app)
    assert kpis(app)["Forfeited funds a year"] > 1000
    (table,) = [frame.value for frame in app.dataframe]
    assert table.iloc[0][["Lot", "Bought as", "Bought on", "Bought"]].tolist() == [
        1, "initial purchase", "2027-01-01 00:00", "$5,000.00"
    ]  # fmt: skip
    assert table.iloc[0]["Forfeited"].startswith("$4,")


def test_turning_auto_recharge_off_is_a_policy_too() -> None:
    # off runs dry: small-team's outages replay fastest
    app = started(SMALL_FEW, scenario="small-team")
    widget(app, "toggle", "Auto-recharge").set_value(False).run()
    clean(app)
    assert app.subheader[0].value.startswith("Policy off/I200")


def test_a_policy_the_currency_cannot_hold_is_a_message_not_a_traceback() -> None:
    app = started()
    widget(app, "number_input", "Trigger").set_value(400.125).run()
    assert not app.exception
    assert errors(app) == [
        "Policy refused: trigger: '400.125' has more decimal places than USD allows (2)"
    ]
    assert not app.metric


def test_what_the_admin_portal_would_refuse_is_shown_beside_the_policy_inputs() -> None:
    # recharges of 20 USD: small-team's demand replays fastest
    app = started(SMALL_FEW, scenario="small-team")
    assert not app.sidebar.warning  # small-team: 50 / 200 / 200 USD
    widget(app, "number_input", "Trigger").set_value(50.5)
    widget(app, "number_input", "Recharge amount").set_value(20.0).run()
    assert not app.exception
    assert [str(item.value) for item in app.sidebar.warning] == [
        "Admin portal: trigger 50.5 is not a whole amount: the admin portal takes whole USD "
        "amounts; the portal would refuse it",
        "Admin portal: amount 20 is below the admin portal's minimum of 50 USD; "
        "the portal would refuse it",
    ]
    assert app.metric, "a warning, not a refusal: the policy is simulated"


def test_a_refused_edit_is_shown_beside_the_inputs() -> None:
    app = started()
    widget(app, "number_input", "Recharge failure probability (%)").set_value(100.0).run()
    assert not app.exception
    (message,) = errors(app)
    assert message.startswith("Scenario edit refused: ") and "failure_probability" in message
    assert app.sidebar.error, "the message stands in the sidebar, beside the inputs"
    assert not app.metric


def test_an_edit_of_the_world_changes_the_kpis() -> None:
    # small-team: the edited world's demand is built anew; a few replications of 25 users suffice
    app = started(SMALL_FEW, scenario="small-team")
    before = kpis(app)
    widget(app, "number_input", "Users").set_value(100).run()
    clean(app)
    assert kpis(app)["Recharges a year"] > before["Recharges a year"]
    app.segmented_control(key="view").set_value("Scenario").run()
    clean(app)
    assert any("users" in str(item.value) for item in app.json)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.toml", b"[scenario\nname = 1\n", "bad.toml:1: TOML syntax error"),
        ("typo.toml", (ROOT / "scenarios/checks/poisson-manual.toml").read_bytes()
         .replace(b"calls_per_day", b"calls_per_dya"), "did you mean 'calls_per_day'?"),
        ("huge.toml", b"#" * (MAX_UPLOAD_BYTES + 1), "larger than the limit of 2,097,152 bytes"),
        ("latin1.toml", "[scenario]\nname = \"caf\xe9\"\n".encode("latin-1"), "not UTF-8"),
    ],
    ids=["syntax", "unknown-key", "too-big", "not-utf8"],
)  # fmt: skip
def test_a_bad_scenario_upload_shows_the_validation_message(
    name: str, data: bytes, message: str
) -> None:
    app = started(source=UPLOAD)
    app.file_uploader(key="scenario_upload").set_value((name, data, "application/toml")).run()
    assert not app.exception
    (shown,) = [str(item.value) for item in app.sidebar.error]
    assert message in shown
    assert not app.metric


def test_a_good_scenario_upload_is_simulated() -> None:
    app = started(source=UPLOAD)
    data = (ROOT / "scenarios/checks/poisson-manual.toml").read_bytes()
    app.file_uploader(key="scenario_upload").set_value(("mine.toml", data, "text/plain")).run()
    clean(app)
    assert len(app.metric) == len(CARDS)
    assert app.subheader[0].value.startswith("Policy off/I1850")
    assert app.number_input(key="replications").value == FEW, "kept while no file was there"


def test_a_scenario_with_drawn_delays_shows_their_mean_and_distribution() -> None:
    app = started(source=UPLOAD)
    text = (ROOT / "tests/fixtures/sweep-tiny.toml").read_text(encoding="utf-8")
    data = text.replace(
        "processing_delay_h = 12", 'processing_delay_h = { dist = "exponential", mean = 2 }'
    ).encode()
    app.file_uploader(key="scenario_upload").set_value(("drawn.toml", data, "text/plain")).run()
    clean(app)
    delay = widget(app, "number_input", "Recharge processing delay")
    assert delay.value == 2.0
    assert "exponential, mean 2 h" in delay.help
    shown = " ".join(str(item.value) for item in app.markdown)
    assert "payments.processing_delay_h = exponential, mean 2 h" in shown


def test_every_view_renders(default_page: AppTest) -> None:
    """One session through every view, as a planner clicks (one first run, not one a view).

    It ends on the Policy view, with the default page's choice, so the default page's
    test reads the same page whichever of the two runs first.
    """
    app = default_page
    for view in VIEWS[::-1]:  # Policy, the first page, last: coming back to it works too
        app.segmented_control(key="view").set_value(view).run()
        clean(app)
        assert app.segmented_control(key="view").value == view
        if view == "Policy":
            assert len(app.metric) == len(CARDS)
        if view == "Demand":
            assert len(app.get("plotly_chart")) == 4
        if view == "Scenario":
            assert "scenario 'midsize'" in app.code[0].value


def test_a_sweep_runs_with_progress_and_offers_its_csv_and_the_report() -> None:
    app = started(replications=2, view="Trade-offs")  # the portal's grid test's demand
    widget(app, "text_input", "Triggers").set_value("100,400")
    widget(app, "text_input", "Recharge amounts").set_value("250,1000")
    widget(app, "button", "Run the sweep").click().run()
    clean(app)
    texts = [str(item.value) for item in [*app.success, *app.warning]]
    assert any(text.startswith("**Recommended: T") for text in texts), texts
    infos = [str(item.value) for item in app.info]  # the optimum sat at an edge of this grid
    assert any(text.startswith("Grid widened ") for text in infos), infos
    assert len(app.get("plotly_chart")) == 4  # risk, cost and forfeit heatmaps, the frontier
    assert app.table, "the comparison"
    widget(app, "button", "Build the HTML report").click().run()
    clean(app)
    labels = [button.label for button in app.get("download_button")]
    assert "Download the sweep summary (CSV)" in labels
    assert "Download the HTML report" in labels
    recommended = next(text for text in texts if text.startswith("**Recommended: T"))
    label = recommended.removeprefix("**Recommended: ").split(".**")[0]
    app.segmented_control(key="view").set_value("Policy").run()  # the answer follows the planner
    clean(app)
    (verdict,) = [str(item.value) for item in app.success]
    assert verdict.startswith("**Verdict.** Set trigger $"), verdict
    applies = [button.label for button in app.button if button.label.startswith("Apply")]
    assert applies == [f"Apply this policy ({label})"] or label == "T400/A1000/I1000", applies


def test_a_swept_grid_the_portal_would_refuse_is_warned_about() -> None:
    app = started(replications=2, view="Trade-offs")
    widget(app, "text_input", "Triggers").set_value("20,400")
    widget(app, "text_input", "Recharge amounts").set_value("1000")
    widget(app, "button", "Run the sweep").click().run()
    assert not app.exception
    assert (
        "Admin portal: trigger 20 is below the admin portal's minimum of 50 USD; the portal "
        "would refuse it" in [str(item.value) for item in app.warning]
    )
    assert len(app.get("plotly_chart")) == 4, "a warning, not a refusal: the grid is swept"


def test_a_bad_grid_is_a_message() -> None:
    app = started(replications=4, view="Trade-offs")
    widget(app, "text_input", "Triggers").set_value("100:x:10")
    widget(app, "button", "Run the sweep").click().run()
    assert not app.exception
    assert errors(app) == ["triggers: 'x' is not a decimal number"]


def test_comparing_a_typed_policy() -> None:
    app = started(view="Trade-offs")
    compare = app.multiselect[0]
    compare.set_value([*compare.value, "T50/A100/I100"]).run()
    clean(app)
    table = app.table[0].value
    assert list(table.columns)[-1] == "T50/A100/I100"


def test_a_usage_report_is_replayed_with_its_journal() -> None:
    app = started(view="Backtest")
    data = (ROOT / "examples/walkthrough.csv").read_bytes()
    app.file_uploader(key="report_upload").set_value(("walkthrough.csv", data, "text/csv")).run()
    clean(app)
    table = app.table[0].value
    assert list(table.columns) == ["T400/A1000/I1000"]
    assert table.loc["Consumed", "T400/A1000/I1000"] == "$218.35"
    assert len(app.dataframe[0].value) > 0
    labels = [button.label for button in app.get("download_button")]
    assert labels == ["Download this journal (CSV)"]


def test_a_bad_usage_report_is_a_message() -> None:
    app = started(view="Backtest")
    upload = ("notes.csv", b"foo,bar\n1,2\n", "text/csv")
    app.file_uploader(key="report_upload").set_value(upload).run()
    assert not app.exception
    (message,) = errors(app)
    assert message.startswith("notes.csv:1: unrecognised header"), message
