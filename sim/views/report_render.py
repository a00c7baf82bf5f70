"""``ReportData`` as one standalone HTML file: the figures, the words, the scenario.

Why standalone: the report is mailed to a finance colleague or attached to
a change request, and must open years later without a network. So plotly.js
is embedded once (``plotly.offline.get_plotlyjs``) and every figure is a div
that uses it; nothing is fetched. Every text goes through jinja2 with
autoescaping, so a scenario's description or TOML cannot inject markup.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import plotly
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from sim import __version__
from sim.account.format import money_major
from sim.account.money import currency
from sim.study.calibration import Calibration
from sim.study.experiment import build_policy, scenario_currency
from sim.study.kpis import gathered, kpi
from sim.study.recommend import describe
from sim.study.sensitivity_result import Sensitivity
from sim.study.summary import COST_BASIS, RISK_BASIS, SweepSummary
from sim.study.sweep_summary import portal_lines, summary_table
from sim.views import charts, report_calibration, report_sensitivity
from sim.views.advice import first_guess_text
from sim.views.report import KPIS, ReportData, roles
from sim.views.scenario_text import objective_text, opening_line, policy_text, rates_text
from sim.world.assumptions import assumption_lines

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
FIGURE_IDS = (
    "fig-comparison", "fig-fan", "fig-path", "fig-lots", "fig-heat-risk", "fig-heat-forfeited",
    "fig-heat-cost", "fig-pareto", *report_sensitivity.FIGURE_IDS, "fig-spend", "fig-hours",
    "fig-pools",
)  # fmt: skip
"""Every figure of a report, in order (the div ids; the tornados only with the sensitivity)."""


@dataclass(frozen=True)
class Section:
    """A heading, a sentence saying why it matters, and its figures as (id, caption, figure).

    ``lines`` are paragraphs shown before the figures, ``tables`` and ``notes``
    after them (the sensitivity section has all three).
    """

    id: str
    heading: str
    intro: str
    figures: list[tuple[str, str, go.Figure]]
    lines: tuple[str, ...] = ()
    tables: tuple[report_sensitivity.Table, ...] = ()
    notes: tuple[str, ...] = ()


def render_report(data: ReportData, *, command: str) -> str:
    """The whole HTML document; ``command`` is the one that recomputes it."""
    environment = Environment(
        loader=PackageLoader("sim.views", "templates"), autoescape=True, keep_trailing_newline=True
    )
    template = environment.get_template("report.html.j2")
    return template.render(**_context(data, command))


def write_report(path: Path, html: str) -> None:
    """Write atomically: a killed report leaves the old file or none, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(html, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def sections(data: ReportData) -> list[Section]:
    """The report's figures, grouped; ids are ``FIGURE_IDS``."""
    shown = [_policy_section(data), _grid_section(data)]
    if data.plan.calibration is not None:
        shown.insert(0, _calibration_section(data.plan.calibration, data.plan.grid_note))
    if data.sensitivity is not None:
        shown.append(_sensitivity_section(data.sensitivity))
    return [*shown, _demand_section(data)]


def _calibration_section(calibration: Calibration, grid_note: str) -> Section:
    return Section(
        "calibration", report_calibration.HEADING, report_calibration.intro(calibration),
        report_calibration.figures(calibration), report_calibration.lines(calibration, grid_note),
        report_calibration.tables(calibration), report_calibration.notes(calibration),
    )  # fmt: skip


def _sensitivity_section(result: Sensitivity) -> Section:
    return Section(
        "sensitivity", "Sensitivity and the robust choice", report_sensitivity.intro(result),
        report_sensitivity.figures(result), tuple(report_sensitivity.lines(result)),
        (report_sensitivity.inputs_table(result),
         *([report_sensitivity.regret_table(result)] if result.robust.ranked else [])),
        tuple(report_sensitivity.notes(result)),
    )  # fmt: skip


def _policy_section(data: ReportData) -> Section:
    code, rec = data.summary.head.currency, data.summary.recommendation.label
    trigger = None if data.levers.trigger is None else float(data.levers.trigger)
    fan = charts.balance_fan(
        data.bands,
        currency=code,
        trigger=trigger,
        start=data.plan.loaded.scenario.scenario.start,  # on dates, as the sample path is
        title=f"End-of-day balance under {rec}",
    )
    figures = [
        ("fig-comparison", "The recommended policy beside the two references, same seeds.",
         charts.policy_table(data.kpis, KPIS, currency=code)),
        ("fig-fan", "Median, 50 % and 90 % bands of the end-of-day balance over the "
         "replications.", fan),
        ("fig-path", "Replication 1 (that of credsim run and credsim demand with this seed): "
         "recharges, failed payments, forfeits and outages (shaded).",
         charts.sample_path_chart(data.path, currency=code, trigger=trigger)),
        ("fig-lots", "The same replication: what became of each lot bought.",
         charts.forfeiture_sources(data.lots, currency=code)),
    ]  # fmt: skip
    return Section("policy", f"The recommended policy ({rec})", _text("policy", data), figures)


def _grid_section(data: ReportData) -> Section:
    summary = data.summary
    code, rec = summary.head.currency, summary.recommendation.label
    rows = summary_table(summary)
    grid = rows[rows["in_grid"].astype(bool)]

    def heatmap(name: str) -> go.Figure:
        shown = kpi(name)
        return charts.grid_heatmap(
            grid,
            name,
            title=shown.label,
            unit=shown.unit,
            currency=code,
            recommended=rec,
            limit=summary.objective.max_outage_risk_per_year,  # the risk's colours
        )

    pareto = charts.pareto_chart(
        rows,
        frontier=summary.frontier,
        recommended=rec,
        documented_example=summary.reference("documented_example").label,
        rule_of_thumb=summary.reference("rule_of_thumb").label,
        currency=code,
        limit=summary.objective.max_outage_risk_per_year,
    )
    figures = [
        ("fig-heat-risk", "Outage risk a year (estimate) per trigger and amount.",
         heatmap("outage_risk_per_year")),
        ("fig-heat-forfeited", "Money forfeited at lot expiry, a year.",
         heatmap("forfeited_per_year")),
        ("fig-heat-cost", "Expected cost a year (the objective's prices).",
         heatmap("cost_per_year")),
        ("fig-pareto", "No policy on the frontier is beaten on both risk and cost by another; "
         "whiskers are 95 % intervals.", pareto),
    ]  # fmt: skip
    return Section("grid", "Every policy tried", _text("grid", data), figures)


def _demand_section(data: ReportData) -> Section:
    zone = data.plan.loaded.scenario.calendar.timezone
    figures = [
        ("fig-spend", "Charge of replication 1's calls, by month and service.",
         charts.spend_by_month(data.demand)),
        ("fig-hours", "Replication 1's calls by weekday and local hour.",
         charts.calls_by_hour_weekday(data.hours, timezone=zone)),
        ("fig-pools", "Pooled minutes used each month against each pool's allotment.",
         charts.pool_use(data.demand)),
    ]  # fmt: skip
    return Section("demand", "The demand behind it", _text("demand", data), figures)


def _text(section: str, data: ReportData) -> str:
    replications = data.plan.replications
    return {
        "policy": f"How the recommended policy behaves: its figures over {replications} "
        "replications, its balance, and one replication told event by event.",
        "grid": "Each cell is one policy of the grid, run against the same demand and payment "
        "draws as every other (common random numbers), so differences are the policies'.",
        "demand": "What the scenario file generates: check that it is the tenant you meant.",
    }[section]


def _context(data: ReportData, command: str) -> dict[str, Any]:
    summary, loaded = data.summary, data.plan.loaded
    scenario = loaded.scenario
    info = scenario.scenario
    return {
        "title": f"Communications Credits policy report: {info.name}",
        "description": info.description or "",
        "created": data.created.replace("T", " ").replace("+00:00", ""),
        "wall_s": f"{data.wall_s:.1f} s",
        "version": __version__,
        "policies": summary.grid_policies,
        "replications": summary.head.replications,
        "seed": summary.head.seed,
        "horizon_months": info.horizon_months,
        "start": info.start.isoformat(),
        "plotly_js": Markup(get_plotlyjs()),
        "recommendation": _recommendation(data),
        "references": _references(summary),
        "kpis": kpi_lines(data),
        "sections": [_rendered(section) for section in sections(data)],
        "assumptions": _assumptions(data),
        "portal": portal_lines(summary),
        "scenario_path": str(loaded.path),
        "scenario_text": loaded.path.read_text(encoding="utf-8"),
        "reproduction": _reproduction(data, command),
    }


def _rendered(section: Section) -> dict[str, Any]:
    figures = [
        {"id": id_, "caption": caption, "html": Markup(_figure_html(figure, id_))}
        for id_, caption, figure in section.figures
    ]
    return {"id": section.id, "heading": section.heading, "intro": section.intro,
            "figures": figures, "lines": section.lines, "tables": section.tables,
            "notes": section.notes}  # fmt: skip


def _figure_html(figure: go.Figure, div_id: str) -> str:
    """A div and its script; plotly.js itself is in the page's head, once."""
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                          config=PLOTLY_CONFIG)  # fmt: skip


