"""The observed days in the tenant's zone: which are business days, holidays, which month.

Why a table of days: every fitted arrival figure is a statement about days
(calls per business day, the spread of daily counts, the months of a growth
fit), and days without a call count as zeros. The window runs from the local
date of the first call to the local date of the last one, both whole.

The zone: ``--timezone`` when given; else the zone of ``--country`` when that
country has exactly one (``SINGLE_ZONE``, a short list kept here rather than
read from the system's tz database, so a fit is the same on every machine);
else UTC. The calibration states which, as an assumption when it was not given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_lists
import numpy as np
import pandas as pd

from sim.errors import InputError

SINGLE_ZONE: dict[str, str] = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GR": "Europe/Athens",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IL": "Asia/Jerusalem",
    "IN": "Asia/Kolkata",
    "IT": "Europe/Rome",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "PH": "Asia/Manila",
    "PL": "Europe/Warsaw",
    "SE": "Europe/Stockholm",
    "SG": "Asia/Singapore",
    "ZA": "Africa/Johannesburg",
}
"""Countries with one time zone (mainland): their zone, used when ``--timezone`` is absent."""

BUSINESS_WEEKDAYS = 5
"""Monday to Friday are business days (the scenario's default ``business_days``)."""


@dataclass(frozen=True)
class Zone:
    """The tenant's zone and how it was chosen (an assumption unless given)."""

    name: str
    given: bool
    why: str


def resolve_zone(timezone: str | None, country: str | None) -> Zone:
    """The zone to fit in: given, the country's only zone, or UTC (said which)."""
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                f"--timezone {timezone!r} is not an IANA time zone (e.g. America/New_York)"
            ) from None
        return Zone(timezone, True, "given by --timezone")
    code = country.split("-")[0].upper() if country else ""
    if code in SINGLE_ZONE:
        name = SINGLE_ZONE[code]
        return Zone(name, False, f"the only zone of {country} (--country); --timezone changes it")
    why = f"{country} has several zones" if country else "no --country or --timezone"
    return Zone("UTC", False, f"UTC ({why}); hour-of-week profile in UTC: --timezone changes it")


def holiday_dates(code: str, years: range) -> frozenset[date]:
    """Public holidays of ``code`` ("US" or "US-CA") in ``years``, as the scenario reads them."""
    country, _, subdivision = code.partition("-")
    try:
        listed = holiday_lists.country_holidays(country, subdiv=subdivision or None, years=years)
    except NotImplementedError:
        raise InputError(
            f"--country {code!r}: the holidays library lists no public holidays for it"
        ) from None
    return frozenset(listed.keys())


@dataclass(frozen=True)
class Days:
    """One row per local day of the window, as numpy columns (index = day number)."""

    zone: ZoneInfo
    first: date
    weekday: np.ndarray  # 0 = Monday
    holiday: np.ndarray  # bool
    month: np.ndarray  # whole calendar months since the first day's month

    @property
    def count(self) -> int:
        return len(self.weekday)

    @property
    def business(self) -> np.ndarray:
        """Monday-Friday days that are not holidays."""
        return (self.weekday < BUSINESS_WEEKDAYS) & ~self.holiday

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.count - 1)

    def midnight_after(self) -> datetime:
        """Local midnight after the last day: where a fitted scenario starts."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=self.zone)

    def months(self) -> int:
        """Calendar months the window touches."""
        return int(self.month[-1]) + 1


def day_table(first: date, last: date, zone: ZoneInfo, country: str | None) -> Days:
    """The window's days from ``first`` to ``last`` inclusive."""
    dates = pd.date_range(first, last, freq="D")
    listed = holiday_dates(country, range(first.year, last.year + 2)) if country else frozenset()
    holiday = np.array([day.date() in listed for day in dates], dtype=bool)
    month = (dates.year - first.year) * 12 + dates.month - first.month
    return Days(
        zone=zone,
        first=first,
        weekday=dates.day_of_week.to_numpy(dtype=np.int64),
        holiday=holiday,
        month=np.asarray(month, dtype=np.int64),
    )


@dataclass(frozen=True)
class LocalCalls:
    """Each call's local day number, hour of week (Monday 00:00 = 0) and local time."""

    day: np.ndarray
    hour_of_week: np.ndarray
    minute_of_day: np.ndarray


def localise(start_us: np.ndarray, days: Days) -> LocalCalls:
    """Place calls (UTC microseconds) on the window's local days."""
    local = pd.to_datetime(start_us, unit="us", utc=True).tz_convert(days.zone)
    first = pd.Timestamp(days.first)
    day = (local.tz_localize(None).normalize() - first).days.to_numpy(dtype=np.int64)
    weekday = local.day_of_week.to_numpy(dtype=np.int64)
    hour = local.hour.to_numpy(dtype=np.int64)
    minute = hour * 60 + local.minute.to_numpy(dtype=np.int64)
    return LocalCalls(day=day, hour_of_week=weekday * 24 + hour, minute_of_day=minute)


def local_date(instant_us: int, zone: ZoneInfo) -> date:
    """The local date of one instant."""
    return pd.Timestamp(instant_us, unit="us", tz="UTC").tz_convert(zone).date()
