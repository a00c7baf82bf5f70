"""The sidebar's objective, the verdict and "Apply this policy" (issue 13 items 2 and 3).

AppTest runs the dashboard in this process (see ``test_dashboard.py``); a few
replications keep each test to seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from sim.dashboard import explore
from sim.dashboard.explore import DemandBank
from tests.dashboard.test_dashboard import APP, TIMEOUT_S, clean, kpis, started, widget


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every demand bank built while the test runs (its replication count)."""
    built: list[int] = []
    original = DemandBank.build.__func__  # type: ignore[attr-defined]

    def counted(
        cls: type[DemandBank],
        loaded: object,
        seed: int,
        replications: int,
        *args: object,
        **kwargs: object,
    ) -> DemandBank:
        built.append(replications)
        return original(cls, loaded, seed, replications, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(explore.DemandBank, "build", classmethod(counted))
    yield built


def objective_input(app: AppTest, label: str):  # AppTest's element type
    return widget(app, "number_input", label)


def test_the_objective_shows_the_prices_in_force_and_the_file_is_silent_on_two() -> None:
    app = started(replications=4, view="Scenario")  # the sidebar's inputs: any view
    clean(app)
    assert objective_input(app, "Risk limit (%").value == pytest.approx(1.0)
    assert objective_input(app, "Cost of capital (%").value == pytest.approx(5.0)
    recharge = objective_input(app, "Cost per recharge (USD)")
    assert recharge.value == 10.0  # midsize states none: USD's default (sim.world.costs)
    assert "USD's stated default" in recharge.help
    assert objective_input(app, "Cost per outage hour (USD)").value == 100.0
    assert objective_input(app, "Most recharges a month").value is None


def test_an_objective_edit_reprices_without_generating_the_demand_again(
    builds: list[int],
) -> None:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    app.session_state["replications"] = 3
    app.session_state["seed"] = 913_001  # a demand no other test has cached
    app.session_state["scenario"] = "small-team"  # its demand is built twice: the smallest
    app.run()
    clean(app)
    assert builds == [3]
    before = kpis(app)
    objective_input(app, "Cost per recharge (USD)").set_value(40.0).run()
    clean(app)
    after = kpis(app)
    assert builds == [3], "an edit of the objective alone keeps the demand"
    assert after["Expected cost a year"] > before["Expected cost a year"]
    assert after["Recharges a year"] == before["Recharges a year"]
    widget(app, "number_input", "Users").set_value(50).run()  # the world: a new demand
    clean(app)
    assert builds == [3, 3]


def test_a_refused_objective_is_one_line_naming_its_key() -> None:
    app = started(replications=4, view="Scenario")  # refused in the sidebar, on any view
    objective_input(app, "Most recharges a month").set_value(0.0).run()
    assert not app.exception
    (message,) = [str(item.value) for item in app.error]
    assert message == (
        "Scenario edit refused: scenarios/midsize.toml: objective.max_recharges_per_month: "
        "Input should be greater than 0"
    )
    assert "\n" not in message


def test_shares_are_edited_in_percent() -> None:
    # the Scenario view shows the edit; the sidebar refuses a bad share on any view
    app = started(replications=4, view="Scenario")
    assert widget(app, "number_input", "Toll-free share of dial-ins (%)").value == 40.0  # 0.4
    widget(app, "number_input", "Recharge failure probability (%)").set_value(50.0).run()
    clean(app)
    shown = " ".join(str(item.value) for item in app.json)
    assert shown == '{"failure_probability": "0.5"}', shown  # 50 % is 0.5


def test_apply_puts_the_recommended_policy_in_the_sidebar_compare_and_backtest() -> None:
    app = started(replications=2, view="Trade-offs")  # the sweep tests' demand
    widget(app, "text_input", "Triggers").set_value("100,200")
    widget(app, "text_input", "Recharge amounts").set_value("1500,2000")
    widget(app, "button", "Run the sweep").click().run()
    clean(app)
    (verdict,) = [str(item.value) for item in app.success]
    assert verdict.startswith("**Verdict.** Set trigger $"), verdict
    assert "chance a year that paid calling stops" in verdict
    apply = widget(app, "button", "Apply this policy")
    label = apply.label.removeprefix("Apply this policy (").removesuffix(")")
    trigger, amount = (float(part[1:]) for part in label.split("/")[:2])
    apply.click().run()
    clean(app)
    assert widget(app, "number_input", "Trigger").value == trigger
    assert widget(app, "number_input", "Recharge amount").value == amount
    assert app.multiselect[0].value[0].startswith(f"{label} (yours, recommended")
    assert not [button for button in app.button if button.label.startswith("Apply")]
    app.segmented_control(key="view").set_value("Policy").run()
    clean(app)
    assert app.subheader[0].value.startswith(f"Policy {label} ")
    assert verdict in [str(item.value) for item in app.success]  # the sweep's words, both views
    app.segmented_control(key="view").set_value("Backtest").run()
    clean(app)
    assert app.multiselect[0].value[0].startswith(label)
