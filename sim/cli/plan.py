"""``credsim plan``: from the tenant's usage exports to a decision document, in one command.

Why one command: a planner's evidence is their own usage export and today's
balance. ``plan`` chains what the other commands do one by one, with nothing
of its own in between: ``calibrate`` fits a scenario to the exports (with a
holdout check), the grid is chosen from the fitted spend
(``sim.study.plan_grid``), the report's sweep recommends a policy, and the HTML
report shows the recommendation with the calibration and holdout section. Every
file it writes goes into --out, so the decision can be reproduced from there:

    tenant.toml, tenant-rates.csv   the fitted scenario and its rate table
    calibration.json                 what was fitted, the assumptions, the holdout
    summary.json                     the sweep's summary and recommendation
    report.html                      the decision document
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sim.cli.fitting import FitOptions, fit_exports, fitting_options, json_ready
from sim.cli.options import (
    CALLS,
    BadInput,
    bad_input,
    build,
    engine_option,
    portal,
    preflight,
    quiet_option,
    report_replications_option,
    seed_option,
    widen_option,
    workers_option,
)
from sim.cli.progress import progress_factory
from sim.cli.sweep import warn_rule_of_thumb
from sim.study.experiment import grid_portal
from sim.study.widen import WidenLimits

if TYPE_CHECKING:  # `credsim --help` imports this module: plotly, scipy, pandas load on use
    from sim.views.report import ReportData, ReportPlan

OUTPUTS = ("tenant.toml", "tenant-rates.csv", "calibration.json", "summary.json", "report.html")
"""What --out holds afterwards (the rates file is named by the calibration)."""
PLAN_HOLDOUT_MONTHS = 3
"""The holdout ``plan`` checks by default: the last 3 months, when the data allow it."""


@click.command()
@click.argument("files", nargs=-1, required=True, type=CALLS)
@click.option(
    "-o", "--out", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the scenario, calibration, summary and report into.",
)  # fmt: skip
@fitting_options(holdout_default=PLAN_HOLDOUT_MONTHS)
@report_replications_option
@seed_option
@workers_option
@engine_option
@click.option(
    "--sensitivity/--no-sensitivity", default=False,
    help="Also run the recommended policy's sensitivity and the robust choice [off: faster].",
)  # fmt: skip
@quiet_option
@widen_option
def plan(
    files: tuple[Path, ...],
    out: Path,
    replications: int | None,
    seed: int,
    workers: int | None,
    engine: str,
    sensitivity: bool,
    quiet: bool,
    widen: bool,
    **fitting: Any,
) -> None:
    """From usage exports FILE... to a recommended trigger and amount, and its report.

    Fits a scenario to the exports (`credsim calibrate`), checks the fit on the
    last months it held out, sweeps triggers of a few days to a few weeks of
    the fitted spend and amounts of a week to a few months, and writes the
    report with the calibration and holdout figures into --out.
    """
    # What plan fits, sweeps and draws with, loaded when it runs:
    from sim.study.plan_grid import fitted_spend_per_day, spend_grid  # noqa: PLC0415
    from sim.views.report import ReportPlan, compute_report, default_replications  # noqa: PLC0415
    from sim.views.report_render import render_report, write_report  # noqa: PLC0415
    from sim.world.load import load_scenario  # noqa: PLC0415

    _prepare(out)
    options = FitOptions(**fitting)
    calibration = fit_exports(files, options, seed=seed, progress=None if quiet else _say)
    if not quiet:
        _say(calibration.to_text())
    toml_path, _rates = calibration.write(out / "tenant.toml")
    _write_json(out / "calibration.json", json_ready(calibration.to_dict()))
    with bad_input():
        loaded = load_scenario(toml_path)
        spend = fitted_spend_per_day(loaded, seed=seed)
    planned = build(str(toml_path), lambda: spend_grid(
        spend, loaded.scenario.scenario.currency, loaded.scenario.policy.initial_balance
    ))  # fmt: skip
    count = replications or default_replications(loaded.scenario)
    limits = WidenLimits() if widen else None
    report_plan = ReportPlan(
        loaded, planned.grid, count, seed, engine, limits,  # type: ignore[arg-type]
        sensitivity=sensitivity, calibration=calibration, grid_note=planned.explanation(),
    )  # fmt: skip
    code = loaded.scenario.scenario.currency
    portal(grid_portal(code, report_plan.sweep_plan().grid_levers()), strict=False)
    workers = preflight(loaded, workers=workers, replications=count)
    with bad_input():
        data = compute_report(report_plan, workers=workers, progress=progress_factory(quiet=quiet))
    warn_rule_of_thumb(data.summary)
    _write_json(out / "summary.json", data.summary.to_dict())
    html = render_report(data, command=_command(files, out, report_plan, options))
    try:
        write_report(out / "report.html", html)
    except OSError as error:
        raise BadInput(f"{out}: cannot write the report: {error.strerror or error}") from None
    _print(data, planned.explanation(), out)


def _say(line: str) -> None:
    """Progress and the fit's summary go to stderr; stdout keeps the verdict."""
    click.echo(line, err=True)


def _prepare(out: Path) -> None:
    """--out exists afterwards, or one line says why it cannot."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BadInput(f"{out}: cannot create the folder: {error.strerror or error}") from None


def _write_json(path: Path, document: object) -> None:
    try:
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise BadInput(f"{path}: cannot write: {error.strerror or error}") from None


def _command(
    files: tuple[Path, ...], out: Path, report_plan: ReportPlan, options: FitOptions
) -> str:
    """The command that recomputes the report (shown under "Reproduce")."""
    parts = ["credsim plan", *(str(path) for path in files), "-o", str(out), *options.args()]
    parts += ["--replications", str(report_plan.replications), "--seed", str(report_plan.seed)]
    if report_plan.sensitivity:
        parts.append("--sensitivity")
    if report_plan.widen is None:
        parts.append("--no-widen")
    return " ".join(parts)


def _print(data: ReportData, grid_line: str, out: Path) -> None:
    """The verdict first (as ``sweep`` and ``report``), the grid's origin, the files written."""
    from sim.views.summary import widening_line  # noqa: PLC0415  (scipy, pandas)

    summary = data.summary
    rec = summary.recommendation
    click.echo(rec.verdict)
    if widened := widening_line(summary):
        click.echo(widened)
    warning = "" if rec.qualifies else f" (WARNING: {rec.warning})"
    click.echo(f"Recommended: {rec.label}{warning}")
    click.echo(grid_line)
    click.echo(f"Wrote {', '.join(str(out / name) for name in OUTPUTS)}")
