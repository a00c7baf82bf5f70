"""Sensitivity: each variation moves one input, the runs share their dice, regret picks robustly."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from sim import limits
from sim.errors import InputError
from sim.study.executors import LocalExecutor
from sim.study.experiment import Levers
from sim.study.grid import Grid
from sim.study.regret import Cell, robust_choice
from sim.study.sensitivity import candidates, run_sensitivity
from sim.study.sensitivity_result import BASE, Candidate, Figures, Sensitivity
from sim.study.stats import Estimate
from sim.study.summary import SweepSummary
from sim.study.sweep import SweepPlan, sweep_in_scratch
from sim.study.variations import VARIATIONS, vary
from sim.world.load import LoadedScenario, load_scenario
from sim.world.scenario import Scenario
from sim.world.scenario_types import LogNormal
from tests.paths import SCENARIOS

REPLICATIONS = 30
CHANGED = {
    "failure_probability": ("payments.failure_probability",),
    "processing_delay_h": ("payments.processing_delay_h",),
    "admin_fix_delay_h": ("payments.admin_fix_delay_h",),
    "demand_level": ("meetings.per_user_per_day", "user_calling.per_user_per_day",
                     "streams."),
    "growth": ("users.monthly_growth",),
    "big_meeting_size": ("big_meetings.",),
}  # fmt: skip
"""Where each variation may change a scenario (a key path, or a prefix ending in a dot)."""


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """A model dump as {dotted key path: leaf}."""
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in flat(item, f"{prefix}{key}.").items()
        }
    if isinstance(value, list | tuple):
        return {
            k: v for i, item in enumerate(value) for k, v in flat(item, f"{prefix}{i}.").items()
        }
    return {prefix[:-1]: value}


@pytest.fixture(scope="module")
def swept(tiny: LoadedScenario) -> SweepSummary:
    grid = Grid((Decimal(0), Decimal(50), Decimal(100)), (Decimal(100), Decimal(200)),
                (Decimal(100),))  # fmt: skip
    plan = SweepPlan(tiny, grid, REPLICATIONS, seed=2, engine="fast")
    return sweep_in_scratch(plan, executor=LocalExecutor(1)).summary


@pytest.fixture(scope="module")
def analysis(tiny: LoadedScenario, swept: SweepSummary) -> Sensitivity:
    return run_sensitivity(tiny, swept, executor=LocalExecutor(1))


@pytest.mark.parametrize("name", ["midsize", "enterprise"])
def test_each_variation_changes_only_its_input_and_is_validated(name: str) -> None:
    loaded = load_scenario(SCENARIOS / f"{name}.toml")
    before = flat(loaded.scenario.model_dump())
    applied = 0
    for item in vary(loaded):
        allowed = CHANGED[item.variation.key]
        for setting in item.settings:
            scenario = setting.loaded.scenario
            assert Scenario.model_validate(scenario.model_dump()) == scenario
            after = flat(scenario.model_dump())
            assert after.keys() == before.keys()
            changed = {key for key in before if before[key] != after[key]}
            assert changed, f"{setting.id} changed nothing"
            assert all(key.startswith(allowed) for key in changed), (setting.id, changed)
            applied += 1
    assert applied == 2 * (6 if name == "enterprise" else 5)  # midsize has no big meetings


def test_low_and_high_lie_either_side_of_the_scenario(midsize: LoadedScenario) -> None:
    by_key = {item.variation.key: item for item in vary(midsize)}
    fail = [s.loaded.scenario.payments.failure_probability
            for s in by_key["failure_probability"].settings]  # fmt: skip
    assert fail == [0.0, pytest.approx(0.03)]  # midsize: 1 %
    fix = [
        s.loaded.scenario.payments.admin_fix_delay_h for s in by_key["admin_fix_delay_h"].settings
    ]
    assert fix == [12.0, 48.0]
    rates = [s.loaded.scenario.meetings.per_user_per_day for s in by_key["demand_level"].settings]
    assert rates == [pytest.approx(0.024), pytest.approx(0.036)]
    growth = [s.loaded.scenario.users.monthly_growth for s in by_key["growth"].settings]
    assert growth == [0.0, 0.01]
    assert by_key["big_meeting_size"].note == "the scenario has no [[big_meetings]]"


def test_a_big_meeting_keeps_its_shape_when_scaled() -> None:
    loaded = load_scenario(SCENARIOS / "enterprise.toml")
    (item,) = [v for v in vary(loaded) if v.variation.key == "big_meeting_size"]
    before = loaded.scenario.big_meetings[0].dial_ins  # negative binomial, mean 800, sd 150
    low, high = (s.loaded.scenario.big_meetings[0].dial_ins for s in item.settings)
    assert (low.mean, high.mean) == (400, 1200)
    for scaled, factor in ((low, 0.5), (high, 1.5)):  # the same dispersion parameter r
        r = before.mean**2 / (before.sd**2 - before.mean)
        assert scaled.mean**2 / (scaled.sd**2 - scaled.mean) == pytest.approx(r)
        assert scaled.dist == "negative_binomial" and factor > 0


def test_a_drawn_delay_is_scaled_as_a_whole_and_a_zero_delay_is_left_out(
    tiny: LoadedScenario,
) -> None:
    payments = tiny.scenario.payments.model_copy(update={
        "processing_delay_h": LogNormal(dist="lognormal", mean=2.0, sd=1.0),
        "admin_fix_delay_h": 0.0,
    })  # fmt: skip
    loaded = LoadedScenario(tiny.path, tiny.scenario.model_copy(update={"payments": payments}),
                            tiny.rates, "x")  # fmt: skip
    delay, fix = vary(loaded, VARIATIONS[1:3])
    assert delay.base == "lognormal, mean 2.00 h"
    assert [s.value for s in delay.settings] == ["lognormal, mean 1.00 h", "lognormal, mean 4.00 h"]
    low, high = (s.loaded.scenario.payments.processing_delay_h for s in delay.settings)
    assert (low.mean, low.sd, high.mean, high.sd) == (1.0, 0.5, 4.0, 2.0)  # the same shape
    assert fix.settings == () and fix.note == "the scenario's is 0 h, which scaling leaves at 0"


def test_a_setting_beyond_a_limit_is_left_out_with_its_reason(
    tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(limits.MAX_CALLS_VARIABLE, str(10**12))  # only the stream's own limit
    stream = tiny.scenario.streams[0].model_copy(update={"calls_per_day": 900_000.0})
    busy = tiny.scenario.model_copy(update={"streams": (stream,)})
    loaded = LoadedScenario(tiny.path, busy, tiny.rates, "x")
    (item,) = vary(loaded, VARIATIONS[3:4])
    assert item.settings == ()
    assert item.note is not None and item.note.startswith("left out: ")
    assert "demand level high" in item.note and "streams[0].calls_per_day" in item.note


def test_the_candidates_are_the_recommended_the_next_cheapest_and_the_references(
    swept: SweepSummary,
) -> None:
    chosen, left_out = candidates(swept)
    assert left_out == []  # the portal accepts both references in USD here
    labels = [item.label for item in chosen]
    assert labels[0] == swept.recommendation.label and chosen[0].roles[0] == "recommended"
    assert len(labels) == len(set(labels))
    example, rule = (ref.label for ref in swept.references)
    assert {example, rule} <= set(labels)
    limit = swept.objective.max_outage_risk_per_year
    nexts = [swept.entry(item.label) for item in chosen if "next cheapest" in item.roles]
    assert len(nexts) == 4
    qualifying = [entry for entry in nexts if entry.score.risk_upper <= limit]
    costs = [entry.score.cost.estimate for entry in qualifying]
    assert costs == sorted(costs)
    rec_cost = swept.recommendation.cost_per_year.estimate
    assert all(cost >= rec_cost for cost in costs)


def test_a_reference_the_portal_would_refuse_is_not_tried(swept: SweepSummary) -> None:
    example, rule = swept.references
    low = Levers(Decimal(100), Decimal(10), Decimal(100))  # a trigger under 50 USD
    refused = replace(rule, levers=low, label=low.label())
    chosen, left_out = candidates(replace(swept, references=(example, refused)))
    assert left_out == [
        "the rule of thumb (T10/A100/I100) is not tried: the admin portal would refuse it"
    ]
    assert all("the rule of thumb" not in item.roles for item in chosen)
    assert any("the documented example" in item.roles for item in chosen)


def test_the_scenario_as_it_is_reproduces_the_sweep(
    swept: SweepSummary, analysis: Sensitivity
) -> None:
    for item in analysis.candidates:
        entry, shown = swept.entry(item.label), analysis.figures[BASE][item.label]
        assert shown.risk.rounded() == entry.outage_risk_per_year
        assert shown.cost.rounded() == entry.cost_per_year


def test_more_payment_failures_do_not_lower_the_risk(analysis: Sensitivity) -> None:
    for item in analysis.candidates:
        low, base, high = (
            analysis.figures[key][item.label].risk.estimate
            for key in ("failure_probability:low", BASE, "failure_probability:high")
        )
        assert low <= base <= high, item.label
    rec = analysis.recommended
    assert analysis.figures["failure_probability:high"][rec].risk.estimate > 0


def test_the_same_seed_gives_the_same_table(tiny: LoadedScenario, swept: SweepSummary) -> None:
    one, two = (
        run_sensitivity(tiny, swept, replications=6, executor=LocalExecutor(workers))
        for workers in (1, 2)  # the workers change nothing
    )
    assert one.replications == 6 and one.seed == swept.head.seed
    assert one.figures == two.figures
    assert one.robust == two.robust
    assert one.tornado().equals(two.tornado())


def test_the_tornado_and_the_notes(analysis: Sensitivity) -> None:
    rows = analysis.tornado()
    swings = list(rows["cost_swing"])
    assert swings == sorted(swings, reverse=True)
    for name in ("cost", "risk"):  # a swing is the bar's whole span, the base included
        three = rows[[f"{name}.base", f"{name}.low", f"{name}.high"]]
        assert list(rows[f"{name}_swing"]) == list(three.max(axis=1) - three.min(axis=1))
    assert set(rows["input"]) == {
        "payment failure probability",
        "payment processing delay",
        "admin fix time after a failed payment",
        "demand level",
    }
    assert analysis.notes() == [
        "head-count growth: no calls of the scenario scale with head count",
        "big-meeting size: the scenario has no [[big_meetings]]",
    ]
    assert analysis.robust.choice in analysis.robust_text()


def test_too_much_work_is_refused_before_it_starts(
    tiny: LoadedScenario, swept: SweepSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "SENSITIVITY_CALLS_MAX", 1000)
    with pytest.raises(InputError, match=r"replay about [\d,]+ calls \(9 settings x 30 repl"):
        run_sensitivity(tiny, swept, executor=LocalExecutor(1))


# -- regret on hand-built tables ----------------------------------------------------------


def table(rows: dict[str, dict[str, tuple[float, bool]]]) -> dict[str, dict[str, Cell]]:
    return {setting: {label: Cell(*cell) for label, cell in cells.items()}
            for setting, cells in rows.items()}  # fmt: skip


def test_the_point_optimum_can_be_the_robust_choice() -> None:
    robust = robust_choice(
        table({"base": {"A": (10, True), "B": (12, True)},
               "fail:high": {"A": (15, True), "B": (14, True)}}),
        ["A", "B"],
    )  # fmt: skip
    assert robust.regret == {"A": {"base": 0, "fail:high": 1}, "B": {"base": 2, "fail:high": 0}}
    assert robust.choice == "A" and robust.is_point_optimum


def test_breaking_the_limit_is_never_priced() -> None:
    robust = robust_choice(
        table({"base": {"A": (10, True), "B": (50, True)},
               "delay:high": {"A": (11, False), "B": (52, True)}}),
        ["A", "B"],
    )  # fmt: skip
    assert math.isinf(robust.regret["A"]["delay:high"])
    assert robust.broken("A") == ["delay:high"] and robust.worst_case("A") == math.inf
    assert robust.choice == "B" and not robust.is_point_optimum
    assert robust.worst("B") == (40, "base")


def test_when_all_break_somewhere_the_fewest_breaks_win_then_the_least_regret() -> None:
    robust = robust_choice(
        table({"s1": {"A": (1, False), "B": (5, True), "C": (9, True)},
               "s2": {"A": (1, False), "B": (5, False), "C": (9, True)},
               "s3": {"A": (1, True), "B": (5, True), "C": (9, False)}}),
        ["A", "B", "C"],
    )  # fmt: skip
    assert [len(robust.broken(label)) for label in "ABC"] == [2, 1, 1]
    assert robust.worst("B") == (4, "s3") and robust.worst("C") == (4, "s1")
    assert robust.choice == "B"  # a tie on both: the earlier candidate


def test_a_setting_nobody_survives_is_left_out_and_reported() -> None:
    robust = robust_choice(
        table({"base": {"A": (3, True), "B": (4, True)},
               "demand:high": {"A": (3, False), "B": (4, False)}}),
        ["A", "B"],
    )  # fmt: skip
    assert robust.unresolved == ("demand:high",)
    assert robust.regret == {"A": {"base": 0}, "B": {"base": 1}}
    assert robust.choice == "A"
    with pytest.raises(ValueError, match="at least one"):
        robust_choice({}, [])


def hand_made(rows: dict[str, dict[str, tuple[float, bool]]]) -> Sensitivity:
    """An analysis of two policies in the settings of ``rows``, without a simulation."""
    levers = (Levers(Decimal(1000), Decimal(400), Decimal(1000)),
              Levers(Decimal(1000), Decimal(800), Decimal(1000)))  # fmt: skip
    chosen = (Candidate(levers[0], ("recommended",)), Candidate(levers[1], ("next cheapest",)))
    labels = [item.label for item in chosen]
    figures = {
        setting: {label: Figures(Estimate(0.0, 0.0, 0.0 if ok else 0.5), Estimate(cost, None, None))
                  for label, (cost, ok) in cells.items()}
        for setting, cells in rows.items()
    }  # fmt: skip
    return Sensitivity("x", "USD", 0.01, chosen, (), figures,
                       robust_choice(table(rows), labels), 200, 1, "fast", 0.0)  # fmt: skip


def test_the_robust_choice_in_words() -> None:
    same = hand_made({"base": {"T400/A1000/I1000": (10, True), "T800/A1000/I1000": (12, True)}})
    assert same.robust_text() == (
        "The robust choice is T400/A1000/I1000 (recommended): in every setting it keeps the "
        "outage risk within 1.0 % a year (95 % upper bound) and is the cheapest policy tried "
        "that does. It is the point optimum: the recommended policy holds up."
    )
    other = hand_made({"base": {"T400/A1000/I1000": (10, True), "T800/A1000/I1000": (12.5, True)},
                       "x:high": {"T400/A1000/I1000": (11, False),
                                  "T800/A1000/I1000": (13, True)}})  # fmt: skip
    assert other.robust_text() == (
        "The robust choice is T800/A1000/I1000 (next cheapest): in every setting it keeps the "
        "outage risk within 1.0 % a year (95 % upper bound) and costs at most $2.50 a year more "
        "than the cheapest policy tried that does (with the scenario as it is). The point "
        "optimum T400/A1000/I1000 breaks the limit with x:high."
    )
    none = hand_made({"base": {"T400/A1000/I1000": (10, False), "T800/A1000/I1000": (9, False)}})
    assert not none.robust.ranked
    assert "regret cannot rank them" in none.robust_text()
