"""One KPI table (``sim.study.kpis``): every figure a view shows is in it, and the same
policy and seed read the same on the dashboard's cards, in the report and in ``credsim run``.

Here, not under a package's folder, because it spans the study, the views, the
dashboard and the command line.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.account.money import currency
from sim.cli.commands import main
from sim.dashboard import explore, explore_display, tradeoffs_page
from sim.study.experiment import Levers, scenario_levers
from sim.study.grid import default_grid
from sim.study.kpis import kpi
from sim.study.run_summary import PER_YEAR
from sim.study.runner import run_replications
from sim.views import report_render
from sim.views.report import KPIS as REPORT_KPIS
from sim.views.report import ReportData, ReportPlan, compute_report
from sim.views.summary import HEADLINE
from sim.world.load import LoadedScenario, load_scenario
from tests.paths import SCENARIOS, TINY

SEED, REPLICATIONS = 3, 20
CURRENCY = currency("USD")


def test_every_figure_shown_by_the_dashboard_the_report_and_a_run_is_in_the_table(
    tiny: LoadedScenario,
) -> None:
    loaded = tiny
    results = run_replications(
        loaded, [scenario_levers(loaded.scenario)], replications=3, seed=1, engine="fast"
    )
    run_names = set(results.policies[0].table().columns) - {"replication"}
    shown = {
        "dashboard cards": [card.name for card in explore.CARDS],
        "dashboard backtest": [figure.name for figure in explore_display.BACKTEST_FIGURES],
        "dashboard heatmaps": list(tradeoffs_page.HEATMAPS),
        "report": [figure.name for figure in REPORT_KPIS],
        "report heatmaps": ["outage_risk_per_year", "forfeited_per_year", "cost_per_year"],
        "credsim run": [*PER_YEAR, *HEADLINE, *sorted(run_names)],
    }
    for view, names in shown.items():
        for name in names:
            assert kpi(name).name == name, (view, name)
    assert set(HEADLINE) <= run_names  # the run's headline rows are metrics it computes


@pytest.fixture(scope="module")
def tiny_report() -> ReportData:
    loaded = load_scenario(TINY)
    plan = ReportPlan(loaded, default_grid(loaded.scenario), REPLICATIONS, seed=SEED)
    return compute_report(plan, workers=1)


def test_the_same_policy_and_seed_read_the_same_in_cards_report_and_cli(
    tiny_report: ReportData,
) -> None:
    """The recommended policy of a TINY report, on the dashboard and in ``credsim run``."""
    levers = tiny_report.levers
    report = {line["label"]: (line["value"], line["interval"]) for line in
              report_render.kpi_lines(tiny_report)}  # fmt: skip
    assert list(report) == [figure.label for figure in REPORT_KPIS]

    bank = explore.DemandBank.build(tiny_report.plan.loaded, SEED, REPLICATIONS)
    view = explore.policy_view(bank, levers)
    cards = {card.label: card for card in explore_display.kpi_cards(view.kpis, "USD")}
    shared = [card.label for card in explore.CARDS if card.label in report]
    assert shared == [card.label for card in explore.CARDS]  # the report shows every card
    for label in shared:
        assert (cards[label].value, cards[label].interval) == (
            report[label][0],
            f"95 % CI {report[label][1]}",
        ), label

    args = ["run", str(TINY), "--trigger", str(levers.trigger), "--amount", str(levers.amount),
            "--initial", str(levers.initial), "--replications", str(REPLICATIONS),
            "--seed", str(SEED), "--workers", "1"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    balance = next(line for line in lines if line.startswith("mean_balance "))
    value, interval = report[kpi("mean_balance").label]
    assert balance.split(maxsplit=1)[1].split() == [value, *interval.split()]
    risk = kpi("outage_risk_per_year")
    value, interval = report[risk.label]
    row = next(line for line in lines if line.startswith(f"{risk.label} "))
    assert row[len(risk.label) :].split() == f"{value} {interval}".split()
    card = cards[risk.label]
    assert (card.value, card.interval) == (value, f"95 % CI {interval}")
    # the sweep's summary (the heatmaps' and the printout's source) holds the same estimate
    entry = tiny_report.summary.entry(levers.label())
    assert risk.estimate_text(entry.outage_risk_per_year, CURRENCY) == f"{value} ({interval})"


def test_small_team_t400_reads_the_same_outage_risk_on_every_screen(tmp_path: Path) -> None:
    """Issue 13: the card said 0.0 % (first 12 months) where the sweep said 100 % a year.

    The outage starts when the first lot expires, 12 months in: in every replication the
    second year has an outage and the first has none, so every screen reads 50.0 % a year.
    """
    loaded = load_scenario(SCENARIOS / "small-team.toml")
    levers = Levers(Decimal(1000), Decimal(400), Decimal(1000))
    bank = explore.DemandBank.build(loaded, SEED, 10)
    card = explore.policy_view(bank, levers).kpis["outage_risk_per_year"]
    args = ["--trigger", "400", "--amount", "1000", "--initial", "1000",
            "--replications", "10", "--seed", str(SEED), "--workers", "1"]  # fmt: skip
    run = CliRunner().invoke(main, ["run", str(loaded.path), *args, "--json"])
    assert run.exit_code == 0, run.output
    swept = CliRunner().invoke(
        main, ["sweep", str(loaded.path), "--triggers", "400", "--amounts", "1000",
               "--initials", "1000", *args[6:], "--out", str(tmp_path / "sweep")],
    )  # fmt: skip
    assert swept.exit_code == 0, swept.output
    summary = json.loads((tmp_path / "sweep" / "summary.json").read_text(encoding="utf-8"))
    entry = next(item for item in summary["policies"] if item["label"] == levers.label())
    from_run = json.loads(run.stdout)["per_year"]["outage_risk_per_year"]
    assert from_run == entry["outage_risk_per_year"] == card.rounded().as_probability()
    assert from_run["estimate"] == 0.5
