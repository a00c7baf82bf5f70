"""The dashboard's answers from the model (``sim.dashboard.explore`` and siblings), no Streamlit.

Known answers where the README has them (the walkthrough's forfeited $82.65),
equality with the CLI where the dashboard claims it (the journal CSV, a
sweep's summary.csv), and the messages a planner sees for bad input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli.commands import main
from sim.dashboard import explore, explore_display, explore_sweep, usage_upload
from sim.dashboard.explore import DemandBank, Edits
from sim.errors import InputError
from sim.study.experiment import Levers, build_policy, scenario_levers
from sim.study.stats import Estimate
from sim.views import report
from sim.views.report import ReportPlan, compute_report
from sim.world.load import LoadedScenario, load_scenario
from tests.paths import TINY, WALKTHROUGH

BUNDLED = explore.bundled_scenarios()


# -- levers typed in widgets -------------------------------------------------------------


def test_widget_floats_become_the_exact_levers_of_the_cli(midsize: LoadedScenario) -> None:
    levers = explore.policy_levers(midsize.scenario, initial=1000.0, trigger=400.0, amount=12.5)
    assert (levers.initial, levers.trigger, levers.amount) == (
        Decimal(1000), Decimal(400), Decimal("12.5"),
    )  # fmt: skip
    assert levers.label() == "T400/A12.5/I1000"


def test_no_trigger_turns_auto_recharge_off(midsize: LoadedScenario) -> None:
    levers = explore.policy_levers(midsize.scenario, initial=50.0, trigger=None, amount=None)
    assert levers.label() == "off/I50"


@pytest.mark.parametrize(
    ("trigger", "amount", "message"),
    [
        (400.125, 1000.0, "trigger: '400.125' has more decimal places than USD allows (2)"),
        (-1.0, 1000.0, "trigger(=-1.0) must be a number >= 0"),
        (400.0, 0.0, "amount(=0) must be > 0"),
        (float("nan"), 1000.0, "must be a number >= 0"),
    ],
)
def test_a_policy_the_model_refuses_comes_back_as_a_message(
    midsize: LoadedScenario, trigger: float, amount: float, message: str
) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        explore.policy_levers(midsize.scenario, initial=1000.0, trigger=trigger, amount=amount)


def test_dropping_the_card_expiry_removes_it_and_changes_the_hash() -> None:
    loaded = load_scenario(BUNDLED["card-expiry"])
    assert loaded.scenario.payments.card_expires is not None
    changed = explore.edited(loaded, Edits(no_card_expiry=True))
    assert changed.scenario.payments.card_expires is None
    assert changed.scenario.payments.card_renewed is None
    assert changed.content_hash != loaded.content_hash


def test_a_new_head_count_keeps_the_files_plan_holder_shares() -> None:
    loaded = load_scenario(BUNDLED["enterprise"])  # 5,000 users, all domestic, 50 international
    fewer = explore.edited(loaded, Edits(users=2000)).scenario.plans
    assert (fewer.domestic_plan_users, fewer.international_plan_users) == (2000, 20)
    more = explore.edited(loaded, Edits(users=7500)).scenario.plans
    assert (more.domestic_plan_users, more.international_plan_users) == (7500, 75)


def test_a_renewal_before_the_expiry_is_refused_with_the_rule(midsize: LoadedScenario) -> None:
    edits = Edits(
        card_expires=datetime(2027, 6, 1, tzinfo=UTC), card_renewed=datetime(2027, 5, 1, tzinfo=UTC)
    )
    with pytest.raises(InputError, match="card_renewed must be after card_expires"):
        explore.edited(midsize, edits)


def test_the_sample_path_is_replication_1_of_the_bank(tiny: LoadedScenario) -> None:
    levers = Levers(Decimal(20), Decimal(10), Decimal(30))  # lean: recharges and outages
    bank = DemandBank.build(tiny, seed=5, replications=3)
    first = bank.outcomes(build_policy(tiny.scenario, levers))[0]
    picture = explore.policy_path(tiny, 5, levers)
    sample, journal = picture.trace.outcome, picture.trace.entries
    fields = ("consumed_minor", "forfeited_minor", "final_balance_minor", "balance_integral",
              "recharges", "failed_recharges", "calls", "outage_episodes", "emails")  # fmt: skip
    assert {name: getattr(sample, name) for name in fields} == {
        name: getattr(first, name) for name in fields
    }
    assert sample.recharges > 0 and journal[-1].balance_after_minor == sample.final_balance_minor
    assert picture.lots["amount"].sum() * 100 == sum(sample.funded_by_source_minor.values())


# -- demand --------------------------------------------------------------------------------


def test_demand_picture_counts_every_call_once(midsize: LoadedScenario) -> None:
    picture = explore.demand_picture(midsize, seed=1)
    assert int(picture.by_hour_weekday.to_numpy().sum()) == int(picture.summary.calls.sum())
    charged = int(picture.charged_by_hour_weekday.to_numpy().sum())
    assert 0 < charged < int(picture.summary.calls.sum())
    assert list(picture.by_hour_weekday.index) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    weekend = picture.by_hour_weekday.loc[["Sat", "Sun"]].to_numpy().sum()
    assert weekend == 0  # midsize's calendar is Mon-Fri


def test_a_bank_too_big_for_memory_is_refused_before_it_is_built(tiny: LoadedScenario) -> None:
    one = DemandBank.build(tiny, 1, 1)
    size = one.compact[0].nbytes
    assert size > 0
    with pytest.raises(InputError, match=r"1,000 replications .* at most 9 fit"):
        DemandBank.build(tiny, 1, 1000, max_bytes=size * 9 + 1)
    assert len(DemandBank.build(tiny, 1, 3, max_bytes=size * 3).compact) == 3


# -- KPI cards --------------------------------------------------------------------------------


def figures(**values: Estimate) -> dict[str, Estimate]:
    base = {card.name: Estimate(0.0, 0.0, 0.0) for card in explore.CARDS}
    return {**base, **values}


def test_cards_carry_units_intervals_and_signed_changes() -> None:
    now = figures(
        outage_risk_per_year=Estimate(0.055, 0.02, 0.12),
        forfeited_per_year=Estimate(1234.5, 1000.0, 1469.0),
        outage_hours_per_year=Estimate(3.25, 0.5, 7.0),
    )
    before = figures(forfeited_per_year=Estimate(1300.0, 1200.0, 1400.0))
    cards = {card.name: card for card in explore_display.kpi_cards(now, "USD", before)}
    assert list(cards) == [card.name for card in explore.CARDS]
    risk = cards["outage_risk_per_year"]
    assert (risk.value, risk.interval, risk.delta) == (
        "5.5 %",
        "95 % CI 2.0 % to 12.0 %",
        "+5.5 pp",
    )
    lost = cards["forfeited_per_year"]
    assert (lost.value, lost.delta) == ("$1,234.50", "-$65.50")
    hours = cards["outage_hours_per_year"]
    assert hours.interval == "95 % CI 0.5 h to 7.0 h"  # a t interval below 0 is clipped
    assert cards["recharges_per_year"].delta is None  # unchanged


def test_the_comparison_reads_as_the_cards_with_currency_and_units(tiny: LoadedScenario) -> None:
    bank = DemandBank.build(tiny, 2, 5)
    levers = scenario_levers(tiny.scenario)
    table = explore.comparison(bank, [levers])
    cards = explore_display.kpi_cards(explore.policy_view(bank, levers).kpis, "USD")
    assert list(table.index) == [card.label for card in cards]
    for card in cards:  # ``value (low to high)``: the card's value and its interval
        interval = card.interval.removeprefix("95 % CI ")
        assert table.loc[card.label, levers.label()] == f"{card.value} ({interval})"
    assert table.loc["Mean balance (cash tied up)", levers.label()].startswith("$")
    assert table.loc["Outage hours a year", levers.label()].endswith(" h)")


def test_one_replication_has_no_interval_to_show() -> None:
    cards = explore_display.kpi_cards(figures(mean_balance=Estimate(10.0, None, None)), "JPY")
    balance = next(card for card in cards if card.name == "mean_balance")
    assert balance.value == "¥10"
    assert balance.interval == "no 95 % CI with one replication"


def test_the_forfeit_table_names_each_lot_that_expired_with_money_left() -> None:
    lots = pd.DataFrame(
        {
            "lot": [1, 2, 3],
            "source": ["initial", "auto_recharge", "auto_recharge"],
            "purchased": pd.to_datetime(["2027-01-01 00:00", "2027-03-05 09:30",
                                         "2027-06-01 10:00"]),
            "expires": pd.to_datetime(["2028-01-01 00:00", "2028-03-05 09:30",
                                       "2028-06-01 10:00"]),
            "amount": [1000.0, 250.0, 250.0],
            "forfeited": [0.0, 82.65, 0.0],
        }
    )  # fmt: skip
    table = explore_display.forfeit_table(lots, "USD")
    assert table.to_dict("records") == [
        {"Lot": 2, "Bought as": "auto-recharge", "Bought on": "2027-03-05 09:30",
         "Expired on": "2028-03-05 09:30", "Bought": "$250.00", "Forfeited": "$82.65"}
    ]  # fmt: skip
    assert explore_display.forfeit_table(lots.assign(forfeited=0.0), "USD").empty


# -- backtests and journals ---------------------------------------------------------------


def walkthrough(*labels: Levers) -> list:
    return usage_upload.backtest_upload(WALKTHROUGH.read_bytes(), "walkthrough.csv", labels)


def test_backtest_figures_are_the_readmes_hand_checked_walkthrough() -> None:
    policy = Levers(Decimal(100), Decimal(50), Decimal(100))
    ((_, result, _),) = walkthrough(policy)
    shown = explore_display.backtest_figures(result)
    assert shown["forfeited"] == "$82.65"
    assert shown["funded"] == "$400.00"
    assert shown["consumed"] == "$218.35"
    assert shown["recharges"] == "3 (0)"
    assert shown["outage_episodes"] == "0"
    assert shown["outage_hours"] == "0.00 h"  # as credsim backtest says it
    table = explore_display.backtest_table([("T50/A100/I100", result)])
    assert table.loc["Forfeited funds", "T50/A100/I100"] == "$82.65"


def test_the_journal_download_is_the_clis_journal_byte_for_byte(tmp_path: Path) -> None:
    ((_, _, journal),) = walkthrough(Levers(Decimal(100), Decimal(50), Decimal(100)))
    out = tmp_path / "journal.csv"
    result = CliRunner().invoke(main, ["backtest", str(WALKTHROUGH), "--trigger", "50",
                                       "--amount", "100", "--initial", "100",
                                       "--journal", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert explore_display.journal_csv(journal, "USD") == out.read_text(encoding="utf-8")
    frame = explore_display.journal_frame(journal, "USD")
    assert frame["amount"].cumsum().round(2).tolist() == frame["balance_after"].round(2).tolist()


def test_a_file_that_is_not_a_usage_report_is_a_message() -> None:
    with pytest.raises(InputError):
        usage_upload.backtest_upload(b"foo,bar\n1,2\n", "notes.csv", [scenario_levers_of_tiny()])
    with pytest.raises(InputError, match="upload a usage report"):
        usage_upload.backtest_upload(b"x", "report.pkl", [scenario_levers_of_tiny()])


def scenario_levers_of_tiny() -> Levers:
    return scenario_levers(load_scenario(TINY).scenario)


# -- sweeps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "grid"),
    [
        ("midsize", ("100:1000:100", "250:2500:250")),  # the README's benchmark grid
        ("small-team", ("13:130:13", "50:500:50")),
        ("checks/poisson-manual", ("100:1000:100", "250:2500:250")),  # no auto-recharge: example
    ],
)
def test_the_grid_form_starts_centred_on_the_scenarios_policy(
    name: str, grid: tuple[str, str]
) -> None:
    assert explore_sweep.grid_form_text(load_scenario(BUNDLED[name]).scenario) == grid


@pytest.mark.parametrize(
    ("triggers", "amounts", "message"),
    [
        ("100:x:100", "250", "triggers: 'x' is not a decimal number"),
        ("100", "0,250", "amounts: 0 must be > 0"),
        ("0:2000:1", "250", "the grid has 2,001 policies; the dashboard runs at most 400"),
        ("0.001", "250", r"policy T0.001/A250/I100: trigger: .* more decimal places"),
    ],
)
def test_a_bad_grid_is_a_message_naming_the_field(
    tiny: LoadedScenario, triggers: str, amounts: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        explore_sweep.sweep_grid(tiny.scenario, triggers, amounts)


def test_the_dashboards_sweep_writes_what_credsim_sweep_writes(
    tiny: LoadedScenario, tmp_path: Path
) -> None:
    grid = explore_sweep.sweep_grid(tiny.scenario, "0,50", "100,200")
    output = explore_sweep.sweep(tiny, grid, replications=6, seed=3, workers=1)
    out = tmp_path / "cli"
    result = CliRunner().invoke(main, ["sweep", str(TINY), "--triggers", "0,50", "--amounts",
                                       "100,200", "--replications", "6", "--seed", "3",
                                       "--workers", "1", "--quiet", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert output.summary_csv == (out / "summary.csv").read_text(encoding="utf-8")
    labels = [entry.label for entry in output.summary.policies]
    choices = explore_sweep.policy_choices(tiny.scenario, scenario_levers(tiny.scenario),
                                           output.summary)  # fmt: skip
    assert set(labels) <= {levers.label() for levers in choices.values()}
    recommended = output.summary.recommendation.label
    assert any(name.startswith(recommended) and "recommended" in name for name in choices)


def test_each_policy_is_offered_once_with_all_its_names(midsize: LoadedScenario) -> None:
    own = scenario_levers(midsize.scenario)
    choices = explore_sweep.policy_choices(midsize.scenario, own)
    assert list(choices) == ["T400/A1000/I1000 (yours, scenario file, documented example)"]
    lean = Levers(Decimal(100), Decimal(50), Decimal(100))
    assert list(explore_sweep.policy_choices(midsize.scenario, lean)) == [
        "T50/A100/I100 (yours)",
        "T400/A1000/I1000 (scenario file, documented example)",
    ]


@pytest.mark.parametrize(
    ("text", "label"),
    [("T300/A800/I1000", "T300/A800/I1000"), (" t300 / a800.50 / i1e3 ", "T300/A800.50/I1000"),
     ("off/I50", "off/I50")],
)  # fmt: skip
def test_a_typed_policy_label_is_read_back(text: str, label: str) -> None:
    assert explore_sweep.parse_label(text, Levers(Decimal(1), None, None)).label() == label


@pytest.mark.parametrize("text", ["T300/A800", "T300/A0/I10", "Tx/A1/I1", "400"])
def test_a_label_that_is_no_policy_is_a_message(text: str) -> None:
    with pytest.raises(InputError):
        explore_sweep.parse_label(text, Levers(Decimal(1), None, None))


def test_the_report_reuses_the_dashboards_sweep_and_equals_credsim_reports(
    tiny: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = explore_sweep.sweep_grid(tiny.scenario, "0,50", "100")
    swept = explore_sweep.sweep(tiny, grid, replications=4, seed=1, workers=1)
    plan = ReportPlan(tiny, grid, 4, 1, widen=explore_sweep.WIDEN)  # as `credsim report` does
    alone = compute_report(plan, workers=1)

    def no_second_sweep(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report swept again")

    monkeypatch.setattr(report, "sweep_in_scratch", no_second_sweep)
    html = explore_sweep.report_html(tiny, grid, swept, workers=1)
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "sweep-tiny" in html
    assert swept.summary.widening is not None
    reused = compute_report(plan, workers=1, swept=swept)
    assert reused.summary == alone.summary
    pd.testing.assert_frame_equal(reused.kpis, alone.kpis)
    pd.testing.assert_frame_equal(reused.bands, alone.bands)
    assert reused.trace == alone.trace


def test_a_bad_upload_is_named_by_its_own_name_not_a_scratch_path() -> None:
    with pytest.raises(InputError) as caught:
        usage_upload.backtest_upload(b"foo,bar\n1,2\n", "notes.csv", [scenario_levers_of_tiny()])
    assert str(caught.value).startswith("notes.csv:1: unrecognised header")


def test_heatmaps_take_one_initial_balance_of_the_grid() -> None:
    rows = pd.DataFrame(
        {
            "label": ["T1/A1/I10", "T1/A1/I5", "T1/A1/I100", "T9/A9/I9"],
            "initial": ["10", "5", "100", "9"],
            "in_grid": [True, True, True, False],  # the last: a reference outside the grid
        }
    )
    assert explore_sweep.grid_initials(rows) == ["5", "10", "100"]
    assert explore_sweep.heatmap_rows(rows, "10")["label"].tolist() == ["T1/A1/I10"]
