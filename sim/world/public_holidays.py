"""A country's public holidays by code (``[calendar] holidays = "US"``), from ``holidays``.

Why a code as well as a list: a planner (and ``credsim calibrate``) knows the
tenant's country, not every observed date of a two-year horizon; listing them
by hand is where "Independence Day (observed)" on Monday 2027-07-05 gets
forgotten. The code is ISO 3166-1 alpha-2 (``"US"``), optionally with a
subdivision (``"US-CA"``); the dates are the ``holidays`` library's public
holidays of that country, observed days included as the library gives them,
for every year the horizon touches. A list of dates still works and is used
as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, Discriminator, Tag

CODE_PATTERN = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,4}))?$")
"""A country code, optionally ``-`` and a subdivision code: ``US``, ``US-CA``, ``GB-SCT``."""

EXAMPLE = 'use an ISO 3166 code such as "US", or country-subdivision such as "US-CA"'


def check_code(code: str) -> str:
    """``code`` if the ``holidays`` library knows it; else ValueError saying what would do."""
    match = CODE_PATTERN.match(code)
    if match is None:
        raise ValueError(f"{code!r} is not a country code; {EXAMPLE}")
    country, subdivision = match.groups()
    supported = _supported()
    if country not in supported:
        raise ValueError(f"{country!r} is not a country the holidays library knows; {EXAMPLE}")
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(supported[country][:12]) or "none"
        more = ", ..." if len(supported[country]) > 12 else ""
        raise ValueError(
            f"{code!r}: the holidays library has no subdivision {subdivision!r} of {country} "
            f"(it has {known}{more})"
        )
    return code


def _holidays_kind(value: object) -> str:
    """Which member of ``Holidays`` a value is for: a code (text), or else a list of dates."""
    return "holidays[code]" if isinstance(value, str) else "holidays[dates]"


Holidays = Annotated[
    Annotated[str, AfterValidator(check_code), Tag("holidays[code]")]
    | Annotated[tuple[date, ...], Tag("holidays[dates]")],
    Discriminator(_holidays_kind),
]
"""``[calendar] holidays``: a country code for the ``holidays`` library's public holidays
(``sim.world.public_holidays``), or a list of dates. Tagged like ``HoursOrDelay`` so one bad
value gets one message."""


def holiday_dates(holidays: tuple[date, ...] | str, first: date, last: date) -> frozenset[date]:
    """The holidays of ``[calendar]`` between ``first`` and ``last`` (a list: as written)."""
    if isinstance(holidays, str):
        return _country_dates(holidays, first.year, last.year)
    return frozenset(holidays)


@lru_cache(maxsize=1)
def _supported() -> dict[str, list[str]]:
    """Country code -> its subdivision codes, as the ``holidays`` library lists them (cached:
    the library builds the table anew on every call; imported here, not at start-up, because
    only a scenario naming a code needs it)."""
    import holidays as holiday_data  # noqa: PLC0415

    return dict(holiday_data.list_supported_countries())


@lru_cache(maxsize=64)
def _country_dates(code: str, first_year: int, last_year: int) -> frozenset[date]:
    """Every public holiday of ``code`` in the years ``first_year`` to ``last_year`` (cached:
    every replication and the office hours ask for the same years)."""
    import holidays as holiday_data  # noqa: PLC0415  (see _supported)

    country, _, subdivision = code.partition("-")
    years: Iterable[int] = range(first_year, last_year + 1)
    table = holiday_data.country_holidays(country, subdiv=subdivision or None, years=years)
    return frozenset(table.keys())


def holidays_text(holidays: tuple[date, ...] | str) -> str:
    """``US public holidays`` or ``3 holiday(s)``: how outputs name a calendar's holidays."""
    if isinstance(holidays, str):
        return f"{holidays} public holidays"
    return f"{len(holidays)} holiday(s)"