def _describe(summary: SweepSummary, label: str) -> str:
    """``$12.34 a year, outage risk ...`` of a policy, as the CLI's printout says it."""
    cur = currency(summary.head.currency)
    return describe(summary.entry(label).score, lambda value: money_major(value, cur))


def _recommendation(data: ReportData) -> dict[str, Any]:
    summary, scenario = data.summary, data.plan.loaded.scenario
    rec = summary.recommendation
    policy = build_policy(scenario, data.levers)
    return {
        "label": rec.label,
        "levers": policy_text(policy, scenario_currency(scenario)),
        "describe": _describe(summary, rec.label),
        "reason": rec.reason,
        "warning": rec.warning,
        "qualifies": rec.qualifies,
        "robust": None if data.sensitivity is None else _robust_line(data.sensitivity),
        "verdict": rec.verdict,
        "first_guess": None
        if summary.first_guess is None
        else first_guess_text(summary.first_guess, rec.label, currency(summary.head.currency)),
    }


def _robust_line(result: Sensitivity) -> str:
    """One line beside the recommendation: the robust choice (the section has the rest)."""
    robust = result.robust
    if not robust.ranked:
        return "Robust choice across the uncertain inputs: none (no policy tried meets the limit)."
    if robust.is_point_optimum:
        return f"Robust choice across the uncertain inputs: {robust.choice}, this same policy."
    return f"Robust choice across the uncertain inputs: {result.named(robust.choice)}."


