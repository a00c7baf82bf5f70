"""``credsim report``: parse, check, compute (``sim.views.report``), render one HTML file.

Kept apart from ``sim/cli/commands.py`` (which registers it on the ``credsim`` group),
thin like the rest of the CLI: every figure and word of the report comes from
``sim.views.report`` and ``sim.views.report_render``.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.cli.options import (
    REPLICATIONS,
    SCENARIO,
    BadInput,
    GridValuesType,
    apply_opening,
    bad_input,
    build,
    engine_option,
    opening_options,
    portal,
    preflight,
    quiet_option,
    report_replications_option,
    seed_option,
    strict_option,
    widen_option,
    workers_option,
)
from sim.cli.progress import progress_factory
from sim.cli.sweep import warn_rule_of_thumb
from sim.study.experiment import build_policy, grid_portal
from sim.study.grid import Grid, default_grid
from sim.study.widen import WidenLimits

if TYPE_CHECKING:  # `credsim --help` imports this module: plotly, scipy, pandas load on use
    from sim.views.report import ReportPlan

BYTES_PER_MB = 1_000_000


@click.command()
@click.argument("file", type=SCENARIO)
@click.option(
    "-o", "--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
    help="The HTML file to write (replaced if it exists).",
)  # fmt: skip
@click.option(
    "--triggers", type=GridValuesType(),
    help="Triggers: LIST or START:STOP:STEP [0.25, 0.5, 1, 2, 4 x the scenario's, >= 50].",
)  # fmt: skip
@click.option(
    "--amounts", type=GridValuesType(positive=True),
    help="Recharge amounts, the same forms [0.25, 0.5, 1, 2, 4 x the scenario's].",
)  # fmt: skip
@report_replications_option
@seed_option
@workers_option
@engine_option
@click.option(
    "--sensitivity/--no-sensitivity", default=True,
    help="Run the recommended policy's sensitivity and the robust choice [on].",
)  # fmt: skip
@click.option(
    "--sensitivity-replications", type=REPLICATIONS,
    help="Replications of the sensitivity analysis [the sweep's].",
)  # fmt: skip
@quiet_option
@widen_option
@opening_options
@strict_option
def report(
    file: Path,
    out: Path,
    triggers: tuple[Decimal, ...] | None,
    amounts: tuple[Decimal, ...] | None,
    replications: int | None,
    seed: int,
    workers: int | None,
    engine: str,
    sensitivity: bool,
    sensitivity_replications: int | None,
    quiet: bool,
    widen: bool,
    balance: Decimal | None,
    lots: Path | None,
    strict: bool,
) -> None:
    """One standalone HTML report on scenario FILE: the recommended policy and why.

    Sweeps a grid of triggers and amounts around the scenario's own policy,
    then shows the recommendation beside the documented example and a rule
    of thumb, with every chart, how the recommended policy's risk and cost
    move with each uncertain input and the robust choice (--no-sensitivity
    leaves that out), the assumptions, the scenario and how to reproduce it.
    The file needs no network to open. When the recommended policy sits at an
    edge of the grid, the grid is widened there (--no-widen: never).
    """
    # What a report computes and draws with, loaded when one runs:
    from sim.study.sensitivity import check_work  # noqa: PLC0415
    from sim.views.report import compute_report  # noqa: PLC0415
    from sim.views.report_render import render_report, write_report  # noqa: PLC0415
    from sim.views.summary import widening_line  # noqa: PLC0415

    plan = _plan(file, out, triggers, amounts, replications, seed, engine, widen, (balance, lots))
    plan = replace(plan, sensitivity=sensitivity, sensitivity_replications=sensitivity_replications)
    code = plan.loaded.scenario.scenario.currency
    portal(grid_portal(code, plan.sweep_plan().grid_levers()), strict=strict)
    workers = preflight(plan.loaded, workers=workers, replications=plan.replications)
    if sensitivity:
        with bad_input():  # before the sweep: the analysis's work does not depend on it
            check_work(plan.loaded, sensitivity_replications or plan.replications)
    with bad_input():
        data = compute_report(plan, workers=workers, progress=progress_factory(quiet=quiet))
    warn_rule_of_thumb(data.summary)
    html = render_report(data, command=plan.command(out))
    try:
        write_report(out, html)
    except OSError as error:
        raise BadInput(f"{out}: cannot write the report: {error.strerror or error}") from None
    rec = data.summary.recommendation
    warning = "" if rec.qualifies else f" (WARNING: {rec.warning})"
    click.echo(rec.verdict)
    if widened := widening_line(data.summary):
        click.echo(widened)
    click.echo(f"Recommended: {rec.label}{warning}")
    if data.sensitivity is not None:
        robust = data.sensitivity.robust
        same = " (the recommended policy)" if robust.is_point_optimum else ""
        choice = f"{robust.choice}{same}" if robust.ranked else "none (no policy meets the limit)"
        click.echo(
            f"Robust choice: {choice}, over {len(data.sensitivity.settings())} settings of the "
            f"uncertain inputs, {data.sensitivity.replications} replications each"
        )
    size_mb = len(html.encode("utf-8")) / BYTES_PER_MB
    click.echo(f"Wrote {out} ({size_mb:.1f} MB) in {data.wall_s:.1f} s")


def _plan(
    file: Path,
    out: Path,
    triggers: tuple[Decimal, ...] | None,
    amounts: tuple[Decimal, ...] | None,
    replications: int | None,
    seed: int,
    engine: str,
    widen: bool,
    opening: tuple[Decimal | None, Path | None] = (None, None),
) -> ReportPlan:
    """The checked plan: the scenario loads (with ``--balance``/``--lots``, if given), the grid's
    policies build, --out can be written."""
    from sim.views.report import ReportPlan, default_replications  # noqa: PLC0415
    from sim.world.load import load_scenario  # noqa: PLC0415

    with bad_input():
        loaded = load_scenario(file)
    loaded = apply_opening(loaded, *opening)
    balance, lots = opening
    held: tuple[str, ...] = ("--balance", str(balance)) if balance is not None else ()
    held += ("--lots", str(lots)) if lots is not None else ()
    if not out.parent.is_dir():
        raise BadInput(f"{out}: cannot write the report: no folder {out.parent}")
    scenario = loaded.scenario
    grid = default_grid(scenario)
    grid = Grid(triggers or grid.triggers, amounts or grid.amounts, grid.initials)
    count = replications or default_replications(scenario)
    limits = WidenLimits() if widen else None
    plan = ReportPlan(loaded, grid, count, seed, engine, limits, opening_args=held)  # type: ignore[arg-type]
    levers = plan.sweep_plan().grid_levers()
    build("policy", lambda: [build_policy(scenario, item) for item in levers])
    return plan
