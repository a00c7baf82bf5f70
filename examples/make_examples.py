"""Regenerate the bundled example call files (deterministic: fixed seed).

    python examples/make_examples.py

Writes ``examples/calls.csv`` (canonical stream format, one year of a
300-user US tenant) and ``examples/teams-pstn-report.csv`` (its January in the
Teams PSTN usage report layout, with the free and Direct Routing rows a real
export also holds). The rates are the illustrative Azure Communication
Services figures of docs/model.md#sample-rates, not Microsoft Teams' own rates.

It also writes ``examples/tenant-usage.csv``: 14 months (2025-10-01 to 2026-11-30,
New York time) of a mid-size US tenant as a Teams PSTN usage report, drawn with seed
``TENANT_SEED`` by the known generator ``sim.calls.synthetic.generate`` from its stated
truth ``sim.calls.truth.BUNDLED``: toll-free dial-ins (about 14 a business day, office
hours, 1.5 % growth a month), international calls (3 a business day to GB, DE, IN, MX,
JP), a little meeting dial-out and domestic overage, a daily random level of CV 0.3
(bursty days), US public holidays (about a tenth of a day's calls), and an all-hands on
the first Thursday of each month at 11:00 with about 150 toll-free dial-ins of up to 50
minutes: about $420 a month in USD. It is what ``credsim calibrate`` and ``credsim plan``
are shown on, and the truth their forecasts are checked against.
"""

from __future__ import annotations

import csv
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's generator
from sim.calls.synthetic import BUNDLED, write_teams_csv
from sim.calls.synthetic import generate as generate_tenant

HERE = Path(__file__).parent
SEED = 20250101
TENANT_SEED = 20261130
YEAR = 2025
HOLIDAYS = {
    date(2025, 1, 1),
    date(2025, 5, 26),
    date(2025, 7, 4),
    date(2025, 9, 1),
    date(2025, 11, 27),
    date(2025, 12, 25),
}


@dataclass(frozen=True)
class Kind:
    """A kind of call: how often per business day, how long, what it costs."""

    service: str
    per_day: float
    mean_min: float
    rate_per_min: Decimal
    credit_billed: bool
    call_type: str
    number_type: str
    scope: str


KINDS = (
    Kind("toll_free_dial_in", 28, 32, Decimal("0.022"), True, "conf_in", "toll_free", "Domestic"),
    Kind("dial_out", 3, 18, Decimal("0.155"), True, "conf_out", "user", "International"),
    Kind("international", 2.5, 9, Decimal("0.015"), True, "user_out", "user", "International"),
    Kind("inbound", 12, 6, Decimal(0), False, "user_in", "user", "Domestic"),
    Kind("direct_routing", 4, 5, Decimal(0), False, "dr_out", "user", "Domestic"),
)


@dataclass(frozen=True)
class Row:
    start: datetime
    end: datetime
    kind: Kind
    charge: Decimal


def business_days() -> list[date]:
    day, days = date(YEAR, 1, 1), []
    while day.year == YEAR:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day += timedelta(days=1)
    return days


def charge(kind: Kind, seconds: int) -> Decimal:
    """Rate times minutes rounded up to the minute, rounded half-up to the cent."""
    minutes = -(-seconds // 60)
    return (kind.rate_per_min * minutes).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def generate(rng: np.random.Generator) -> list[Row]:
    rows = []
    for day in business_days():
        for kind in KINDS:
            per_day = kind.per_day * (
                6
                if kind.service == "toll_free_dial_in" and day.day <= 7 and day.weekday() == 3
                else 1
            )
            for _ in range(rng.poisson(per_day)):
                offset_s = int(rng.integers(8 * 3600, 18 * 3600))
                seconds = max(5, int(rng.exponential(kind.mean_min * 60)))
                start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                    seconds=offset_s
                )
                rows.append(
                    Row(start, start + timedelta(seconds=seconds), kind, charge(kind, seconds))
                )
    rows.sort(key=lambda row: row.start)
    return rows


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def write_stream(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["start", "end", "service", "charge", "credit_billed"])
        for row in rows:
            billed = "true" if row.kind.credit_billed and row.charge > 0 else "false"
            writer.writerow([iso(row.start), iso(row.end), row.kind.service, row.charge, billed])


TEAMS_HEADER = [
    "UsageId",
    "Call ID",
    "Conference ID",
    "User Location",
    "AAD ObjectId",
    "UPN",
    "User Display Name",
    "Caller ID",
    "Call Type",
    "Number Type",
    "Domestic/International",
    "Destination Dialed",
    "Destination Number",
    "Start Time",
    "End Time",
    "Duration Seconds",
    "Connection Fee",
    "Charge",
    "Currency",
    "Capability",
]
PEOPLE = [
    ("Doe, Jane", "jane.doe"),
    ("Smith, Ana", "ana.smith"),
    ("Lee, Min", "min.lee"),
    ("Okafor, Chidi", "chidi.okafor"),
    ("Müller, Jörg", "joerg.mueller"),
]


def write_teams(rows: list[Row], path: Path, rng: np.random.Generator) -> None:
    """January as a Teams PSTN usage export (UTF-8 with BOM, as the portal writes it)."""
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(TEAMS_HEADER)
        for row in rows:
            if row.start.month != 1:
                continue
            name, alias = PEOPLE[int(rng.integers(len(PEOPLE)))]
            kind = row.kind
            ids = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(3)]
            capability = "MCOPSTNPP" if kind.credit_billed else "MCOPSTN1"
            conference = ids[2] if kind.call_type.startswith("conf") else ""
            writer.writerow(
                [
                    ids[0],
                    ids[1],
                    conference,
                    "US",
                    ids[2],
                    f"{alias}@contoso.com",
                    name,
                    "+18005550100" if kind.number_type == "toll_free" else "+14255550123",
                    kind.call_type,
                    kind.number_type,
                    kind.scope,
                    "Austria" if kind.scope == "International" else "United States",
                    "+43155501234" if kind.scope == "International" else "+12065550199",
                    iso(row.start),
                    iso(row.end),
                    int((row.end - row.start).total_seconds()),
                    "0.00",
                    f"{row.charge:.2f}",
                    "USD",
                    capability,
                ]
            )


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = generate(rng)
    write_stream(rows, HERE / "calls.csv")
    write_teams(rows, HERE / "teams-pstn-report.csv", rng)
    write_teams_csv(
        generate_tenant(BUNDLED, TENANT_SEED), HERE / "tenant-usage.csv", BUNDLED.currency
    )


if __name__ == "__main__":
    main()
