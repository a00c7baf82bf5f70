"""``credsim report``: one standalone HTML file that says what the sweep says, escaped, offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from markupsafe import escape
from plotly.offline import get_plotlyjs

from sim.cli.commands import main
from sim.engines.batch import DEFAULT_ENGINE
from sim.study.grid import default_grid
from sim.study.kpis import kpi
from sim.views.report import ReportPlan, compute_report, default_replications
from sim.views.report_render import FIGURE_IDS
from sim.world.load import LoadedScenario, load_scenario
from tests.paths import ROOT, TINY

SMALL = ROOT / "scenarios" / "small-team.toml"
REPLICATIONS = "12"


def report(path: Path, out: Path, *extra: str) -> Result:
    args = ["report", str(path), "-o", str(out), "--workers", "1", "--quiet", *extra]
    return CliRunner().invoke(main, args)


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, str]:
    out = tmp_path_factory.mktemp("report") / "out.html"
    result = report(SMALL, out, "--replications", REPLICATIONS)
    assert result.exit_code == 0, result.output
    return result, out.read_text(encoding="utf-8")


def test_the_report_states_the_recommendation_of_the_same_sweep(
    small_report: tuple[Result, str], tmp_path: Path
) -> None:
    result, html = small_report
    grid = default_grid(load_scenario(SMALL).scenario).to_dict()
    folder = tmp_path / "sweep"
    swept = CliRunner().invoke(main, [
        "sweep", str(SMALL), "--triggers", ",".join(grid["triggers"]),
        "--amounts", ",".join(grid["amounts"]), "--replications", REPLICATIONS,
        "--workers", "1", "--quiet", "--out", str(folder),
    ])  # fmt: skip
    assert swept.exit_code == 0, swept.output
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    rec = summary["recommendation"]
    assert str(escape(rec["reason"])) in html
    assert str(escape(rec["warning"])) in html  # 12 replications cannot qualify under 1 %
    for ref in summary["references"].values():
        assert f"{ref['label']}</strong>" in html
    widening = summary["widening"]["text"]  # the report widens as the sweep does
    assert str(escape(widening)) in html
    assert result.stdout.startswith(
        f"{rec['verdict']}\n{widening[:1].upper()}{widening[1:]}.\n\n"
        f"Recommended: {rec['label']} (WARNING: "
    )
    # the verdict opens the page, above the recommendation and its figures, word for word
    verdict = f'<p id="verdict" class="choice unqualified"><strong>{escape(rec["verdict"])}'
    assert html.index(verdict) < html.index('<section id="recommendation">')
    assert html.count(str(escape(rec["verdict"]))) == 1
    guess = summary["first_guess"]
    assert f"trigger ${guess['trigger']}.00, amount ${guess['amount']}" in html


def test_every_chart_is_in_the_report_once(small_report: tuple[Result, str]) -> None:
    _, html = small_report
    divs = re.findall(r'<div id="([\w-]+)" class="plotly-graph-div"', html)
    assert divs == list(FIGURE_IDS)
    assert html.count("Plotly.newPlot(") == len(FIGURE_IDS)


def test_the_fan_is_on_dates_like_the_sample_path(small_report: tuple[Result, str]) -> None:
    _, html = small_report
    start = html.index('<div id="fig-fan" class="plotly-graph-div"')
    fan = html[start : html.index("Plotly.newPlot(", start) + 3000]
    assert re.search(r'"x":\["2027-01-0\dT', fan), fan[:400]  # small-team starts 2027-01-01


def test_the_sensitivity_section_says_when_nothing_can_be_ranked(
    small_report: tuple[Result, str],
) -> None:
    result, html = small_report  # 12 replications: no policy meets 1 % a year anywhere
    assert '<section id="sensitivity">' in html and "Sensitivity and the robust choice" in html
    assert "12 replications each, seed 1" in html
    assert "regret cannot rank them and there is no robust choice" in html
    assert "Robust choice across the uncertain inputs: none (no policy tried meets" in html
    assert "<th>worst-case regret a year</th>" not in html  # nothing to rank
    assert "Left out: big-meeting size: the scenario has no [[big_meetings]]" in html
    refused = r"Left out: the rule of thumb \(T\d+/A\d+/I\d+\) is not tried: the admin portal"
    assert re.search(refused, html)  # small-team's rule of thumb is below the portal's minimums
    robust = [line for line in result.stdout.splitlines() if line.startswith("Robust choice")]
    assert robust == [
        "Robust choice: none (no policy meets the limit), over 10 settings of the uncertain "
        "inputs, 12 replications each"
    ]


@pytest.mark.parametrize("sensitivity", [True, False])
def test_the_sensitivity_can_use_fewer_replications_or_be_left_out(
    tmp_path: Path, sensitivity: bool
) -> None:
    """Without widening (``small_report`` checks it): only the sensitivity differs."""
    out = tmp_path / "tiny.html"
    extra = ["--no-widen", *(["--sensitivity-replications", "5"] if sensitivity else
                             ["--no-sensitivity"])]  # fmt: skip
    result = report(TINY, out, "--replications", "10", "--triggers", "50,100", "--amounts",
                    "100,200", *extra)  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    divs = re.findall(r'<div id="([\w-]+)" class="plotly-graph-div"', html)
    assert ("fig-tornado-cost" in divs) is sensitivity
    assert ('<section id="sensitivity">' in html) is sensitivity
    assert " ".join(extra) in html  # the command that recomputes the report
    if sensitivity:
        assert "5 replications each, seed 1" in html
        assert "The robust choice is " in html and "<th>worst-case regret a year</th>" in html
        assert '<p id="robust">Robust choice across the uncertain inputs: T' in html
        robust = next(line for line in result.stdout.splitlines() if line.startswith("Robust"))
        assert robust.endswith("5 replications each")
    else:
        assert "Robust choice" not in result.stdout


def test_plotly_js_is_embedded_once_and_nothing_is_fetched(
    small_report: tuple[Result, str],
) -> None:
    _, html = small_report
    assert html.count(get_plotlyjs()[:2000]) == 1
    assert not re.search(r"<script[^>]*\ssrc=", html)
    assert not re.search(r"<link[^>]*\shref=", html)
    assert html.index(get_plotlyjs()[:2000]) < html.index("Plotly.newPlot(")


def test_the_scenario_is_shown_escaped_with_how_to_reproduce_it(
    small_report: tuple[Result, str],
) -> None:
    _, html = small_report
    text = SMALL.read_text(encoding="utf-8")
    assert str(escape(text)) in html
    assert "-&gt; ~24 USD/month" in html and "-> ~24 USD/month" not in html
    loaded = load_scenario(SMALL)
    assert loaded.content_hash in html
    assert f"--replications 12 --seed 1 --engine {DEFAULT_ENGINE}" in html
    assert "Outage risk a year" in html and "Admin emails a year" in html


def test_markup_in_a_scenario_never_reaches_the_page(tmp_path: Path) -> None:
    text = TINY.read_text(encoding="utf-8").replace(
        'name = "sweep-tiny"',
        'name = "tiny"\ndescription = "</pre><script>alert(1)</script> & co"',
    )
    scenario = tmp_path / "evil.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "evil.html"
    result = report(scenario, out, "--replications", "3", "--triggers", "50", "--amounts", "100")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.toml", "-o", "{tmp}/r.html"], "missing.toml"),
        (["{bad}", "-o", "{tmp}/r.html"], "horizon_months: must be a whole number"),
        ([str(TINY), "-o", "{tmp}/no/such/folder/r.html"], "cannot write the report"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    bad = tmp_path / "bad.toml"
    tiny = TINY.read_text(encoding="utf-8")
    bad.write_text(tiny.replace("horizon_months = 3", "horizon_months = 'soon'"), encoding="utf-8")
    argv = [arg.format(tmp=tmp_path, bad=bad) for arg in args]
    result = CliRunner().invoke(main, ["report", *argv, "--quiet"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("credsim: error: ") and message in lines[0]
    assert not list(tmp_path.glob("*.html"))


def test_the_default_replications_let_a_policy_without_outages_qualify(
    tiny: LoadedScenario,
) -> None:
    assert default_replications(load_scenario(SMALL).scenario) == 200  # 1 % a year, 24 months
    assert default_replications(tiny.scenario) == 100  # 90 % a year: the floor


def test_the_kpis_are_the_sweeps_figures_per_year(tiny: LoadedScenario) -> None:
    loaded = tiny  # 3 months: a quarter of a year
    grid = default_grid(loaded.scenario)
    plan = ReportPlan(loaded, grid, 8, seed=3, engine="replay", sensitivity=False)
    data = compute_report(plan, workers=1)
    assert data.kpis["label"].iloc[0] == data.summary.recommendation.label
    for _, row in data.kpis.iterrows():
        entry = data.summary.entry(row["label"])
        metrics = entry.metrics
        forfeited = entry.cost_parts_per_year["forfeited"].estimate
        assert row["forfeited_per_year"] == pytest.approx(forfeited)
        assert row["mean_balance"] == pytest.approx(metrics["mean_balance"].estimate)
        assert row["recharges_per_year"] == pytest.approx(metrics["recharges"].estimate * 4)
        high = metrics["outage_hours"].ci_high
        assert high is not None
        assert row["outage_hours_per_year.ci_high"] == pytest.approx(high * 4)
        assert row["outage_risk_per_year"] == entry.outage_risk_per_year.estimate
    first = data.trace.outcome.to_dict()
    assert first["recharges"] == data.path.events["kind"].eq("auto_recharge").sum()
    assert len(data.lots) == len(data.trace.outcome.lots)
    assert data.bands.shape[0] == len(data.trace.outcome.daily_balance_minor)


def test_the_kpi_table_says_what_outage_forfeited_and_tied_up_cash_mean(
    small_report: tuple[Result, str],
) -> None:
    _, html = small_report
    for name in ("outage_risk_per_year", "forfeited_per_year", "mean_balance"):
        assert f"<small>{escape(kpi(name).meaning)}</small>" in html, name
    assert '"limit 1.0 %"' in html  # the risk heatmap's colours anchored to the risk limit


def test_a_report_from_an_opening_balance_names_it_and_repeats_the_option(tmp_path: Path) -> None:
    out = tmp_path / "tiny.html"
    result = report(TINY, out, "--replications", "10", "--triggers", "50", "--amounts", "100",
                    "--no-sensitivity", "--no-widen", "--balance", "250")  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Opening balance: $250.00 in 1 lot (expires 2028-01-01)" in html
    assert "--no-widen --no-sensitivity --balance 250" in html  # the command that recomputes it