def _references(summary: SweepSummary) -> list[dict[str, str]]:
    return [
        {
            "name": ref.heading,
            "label": ref.label,
            "describe": _describe(summary, ref.label),
            "basis": ref.basis,
        }
        for ref in summary.references
    ]


def kpi_lines(data: ReportData) -> list[dict[str, str]]:
    """The recommended policy's row of the KPI table, one line per figure, with what the
    figure means where ``sim.study.kpis`` says (the dashboard's tooltips say the same)."""
    row = data.kpis.iloc[0]
    cur = currency(data.summary.head.currency)
    lines = []
    for shown in KPIS:
        est = gathered(row, shown.name)
        lines.append({"label": shown.label, "value": shown.text(est.estimate, cur),
                      "interval": shown.interval_text(est, cur),
                      "meaning": shown.meaning})  # fmt: skip
    return lines


def _assumptions(data: ReportData) -> list[tuple[str, str]]:
    summary, scenario = data.summary, data.plan.loaded.scenario
    return [
        ("Objective", objective_text(scenario)),
        ("Recommendation rule", "the grid policy with the lowest expected cost a year among "
         "those whose outage risk a year stays within the limit at the 95 % (Wilson) upper "
         "bound; if none does, the one with the lowest risk, with a warning. The references "
         "are shown, never chosen."),
        ("Cost", COST_BASIS),
        ("Risk", RISK_BASIS),
        ("Payments", "; ".join(assumption_lines(scenario))),
        ("Monte Carlo", f"{summary.head.replications} replications, seed {summary.head.seed}, "
         f"engine {summary.head.engine}; every policy sees the same demand and payment draws in "
         "each replication; means with Student-t 95 % intervals, probabilities with Wilson."),
        ("Rates", f"{rates_text(data.plan.loaded.rates)}, billing increment "
         f"{scenario.rates.billing_increment_s} s."),
        *([("Opening account", f"{held.capitalize()}: these lots are spent first and "
            "forfeited when they expire, like any other")]
          if (held := opening_line(scenario)) else []),
    ]  # fmt: skip


def _reproduction(data: ReportData, command: str) -> list[tuple[str, str]]:
    plan, manifest, widening = data.plan, data.manifest, data.summary.widening
    grid = data.summary.head.grid.to_dict()  # the grid swept: widened, if it was
    libraries = ", ".join(f"{name} {ver}" for name, ver in manifest.get("libraries", {}).items()
                          if ver)  # fmt: skip
    sweep_out = Path(f"sweep-{plan.loaded.scenario.scenario.name}")
    return [
        ("Command", command),
        ("The same sweep on its own", plan.sweep_plan().command(sweep_out)),
        ("Scenario content hash (sha256 of the file and its rate table)",
         plan.loaded.content_hash),
        ("Seed, replications, engine", f"{plan.seed}, {plan.replications}, {plan.engine}"),
        ("Grid", f"triggers {', '.join(grid['triggers'])}; amounts {', '.join(grid['amounts'])}; "
         f"initial {', '.join(grid['initials'])}"),
        *([] if widening is None else [("Grid widening", widening.text() or "none needed")]),
        ("Policies shown", "; ".join(f"{' = '.join(names)}: {label}"
                                     for label, names in roles(data.summary))),
        ("credsim, Python", f"{manifest.get('credsim_version', __version__)}, "
         f"Python {manifest.get('python', '?')}"),
        ("Libraries", libraries),
        ("Report libraries", f"plotly {plotly.__version__}, jinja2 {jinja2.__version__}"),
    ]  # fmt: skip
