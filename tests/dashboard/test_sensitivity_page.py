"""The Trade-offs view's sensitivity: after a sweep, a button runs it and shows what it found."""

from __future__ import annotations

from tests.dashboard.test_dashboard import clean, main_module_restored, started, widget

__all__ = ["main_module_restored"]  # the autouse fixture, here too


def test_the_sensitivity_runs_after_a_sweep_and_shows_its_tornados() -> None:
    app = started(replications=3, view="Trade-offs")
    widget(app, "text_input", "Triggers").set_value("100,400")
    widget(app, "text_input", "Recharge amounts").set_value("1000")
    widget(app, "button", "Run the sweep").click().run()
    clean(app)
    charts = len(app.get("plotly_chart"))
    fewer = widget(app, "number_input", "Sensitivity replications")
    assert (fewer.value, fewer.max) == (3, 3)  # the sweep's, at most
    fewer.set_value(2).run()
    widget(app, "button", "Sensitivity of the recommended policy (2 replications").click().run()
    clean(app)
    assert any("2 replications each" in str(item.value) for item in app.caption)
    assert len(app.get("plotly_chart")) == charts + 2  # the two tornados
    # 2 replications: no policy can meet 1 % a year at the upper bound, so nothing is ranked
    assert any("regret cannot rank them" in str(item.value) for item in app.warning)
    inputs = app.table[0].value
    assert set(inputs["input"]) == {  # midsize has no big meetings
        "payment failure probability",
        "payment processing delay",
        "admin fix time after a failed payment",
        "demand level",
        "head-count growth",
    }
    captions = [str(item.value) for item in app.caption]
    assert "Left out: big-meeting size: the scenario has no [[big_meetings]]" in captions
    app.segmented_control(key="view").set_value("Policy").run()
    app.segmented_control(key="view").set_value("Trade-offs").run()
    clean(app)
    assert len(app.get("plotly_chart")) == charts + 2, "kept for the sweep it was run on"
