"""Small records tables for the calibration's edge cases (RECORD_COLUMNS, built in memory).

The known generator (``sim.calls.synthetic``) makes the realistic exports the
recovery tests use; these tables are the few-call cases (one day, four weeks,
a service of three calls) where a hand-placed call says more than a draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from sim.account.money import Currency, currency

UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Records:
    """The shape of ``sim.calls.records.UsageRecords`` that ``calibrate`` reads."""

    table: pd.DataFrame
    currency: Currency = field(default_factory=lambda: currency("USD"))
    files: tuple[Path, ...] = (Path("usage.csv"),)
    overlap_dropped: int = 0
    duplicates_dropped: int = 0


def weekday_calls(
    first: date,
    days: int,
    per_day: int,
    *,
    service: str = "toll_free_dial_in",
    rate_minor_per_min: int = 3,
    seed: int = 1,
) -> pd.DataFrame:
    """``per_day`` calls each weekday, 09:00-17:00 UTC, 1-10 minutes, to US toll-free."""
    rng = np.random.default_rng(seed)
    starts, lengths = [], []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for second in sorted(rng.integers(9 * 3600, 17 * 3600, per_day)):
            starts.append(int((midnight + timedelta(seconds=int(second))).timestamp()) * 10**6)
            lengths.append(int(rng.integers(60, 600)))
    return table_of(starts, lengths, service=service, rate_minor_per_min=rate_minor_per_min)


def table_of(
    starts_us: list[int],
    lengths_s: list[int],
    *,
    service: str,
    rate_minor_per_min: int,
    country: str = "US",
    number_type: str = "toll_free",
    direction: str = "inbound",
) -> pd.DataFrame:
    """A records table of the given calls, charged per started minute."""
    start = np.array(starts_us, dtype=np.int64)
    length = np.array(lengths_s, dtype=np.int64)
    minutes = -(-length // 60)
    return pd.DataFrame(
        {
            "call_id": [f"{service}-{i}" for i in range(len(start))],
            "start_us": start,
            "end_us": start + length * 10**6,
            "duration_s": length,
            "service": service,
            "charge_minor": minutes * rate_minor_per_min,
            "fee_minor": np.zeros(len(start), dtype=np.int64),
            "credit_billed": True,
            "country": country,
            "number_type": number_type,
            "direction": direction,
        }
    )


def joined(*tables: pd.DataFrame) -> Records:
    """Records of several tables, sorted as ``read_records`` sorts them."""
    table = pd.concat(tables, ignore_index=True).sort_values(["start_us", "call_id"])
    return Records(table.reset_index(drop=True))
