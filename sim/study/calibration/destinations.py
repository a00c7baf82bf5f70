"""Destinations and rates: each service's mix of (country, number type) and the rates seen.

Why effective rates: the export says what each call cost, not the price list,
and the price list is what the scenario needs. The model bills a call
``connection_fee + rate_per_min x billed minutes``, billed minutes being the
duration rounded up to whole minutes (``billing_increment_s`` 60,
docs/model.md#generated-demand). So for each (country, number type,
direction) the rate is (sum of charges - sum of fees) / sum of billed minutes
and the fee is the mean fee per call, over every credit-billed call of any
service with that key (the rate table has one row per key; a key whose calls
imply different rates in different services gets their minute-weighted mean,
said so in the notes). Rates are written to ``RATE_EXTRA_DIGITS`` digits
below the minor unit.

A call whose file gives no country is counted in the tenant's country (or US),
one without a number type as the service's usual one; both said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

import numpy as np
import pandas as pd

from sim.account.money import Currency

RATE_EXTRA_DIGITS = 4
"""Digits below the minor unit a fitted rate keeps (0.0001 cent for USD)."""
SNAP_SHARE = 0.99
"""A rounder rate is taken when it reproduces this share of the calls' charges exactly."""
BILLING_INCREMENT_S = 60
"""What the calibrated scenario bills in (its ``[rates] billing_increment_s``)."""
SHARE_DECIMALS = 4
DEFAULT_COUNTRY = "US"
"""The country of a call whose file names none, when ``--country`` is absent."""


@dataclass(frozen=True)
class Rate:
    """One fitted row of tenant-rates.csv."""

    country: str
    number_type: str
    direction: str
    rate_per_min: Decimal
    connection_fee: Decimal
    calls: int
    billed_min: int


@dataclass(frozen=True)
class Mix:
    """One service's share of calls to one (country, number type)."""

    country: str
    number_type: str
    share: float
    calls: int


