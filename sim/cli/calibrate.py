"""``credsim calibrate``: usage exports in, a fitted scenario and its rate table out.

Thin like the rest of the CLI: reading is ``sim.calls.records``, fitting and
the holdout ``sim.study.calibration``; this module parses the options, writes
the two files and prints the summary (or ``--json``). Progress goes to stderr
so that stdout stays one document.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import click

from sim.account.clock import to_instant
from sim.account.money import major_to_minor
from sim.account.opening import Opening
from sim.calls.excel_dates import DateOrder
from sim.calls.records import UsageRecords, read_records
from sim.cli.options import CALLS, bad_input, build, opening_options, seed_option
from sim.limits import CALIBRATION_HOLDOUT_MONTHS_MAX
from sim.study.calibration import calibrate, scenario_start
from sim.world.opening import read_lots_csv

HORIZON = click.IntRange(1, 120)
"""``--horizon-months``: the scenario schema's bounds of ``horizon_months``."""


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
@click.option(
    "--holdout-months",
    type=click.IntRange(0, CALIBRATION_HOLDOUT_MONTHS_MAX),
    default=0,
    show_default=True,
    help="Fit without the last N whole months, simulate them and compare with the actual.",
)
@click.option(
    "--horizon-months", type=HORIZON, default=24, show_default=True, help="Scenario horizon."
)
@click.option("--timezone", help="Tenant's IANA zone [the --country's only zone, else UTC].")
@click.option("--country", help="ISO 3166 country (or US-CA) for public holidays and the zone.")
@click.option(
    "--date-order",
    type=click.Choice([order.value for order in DateOrder]),
    help="Day or month first in dates re-saved by Excel, when the file cannot tell [detected].",
)
@opening_options
@seed_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def calibrate_command(
    files: tuple[Path, ...],
    out: Path,
    holdout_months: int,
    horizon_months: int,
    timezone: str | None,
    country: str | None,
    date_order: str | None,
    balance: Decimal | None,
    lots: Path | None,
    seed: int,
    as_json: bool,
) -> None:
    """Fit a scenario to the tenant's usage export(s) FILE... and write it with its rates.

    Every fitted number in the TOML says what it was measured from; every number
    the export cannot tell (payments, policy, objective) is marked as an
    assumption with its default, and the summary lists them. See
    docs/calibration.md.
    """
    with bad_input():
        order = None if date_order is None else DateOrder(date_order)
        records = read_records(list(files), date_order=order)
        opening = _opening(records, balance, lots, timezone, country)
        result = calibrate(
            records,
            horizon_months=horizon_months,
            holdout_months=holdout_months,
            timezone=timezone,
            country=country,
            opening=opening,
            seed=seed,
            progress=_say,
        )
        scenario, rates = result.write(out)
    if as_json:
        click.echo(json.dumps(_finite(result.to_dict()), indent=2))
        return
    click.echo(result.to_text())
    click.echo(f"Wrote {scenario} and {rates}; check it with: credsim validate {scenario}")


def _opening(
    records: UsageRecords,
    balance: Decimal | None,
    lots: Path | None,
    timezone: str | None,
    country: str | None,
) -> Opening | None:
    """``--balance`` or ``--lots`` as held at the scenario's start (after the data's end)."""
    if balance is not None and lots is not None:
        raise click.UsageError("--balance and --lots exclude each other")
    if balance is None and lots is None:
        return None
    start = scenario_start(records, timezone=timezone, country=country)
    at_us = to_instant(start)
    if lots is not None:
        zone = str(start.tzinfo)
        return read_lots_csv(lots, records.currency, timezone=zone, start=at_us)
    assert balance is not None
    amount = build("--balance", lambda: major_to_minor(balance, records.currency))
    return build("--balance", lambda: Opening.single(amount, at_us))


def _finite(value: object) -> object:
    """NaN (a holdout with no actual spend) as null: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _say(line: str) -> None:
    """Progress goes to stderr, so stdout stays free for a pipe."""
    click.echo(line, err=True)
