"""Calendar months in compiled code, exactly as ``dateutil``'s ``relativedelta``.

The fast engine buys lots inside a numba loop, so the 12-calendar-month
expiry (``sim.account.clock.add_months``) is computed here on integer instants, with
Howard Hinnant's civil-date algorithms; a hypothesis test checks it against
``dateutil`` for any instant and month count.
"""

from __future__ import annotations

from sim.account.clock import MICROS_PER_DAY
from sim.engines.jit_cache import njit


@njit(cache=True)
def _civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm)."""
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


@njit(cache=True)
def _days_from_civil(year: int, month: int, day: int) -> int:
    """Day count since 1970-01-01 of a civil date."""
    year -= 1 if month <= 2 else 0
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit(cache=True)
def _month_length(year: int, month: int) -> int:
    if month == 2:
        leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@njit(cache=True)
def add_months_us(instant: int, months: int) -> int:
    """The same UTC wall-clock time ``months`` calendar months later (day clipped)."""
    days = instant // MICROS_PER_DAY
    time_of_day = instant - days * MICROS_PER_DAY
    year, month, day = _civil_from_days(days)
    index = year * 12 + (month - 1) + months
    year, month = index // 12, index % 12 + 1
    day = min(day, _month_length(year, month))
    return _days_from_civil(year, month, day) * MICROS_PER_DAY + time_of_day
