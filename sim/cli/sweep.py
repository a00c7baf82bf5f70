"""``credsim sweep``: parse, check, run ``sim.study.sweep``, print the recommendation.

Kept apart from ``sim/cli/commands.py`` (which registers it on the ``credsim`` group)
so that each file stays small; thin like the rest of the CLI.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sim.cli.heap import collector_off, frozen
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
    seed_option,
    strict_option,
    widen_option,
    workers_option,
)
from sim.cli.progress import progress_factory
from sim.study.experiment import build_policy, grid_portal
from sim.study.grid import Grid
from sim.study.widen import WidenLimits

if TYPE_CHECKING:  # `credsim --help` imports this module: numpy, pandas, pyarrow load on use
    from sim.study.summary import SweepSummary


@click.command()
@click.argument("file", type=SCENARIO)
@click.option(
    "--triggers", type=GridValuesType(), required=True,
    help="Triggers: 50,100,200 or START:STOP:STEP (STOP included when on the grid).",
)  # fmt: skip
@click.option(
    "--amounts", type=GridValuesType(positive=True), required=True,
    help="Recharge amounts, the same forms.",
)  # fmt: skip
@click.option("--initials", type=GridValuesType(), help="Initial balances [the scenario's].")
@click.option("--replications", type=REPLICATIONS, default=200, show_default=True)
@seed_option
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), required=True,
    help="Folder for runs.parquet, summary.csv, summary.json, portal.json, manifest.json, parts/.",
)  # fmt: skip
@workers_option
@click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask scheduler instead.")
@click.option("--resume", is_flag=True, help="Finish the sweep already in --out.")
@click.option("--force", is_flag=True, help="Replace the sweep already in --out.")
@click.option("--quiet", is_flag=True, help="No progress bar (warnings still go to stderr).")
@widen_option
@engine_option
@opening_options
@strict_option
@collector_off  # while it loads; on inside ``frozen`` below (sim.cli.heap)
def sweep(
    file: Path,
    triggers: tuple[Decimal, ...],
    amounts: tuple[Decimal, ...],
    initials: tuple[Decimal, ...] | None,
    replications: int,
    seed: int,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    force: bool,
    quiet: bool,
    widen: bool,
    engine: str,
    balance: Decimal | None,
    lots: Path | None,
    strict: bool,
) -> None:
    """Every (trigger, amount, initial) of a grid x N replications of scenario FILE.

    Writes the results to --out, picks the cheapest policy whose outage risk is
    within the scenario's [objective], and shows it beside the documented
    example and a rule of thumb. When that policy sits at an edge of the grid,
    the grid is widened there and the added policies swept (--no-widen: never).
    """
    # What a sweep runs on, loaded when one runs (`credsim --help` stays quick):
    from sim.study.executors import DaskExecutor, Executor, LocalExecutor  # noqa: PLC0415
    from sim.study.sweep import SweepPlan, run_sweep  # noqa: PLC0415
    from sim.study.sweep_pool import check_client_memory  # noqa: PLC0415
    from sim.study.sweep_store import OUTPUTS  # noqa: PLC0415
    from sim.views.scenario_text import assumptions_text, opening_line  # noqa: PLC0415
    from sim.views.summary import sweep_text  # noqa: PLC0415
    from sim.world.load import load_scenario  # noqa: PLC0415

    if resume and force:
        raise click.UsageError("--resume and --force exclude each other")
    if workers is not None and scheduler is not None:
        raise click.UsageError("--workers is for local processes; a Dask cluster has its own")
    with bad_input():
        loaded = load_scenario(file)
    loaded = apply_opening(loaded, balance, lots)
    if scheduler is None:
        workers = preflight(loaded, workers=workers, replications=replications)
    grid = Grid(triggers, amounts, initials or (loaded.scenario.policy.initial_balance,))
    limits = WidenLimits() if widen else None
    plan = SweepPlan(loaded, grid, replications, seed, engine, limits)  # type: ignore[arg-type]
    grid_levers = plan.grid_levers()
    with bad_input():  # the references (example, rule of thumb) may add two policies
        check_client_memory(len(grid_levers) + 2, replications)
    build("policy", lambda: [build_policy(loaded.scenario, levers) for levers in grid_levers])
    portal(grid_portal(loaded.scenario.scenario.currency, grid_levers), strict=strict)
    executor: Executor = DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)
    arguments = _arguments(file, grid, replications, seed, out, workers, scheduler, resume,
                           force, engine, widen)  # fmt: skip
    arguments.update(balance=None if balance is None else str(balance),
                     lots=None if lots is None else str(lots))  # fmt: skip
    try:
        if isinstance(executor, DaskExecutor):
            executor.connect()  # before anything is written to --out
        with bad_input(), frozen():  # what is loaded by now lives to the end (sim.cli.heap)
            result = run_sweep(
                plan, out, executor=executor, resume=resume, force=force,
                progress=progress_factory(quiet=quiet), arguments=arguments, warn=_warn,
            )  # fmt: skip
    except ConnectionError as error:
        raise BadInput(str(error)) from None
    finally:
        if isinstance(executor, DaskExecutor):
            executor.close()
    warn_rule_of_thumb(result.summary)
    click.echo(sweep_text(result.summary))
    if held := opening_line(loaded.scenario):
        click.echo(f"\n{held.capitalize()}")
    click.echo(f"\n{assumptions_text(loaded.scenario)}")
    click.echo(f"\nWrote {', '.join(str(out / name) for name in OUTPUTS)}")


def _warn(message: str) -> None:
    """A line about something the sweep put right (a part it would not use), on stderr."""
    click.echo(f"credsim: warning: {message}", err=True)


def warn_rule_of_thumb(summary: SweepSummary) -> None:
    """The portal's findings on the rule of thumb, which the sweep computed itself: warnings
    even under ``--strict`` (a reference is shown, never recommended)."""
    from sim.study.sweep_summary import rule_of_thumb_portal  # noqa: PLC0415  (scipy, pandas)

    portal(rule_of_thumb_portal(summary), strict=False)


def _arguments(
    file: Path,
    grid: Grid,
    replications: int,
    seed: int,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    force: bool,
    engine: str,
    widen: bool,
) -> dict[str, Any]:
    """The command's arguments as given, for the manifest."""
    return {
        "file": str(file),
        **grid.to_dict(),
        "replications": replications,
        "seed": seed,
        "out": str(out),
        "workers": workers,
        "scheduler": scheduler,
        "resume": resume,
        "force": force,
        "engine": engine,
        "widen": widen,
    }
