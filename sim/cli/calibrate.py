"""``credsim calibrate``: usage exports in, a fitted scenario and its rate table out.

Thin like the rest of the CLI: reading is ``sim.calls.records``, fitting and
the holdout ``sim.study.calibration``; this module parses the options, writes
the two files and prints the summary (or ``--json``). Progress goes to stderr
so that stdout stays one document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sim.cli.fitting import FitOptions, fit_exports, fitting_options, json_ready
from sim.cli.options import CALLS, bad_input, seed_option


@click.command("calibrate")
@click.argument("files", nargs=-1, required=True, type=CALLS)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Scenario TOML to write; tenant-rates.csv is written beside it.",
)
@fitting_options(holdout_default=0)
@seed_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def calibrate_command(
    files: tuple[Path, ...], out: Path, seed: int, as_json: bool, **fitting: Any
) -> None:
    """Fit a scenario to the tenant's usage export(s) FILE... and write it with its rates.

    Every fitted number in the TOML says what it was measured from; every number
    the export cannot tell (payments, policy, objective) is marked as an
    assumption with its default, and the summary lists them. See
    docs/calibration.md.
    """
    result = fit_exports(files, FitOptions(**fitting), seed=seed, progress=_say)
    with bad_input():
        scenario, rates = result.write(out)
    if as_json:
        click.echo(json.dumps(json_ready(result.to_dict()), indent=2))
        return
    click.echo(result.to_text())
    click.echo(f"Wrote {scenario} and {rates}; check it with: credsim validate {scenario}")


def _say(line: str) -> None:
    """Progress goes to stderr, so stdout stays free for a pipe."""
    click.echo(line, err=True)
