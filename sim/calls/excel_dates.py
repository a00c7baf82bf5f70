"""Timestamps of a usage report re-saved by Excel: ``03/04/2024 15:00``.

Why a module of its own: Excel rewrites the report's ISO times in the
spreadsheet's locale, dropping the seconds' ``Z`` and the order of day and month
with it. Whether ``03/04/2024`` is 3 April or 4 March is not in the value; it is
in the file: a first field above 12 can only be a day (day-first, ``dmy``), a
second field above 12 only a day (month-first, ``mdy``). The whole file is
scanned once before its rows are read (``scan_order``), so every row is read in
the same order, and a file whose every date has both fields <= 12 is refused
rather than guessed: ``--date-order dmy|mdy`` says which.

The time zone: the report's times are UTC and Excel keeps the wall-clock
figures, so a re-saved time without an offset is read as UTC (docs/cli.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sim.errors import InputError

_SLASHED = re.compile(
    r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?"
)
DATE_ORDER_KNOB = "give --date-order dmy or --date-order mdy"
"""What an ambiguous file's message asks for (the dashboard names its own choice instead)."""


class DateOrder(StrEnum):
    """Which slashed field is the day: ``dmy`` (03/04 is 3 April) or ``mdy`` (4 March)."""

    DMY = "dmy"
    MDY = "mdy"


def is_slashed(text: str) -> bool:
    """True when ``text`` is a date written with slashes (Excel's re-save), not ISO 8601."""
    return _SLASHED.fullmatch(text.strip()) is not None


def to_iso(text: str, order: DateOrder) -> str:
    """The ISO 8601 form of a slashed timestamp (no offset: the caller decides the zone).

    ValueError (the row's parser locates it) when the text is not slashed or a
    field is out of range for ``order`` (a month of 13 in a ``dmy`` file, say).
    """
    found = _SLASHED.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text.strip()!r} is not a date such as 03/04/2024 15:00")
    a, b = int(found["a"]), int(found["b"])
    day, month = (a, b) if order is DateOrder.DMY else (b, a)
    if not 1 <= month <= 12:
        raise ValueError(f"{text.strip()!r} has month {month} reading the file as {order.value}")
    hour = int(found["hour"] or 0)
    ampm = (found["ampm"] or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text.strip()!r} has hour {hour} with {ampm.upper()}")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    minute, second = int(found["minute"] or 0), int(found["second"] or 0)
    return f"{found['year']}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"


@dataclass
class _Evidence:
    """The first line that proves each order, seen while scanning."""

    dmy_line: int = 0
    mdy_line: int = 0
    slashed: int = 0


def scan_order(values: Iterable[tuple[int, str]], source: str) -> DateOrder | None:
    """The file's date order from its (line, timestamp) values; None if none is slashed.

    InputError when the file proves both orders (a first field > 12 on one line,
    a second field > 12 on another) or neither (every date ambiguous).
    """
    seen = _Evidence()
    for line, text in values:
        found = _SLASHED.fullmatch(text.strip())
        if found is None:
            continue
        seen.slashed += 1
        if int(found["a"]) > 12:
            seen.dmy_line = seen.dmy_line or line
        if int(found["b"]) > 12:
            seen.mdy_line = seen.mdy_line or line
        if seen.dmy_line and seen.mdy_line:
            message = (
                f"dates are day-first on line {seen.dmy_line} but month-first here;"
                " the file mixes two date orders"
            )
            raise InputError(message, source=source, line=max(seen.dmy_line, seen.mdy_line))
    if not seen.slashed:
        return None
    if seen.dmy_line:
        return DateOrder.DMY
    if seen.mdy_line:
        return DateOrder.MDY
    message = (
        f"all {seen.slashed:,} dates such as 03/04/2024 (Excel's re-save) have day and month"
        f" <= 12, so the order is ambiguous; {DATE_ORDER_KNOB}"
    )
    raise InputError(message, source=source, line=2)
