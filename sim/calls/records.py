"""One table of calls from one or more usage exports: what calibration measures.

Why through the backtest's readers: every format the backtest reads (Teams CSV,
Skype, the admin-center zip, Graph JSON and CSV, Excel re-saves) is read here by
the same code (``sim.calls.export_zip.open_recorded``), so a row's service,
charge and credit-billing are exactly what a backtest of the file posts; the
readers only add each row's ``Detail`` (``sim.calls.row_details``): call id,
connection fee, far-end country and number type, direction.

Why joined this way: a planner exports usage by date range, so several exports
of consecutive periods may overlap. Files are taken in order of their first call;
a row whose identity (its ``UsageId``, else its call id and leg, as
``sim.calls.duplicates`` decides) was already read from an EARLIER file is dropped
and counted in ``overlap_dropped``. Repeats inside one file are the backtest's
duplicates (``duplicates_dropped``). Files in two currencies are refused, naming
both; a file without any call says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.account.money import Currency
from sim.account.stream import Call
from sim.calls.excel_dates import DateOrder
from sim.calls.export_zip import ExportZip, open_recorded
from sim.calls.row_details import Detail
from sim.calls.usage import UsageFile
from sim.errors import InputError
from sim.limits import USAGE_RECORDS_MAX

RECORD_COLUMNS = ("call_id", "start_us", "end_us", "duration_s", "service", "charge_minor",
                  "fee_minor", "credit_billed", "country", "number_type", "direction")  # fmt: skip
"""The columns of ``UsageRecords.table`` (docs/cli.md, "Usage records"), in order."""
_TOO_MANY = (
    f"the usage files hold more than {USAGE_RECORDS_MAX:,} rows; at most that many are read "
    "together (USAGE_RECORDS_MAX in sim/limits.py)"
)


@dataclass(frozen=True)
class UsageRecords:
    """The calls of one or more usage files as one table (see the module doc).

    ``table`` has ``RECORD_COLUMNS``, one row per call (billed or not), sorted by
    ``(start_us, call_id)``; ``rows_by_reason`` counts the rows kept that are not
    credit-billed, by the backtest's reason (``zero_charge``, ``direct_routing``, ...).
    """

    table: pd.DataFrame
    currency: Currency
    files: tuple[Path, ...]
    overlap_dropped: int
    duplicates_dropped: int
    start_us: int
    end_us: int
    rows_by_reason: dict[str, int]


@dataclass(frozen=True)
class _Part:
    """One file read: its calls and details, in file order."""

    path: Path
    currency: Currency
    named: bool
    calls: list[Call]
    details: list[Detail]
    duplicates_dropped: int

    @property
    def first_start(self) -> int:
        return min(call.start for call in self.calls)


def read_records(paths: Sequence[Path], *, date_order: DateOrder | None = None) -> UsageRecords:
    """Read ``paths`` (any format the backtest reads) into one ``UsageRecords``.

    ``date_order`` reads Excel's slashed dates (``sim.calls.excel_dates``); by
    default each file's order is scanned from the file.
    """
    if not paths:
        raise InputError("no usage file given")
    parts, total = [], 0
    for path in paths:
        part = _read(Path(path), date_order, total)
        total += len(part.calls)
        parts.append(part)
    parts.sort(key=lambda part: part.first_start)
    currency = _one_currency(parts)
    kept, overlap = _drop_overlap(parts)
    table = _table([part.calls for part in parts], [part.details for part in parts], kept)
    reasons = Counter(
        detail.reason
        for part, keep in zip(parts, kept, strict=True)
        for detail, kept_row in zip(part.details, keep, strict=True)
        if kept_row and detail.reason
    )
    return UsageRecords(
        table=table,
        currency=currency,
        files=tuple(part.path for part in parts),
        overlap_dropped=overlap,
        duplicates_dropped=sum(part.duplicates_dropped for part in parts),
        start_us=int(table["start_us"].min()),
        end_us=int(table["end_us"].max()),
        rows_by_reason=dict(sorted(reasons.items())),
    )


def _read(path: Path, date_order: DateOrder | None, before: int) -> _Part:
    """One file's calls and details; InputError when it holds none or too many in all."""
    usage: UsageFile | ExportZip = open_recorded(path, date_order=date_order)
    details: list[Detail] = []
    usage.details = details
    calls = list(_bounded(usage.calls(), before, path))
    if not calls:
        raise InputError("the file holds no calls (only a header); nothing to measure", source=path)
    return _Part(path, usage.currency, usage.currency_named, calls, details,
                 usage.duplicates_dropped)  # fmt: skip


def _bounded(calls: Iterator[Call], before: int, path: Path) -> Iterator[Call]:
    """The calls, stopped with an InputError past ``USAGE_RECORDS_MAX`` rows in all."""
    for count, call in enumerate(calls, before + 1):
        if count > USAGE_RECORDS_MAX:
            raise InputError(_TOO_MANY, source=path)
        yield call


def _one_currency(parts: list[_Part]) -> Currency:
    """The files' one currency; files whose rows name none (all free) take it."""
    named = [part for part in parts if part.named]
    if not named:
        return parts[0].currency
    first = named[0]
    for part in named[1:]:
        if part.currency != first.currency:
            message = (
                f"the usage files are in two currencies: {first.path} in {first.currency.code}, "
                f"{part.path} in {part.currency.code}; give files of one currency"
            )
            raise InputError(message, source=part.path)
    return first.currency


def _drop_overlap(parts: list[_Part]) -> tuple[list[np.ndarray], int]:
    """Per file, which rows to keep: those not already read from an earlier file."""
    seen: set[int] = set()
    kept, dropped = [], 0
    for part in parts:
        keys = [detail.key for detail in part.details]
        keep = np.fromiter((key is None or key not in seen for key in keys), bool, len(keys))
        dropped += int((~keep).sum())
        seen.update(key for key in keys if key is not None)
        kept.append(keep)
    return kept, dropped


def _table(
    calls: list[list[Call]], details: list[list[Detail]], kept: list[np.ndarray]
) -> pd.DataFrame:
    """The kept rows of every file as ``RECORD_COLUMNS``, sorted by (start_us, call_id)."""
    keep = np.concatenate(kept)
    every_call = [call for part in calls for call in part]
    every_detail = [detail for part in details for detail in part]
    start = np.fromiter((call.start for call in every_call), np.int64, len(every_call))[keep]
    end = np.fromiter((call.end for call in every_call), np.int64, len(every_call))[keep]
    charge = np.fromiter((c.charge_minor for c in every_call), np.int64, len(every_call))[keep]
    billed = np.fromiter((c.credit_billed for c in every_call), bool, len(every_call))[keep]
    chosen = [detail for detail, flag in zip(every_detail, keep, strict=True) if flag]
    services = [call.service for call, flag in zip(every_call, keep, strict=True) if flag]
    table = pd.DataFrame(
        {
            "call_id": [d.call_id for d in chosen],
            "start_us": start,
            "end_us": end,
            "duration_s": (end - start) // 1_000_000,
            "service": services,
            "charge_minor": charge,
            "fee_minor": np.fromiter((d.fee_minor for d in chosen), np.int64, len(chosen)),
            "credit_billed": billed,
            "country": [d.country for d in chosen],
            "number_type": [d.number_type for d in chosen],
            "direction": [d.direction for d in chosen],
        },
        columns=list(RECORD_COLUMNS),
    )
    return table.sort_values(["start_us", "call_id"], kind="stable", ignore_index=True)
