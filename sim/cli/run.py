"""``credsim run``: Monte Carlo replications of one scenario under one policy.

Kept apart from ``sim/cli/commands.py`` (which registers it on the ``credsim``
group), thin like the rest of the CLI; the replications, their statistics and
the engines load only when the command runs.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.cli.options import (
    AMOUNT,
    REPLICATIONS,
    SCENARIO,
    BadInput,
    apply_opening,
    bad_input,
    build,
    engine_option,
    levers_portal,
    opening_options,
    preflight,
    seed_option,
    strict_option,
)
from sim.cli.progress import progress_factory
from sim.cli.scenario import load
from sim.study.experiment import build_policy, scenario_levers, with_overrides

if TYPE_CHECKING:
    from sim.study.runner import PolicyRuns, RunResults
    from sim.world.load import LoadedScenario


@click.command()
@click.argument("file", type=SCENARIO)
@click.option("--trigger", type=AMOUNT, help="Override the scenario's trigger.")
@click.option("--amount", type=AMOUNT, help="Override the scenario's recharge amount.")
@click.option("--no-auto-recharge", is_flag=True, help="Switch auto-recharge off.")
@click.option("--initial", type=AMOUNT, help="Override the initial balance.")
@click.option("--replications", type=REPLICATIONS, default=100, show_default=True)
@seed_option
@engine_option
@click.option("--workers", type=click.IntRange(1), help="Processes [all cores].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write runs.csv, quantiles.csv, bands.csv and summary.json here.",
)
@opening_options
@strict_option
def run(
    file: Path,
    trigger: Decimal | None,
    amount: Decimal | None,
    no_auto_recharge: bool,
    initial: Decimal | None,
    replications: int,
    seed: int,
    engine: str,
    workers: int | None,
    as_json: bool,
    out: Path | None,
    balance: Decimal | None,
    lots: Path | None,
    strict: bool,
) -> None:
    """Monte Carlo run of scenario FILE under one policy (the file's, or overridden)."""
    # Running replications and their statistics: loaded when the command runs.
    from sim.study.run_summary import run_dict  # noqa: PLC0415  (scipy, pandas)
    from sim.study.runner import run_replications  # noqa: PLC0415  (numpy, the engines)
    from sim.views.summary import run_text  # noqa: PLC0415

    loaded = apply_opening(load(file), balance, lots)
    workers = preflight(loaded, workers=workers, replications=replications)
    if no_auto_recharge and (trigger is not None or amount is not None):
        raise click.UsageError("--no-auto-recharge cannot be combined with --trigger/--amount")
    levers = with_overrides(
        scenario_levers(loaded.scenario),
        trigger=trigger,
        amount=amount,
        initial=initial,
        auto_recharge=False if no_auto_recharge else None,
    )
    build("policy", lambda: build_policy(loaded.scenario, levers))
    levers_portal(loaded.scenario.scenario.currency, levers, strict=strict)
    name = loaded.scenario.scenario.name
    with bad_input(), progress_factory(quiet=False)(name, replications) as advance:
        results = run_replications(
            loaded,
            [levers],
            replications=replications,
            seed=seed,
            engine=engine,  # type: ignore[arg-type]
            workers=workers,
            progress=advance,
        )
    runs = results.policies[0]
    if out is not None:
        _write_run(out, loaded, results, runs)
    click.echo(
        json.dumps(run_dict(loaded, results, runs), indent=2)
        if as_json
        else run_text(loaded, results, runs)
    )


def _write_run(out: Path, loaded: LoadedScenario, results: RunResults, runs: PolicyRuns) -> None:
    """runs.csv, quantiles.csv, bands.csv (daily balance) and summary.json."""
    from sim.study.run_summary import run_dict  # noqa: PLC0415  (scipy, pandas)
    from sim.study.stats import balance_bands, quantile_table  # noqa: PLC0415

    try:
        out.mkdir(parents=True, exist_ok=True)
        table = runs.table()
        table.to_csv(out / "runs.csv", index=False, lineterminator="\n")
        quantiles = quantile_table(table.drop(columns="replication"))
        quantiles.to_csv(out / "quantiles.csv", index=False, lineterminator="\n")
        balance_bands(runs.daily()).to_csv(out / "bands.csv", index=False, lineterminator="\n")
        summary = json.dumps(run_dict(loaded, results, runs), indent=2)
        (out / "summary.json").write_text(summary + "\n", encoding="utf-8")
    except OSError as error:
        raise BadInput(f"{out}: cannot write results: {error.strerror or error}") from None
