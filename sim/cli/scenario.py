"""``credsim validate`` and ``credsim demand``: a scenario file, checked or drawn once.

Why ``validate`` loads so little: it is what a user runs after each edit of a
scenario, so it loads the schema (pydantic), never numpy (unless a stream has an
``hour_of_week`` profile or the scenario is near the workload limits), the
statistics, charts or engines, and runs without the cyclic collector
(``sim.cli.heap``; docs/performance.md#start-up).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.cli.heap import collector_off
from sim.cli.options import SCENARIO, bad_input, scenario_portal, seed_option, strict_option
from sim.study.experiment import scenario_currency

if TYPE_CHECKING:
    from sim.world.load import LoadedScenario


def load(file: Path) -> LoadedScenario:
    """Load and validate a scenario file, or exit 2 with where it is wrong."""
    from sim.world.load import load_scenario  # noqa: PLC0415  (pydantic, numpy)

    with bad_input():
        return load_scenario(file)


@click.command()
@click.argument("file", type=SCENARIO)
@strict_option
@collector_off  # a short command: no passes over the schema it builds (sim.cli.heap)
def validate(file: Path, strict: bool) -> None:
    """Check a scenario FILE: schema, values, the rates it needs and the admin portal's limits."""
    from sim.views.scenario_text import scenario_text  # noqa: PLC0415  (pydantic)

    loaded = load(file)
    scenario_portal(loaded, strict=strict)
    click.echo(scenario_text(loaded))


@click.command()
@click.argument("file", type=SCENARIO)
@seed_option
@click.option(
    "--calls",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write every generated call to this CSV (the stream format backtest reads).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def demand(file: Path, seed: int, calls: Path | None, as_json: bool) -> None:
    """One replication of FILE's demand: calls and spend per month, pool use.

    It is replication 1 of ``credsim run FILE --seed S``.
    """
    # Generating demand: numpy, and pandas for its monthly summary.
    import json  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    from sim.calls.stream_csv import write_stream  # noqa: PLC0415
    from sim.study.runner import replication_seeds  # noqa: PLC0415
    from sim.world.demand import generate, summarize  # noqa: PLC0415

    loaded = load(file)
    with bad_input():
        stream = generate(
            loaded.scenario,
            loaded.rates,
            np.random.default_rng(replication_seeds(seed, 1)[0][0]),
        )
        summary = summarize(stream, loaded.scenario)
        if calls is not None:
            write_stream(stream, calls, scenario_currency(loaded.scenario))
    click.echo(json.dumps(summary.to_dict(), indent=2) if as_json else summary.to_text())
