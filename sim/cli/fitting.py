"""The options and the call shared by ``credsim calibrate`` and ``credsim plan``: exports -> fit.

Why shared: ``plan`` is ``calibrate`` followed by a report, so the two must
read the same exports the same way, take the same options with the same
defaults and bounds, and start the account the same way. Declared once here,
a fix to one is a fix to both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from sim.account.money import major_to_minor
from sim.calls.excel_dates import DateOrder
from sim.cli.options import bad_input, build, opening_options
from sim.limits import CALIBRATION_HOLDOUT_MONTHS_MAX

if TYPE_CHECKING:  # `credsim --help` imports this module: pandas, scipy load when a fit runs
    from sim.account.opening import Opening
    from sim.calls.records import UsageRecords
    from sim.study.calibration import Calibration

F = TypeVar("F", bound=Callable[..., object])
HORIZON = click.IntRange(1, 120)
"""``--horizon-months``: the scenario schema's bounds of ``horizon_months``."""


@dataclass(frozen=True)
class FitOptions:
    """What a fit is asked for, as the options gave it."""

    holdout_months: int = 0
    horizon_months: int = 24
    timezone: str | None = None
    country: str | None = None
    date_order: str | None = None
    balance: Decimal | None = None
    lots: Path | None = None

    def args(self) -> list[str]:
        """The options as a command line (the report's "Reproduce"), defaults left out."""
        parts = [f"--holdout-months {self.holdout_months}"]
        if self.horizon_months != FitOptions.horizon_months:
            parts.append(f"--horizon-months {self.horizon_months}")
        for name in ("timezone", "country", "date_order", "balance", "lots"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"--{name.replace('_', '-')} {value}")
        return parts


def fitting_options(*, holdout_default: int) -> Callable[[F], F]:
    """``--holdout-months`` (default ``holdout_default``), ``--horizon-months``, ``--timezone``,
    ``--country``, ``--date-order``, ``--balance``/``--lots``: the options of ``FitOptions``."""

    def decorate(command: F) -> F:
        options = [
            click.option(
                "--holdout-months", type=click.IntRange(0, CALIBRATION_HOLDOUT_MONTHS_MAX),
                default=holdout_default, show_default=True,
                help="Fit without the last N whole months, simulate them and compare with the "
                "actual.",
            ),
            click.option("--horizon-months", type=HORIZON, default=24, show_default=True,
                         help="Scenario horizon."),
            click.option("--timezone",
                         help="Tenant's IANA zone [the --country's only zone, else UTC]."),
            click.option("--country",
                         help="ISO 3166 country (or US-CA) for public holidays and the zone."),
            click.option(
                "--date-order", type=click.Choice([order.value for order in DateOrder]),
                help="Day or month first in dates re-saved by Excel, when the file cannot tell "
                "[detected].",
            ),
        ]  # fmt: skip
        for option in reversed(options):
            command = option(command)
        return opening_options(command)

    return decorate


def fit_exports(
    files: tuple[Path, ...] | list[Path],
    options: FitOptions,
    *,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Read the exports, build the opening account, fit (and check the holdout)."""
    from sim.calls.records import read_records  # noqa: PLC0415  (pandas)
    from sim.study.calibration import calibrate  # noqa: PLC0415  (scipy, pandas, holidays)

    with bad_input():
        order = None if options.date_order is None else DateOrder(options.date_order)
        records = read_records(list(files), date_order=order)
        opening = _opening(records, options)
        return calibrate(
            records, horizon_months=options.horizon_months,
            holdout_months=options.holdout_months, timezone=options.timezone,
            country=options.country, opening=opening, seed=seed, progress=progress,
        )  # fmt: skip


def _opening(records: UsageRecords, options: FitOptions) -> Opening | None:
    """``--balance`` or ``--lots`` as held at the scenario's start (after the data's end)."""
    from sim.study.calibration.account import opening_at_start  # noqa: PLC0415  (pandas)

    if options.balance is not None and options.lots is not None:
        raise click.UsageError("--balance and --lots exclude each other")
    balance = options.balance
    minor = None
    if balance is not None:
        minor = build("--balance", lambda: major_to_minor(balance, records.currency))
    return opening_at_start(
        records, timezone=options.timezone, country=options.country, balance_minor=minor,
        lots=options.lots,
    )  # fmt: skip


def json_ready(value: object) -> object:
    """NaN (a holdout with no actual spend) as null: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_ready(item) for item in value]
    return value