def fill_unknown(table: pd.DataFrame, country: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Give every call a country and a number type, saying how many had none."""
    notes: list[str] = []
    table = table.copy()
    home = (country or DEFAULT_COUNTRY).split("-")[0]
    missing = table["country"] == ""
    if missing.any():
        table.loc[missing, "country"] = home
        notes.append(f"{int(missing.sum())} call(s) without a country counted as {home}")
    blank = table["number_type"] == ""
    if blank.any():
        usual = np.where(
            table["service"].str.startswith("toll_free"),
            "toll_free",
            np.where(table["direction"] == "inbound", "geographic", "landline"),
        )
        table.loc[blank, "number_type"] = usual[blank.to_numpy()]
        notes.append(
            f"{int(blank.sum())} call(s) without a number type counted as the service's usual "
            "one (toll_free for toll-free dial-ins, geographic for other inbound, landline out)"
        )
    return table, notes


def billed_minutes(duration_s: pd.Series) -> np.ndarray:
    """Minutes the model bills: the duration rounded up to the increment."""
    seconds = duration_s.to_numpy(dtype=np.int64)
    return -(-seconds // BILLING_INCREMENT_S) * BILLING_INCREMENT_S // 60


def mix(service_table: pd.DataFrame) -> tuple[Mix, ...]:
    """Shares of (country, number type) in one service, largest first."""
    counts = service_table.groupby(["country", "number_type"]).size().sort_values(ascending=False)
    total = int(counts.sum())
    shares = []
    for key, count in counts.items():
        country, kind = cast(tuple[str, str], key)
        share = round(int(count) / total, SHARE_DECIMALS)
        if share > 0:
            shares.append(Mix(str(country), str(kind), share, int(count)))
    return tuple(shares)


def fit_rates(table: pd.DataFrame, cur: Currency) -> tuple[tuple[Rate, ...], list[str]]:
    """One effective rate and fee per (country, number type, direction) of billed calls."""
    work = table.assign(billed_min=billed_minutes(table["duration_s"]))
    work = work.assign(usage_minor=work["charge_minor"] - work["fee_minor"])
    rates, notes = [], []
    for (country, kind, direction), rows in work.groupby(["country", "number_type", "direction"]):
        minutes = int(rows["billed_min"].sum())
        per_min = rows["usage_minor"].sum() / minutes if minutes else 0.0
        fee = rows["fee_minor"].sum() / len(rows)
        rate, fee_major = _snapped(rows, per_min, fee, cur)
        rates.append(
            Rate(str(country), str(kind), str(direction), rate, fee_major, len(rows), minutes)
        )
        spread = _service_spread(rows)
        if spread:
            notes.append(f"{country} {kind} {direction}: {spread}")
    return tuple(rates), notes


def own_rate(rows: pd.DataFrame, cur: Currency) -> tuple[Decimal, Decimal]:
    """One service's own effective rate and mean fee (for a key it shares at another rate)."""
    work = rows.assign(billed_min=billed_minutes(rows["duration_s"]))
    minutes = int(work["billed_min"].sum())
    usage = int((work["charge_minor"] - work["fee_minor"]).sum())
    per_min = usage / minutes if minutes else 0.0
    return _snapped(work, per_min, work["fee_minor"].sum() / max(len(work), 1), cur)


def _service_spread(rows: pd.DataFrame) -> str:
    """Said when services sharing a rate key were billed at different rates."""
    by_service = rows.groupby("service")[["usage_minor", "billed_min"]].sum()
    by_service = by_service[by_service["billed_min"] > 0]
    if len(by_service) < 2:
        return ""
    per_min = by_service["usage_minor"] / by_service["billed_min"]
    if per_min.max() <= per_min.min() * 1.01:
        return ""
    return (
        "services billed at different rates; their minute-weighted mean in the table, a "
        "single-destination stream's own rate on the stream"
    )


def _snapped(
    rows: pd.DataFrame, per_min: float, fee: float, cur: Currency
) -> tuple[Decimal, Decimal]:
    """The coarsest rate and fee (whole minor units, then each digit below) that reproduce
    ``SNAP_SHARE`` of the calls' charges exactly as the model bills them (rounded half-up
    once per call); else the effective figures. Why: the effective rate of calls rounded
    one by one carries the rounding in it (0.045233 for 0.045), and the model would round
    again."""
    billed = rows["billed_min"].to_numpy(dtype=np.int64)
    charge = rows["charge_minor"].to_numpy(dtype=np.int64)
    for extra in range(RATE_EXTRA_DIGITS + 1):
        scale = 10**extra
        rate_scaled, fee_scaled = round(per_min * scale), round(fee * scale)
        predicted = (fee_scaled + rate_scaled * billed + scale // 2) // scale
        if (predicted == charge).mean() >= SNAP_SHARE:
            return _major(rate_scaled / scale, cur), _major(fee_scaled / scale, cur)
    return _major(per_min, cur), _major(fee, cur)


def _major(minor: float, cur: Currency) -> Decimal:
    """A minor-unit amount in major units, to ``RATE_EXTRA_DIGITS`` below the minor unit."""
    step = Decimal(1).scaleb(-(cur.digits + RATE_EXTRA_DIGITS))
    return (Decimal(repr(float(minor))) / cur.minor_per_major).quantize(step, ROUND_HALF_UP)


def rates_csv(rates: tuple[Rate, ...], cur: Currency, source: str) -> str:
    """tenant-rates.csv: the format of scenarios/rates/*.csv, with the currency column."""
    lines = [
        f"# Effective rates measured from {source} by credsim calibrate: (charges - fees) /",
        "# billed minutes (rounded up to whole minutes), and the mean fee per call.",
        "country,number_type,direction,rate_per_min,connection_fee,currency,note",
    ]
    for rate in rates:
        note = f"{rate.calls} calls; {rate.billed_min} billed min"
        lines.append(
            f"{rate.country},{rate.number_type},{rate.direction},{_plain(rate.rate_per_min)},"
            f"{_plain(rate.connection_fee)},{cur.code},{note}"
        )
    return "\n".join(lines) + "\n"


def _plain(amount: Decimal) -> str:
    """0.03 rather than 0.030000."""
    return format(amount.normalize(), "f")
