"""The known generator's parameters (``sim.calls.synthetic``) and the bundled tenant's truth.

Why apart from the generator: these are plain data a test or an example states in full
(every rate, share, profile and growth), and ``BUNDLED`` is the stated truth behind
``examples/tenant-usage.csv`` that a calibration of it is measured against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Destination:
    """A far end: its country (ISO alpha-2), number type, share of calls and price."""

    country: str
    number_type: str
    share: float
    rate_per_min: Decimal
    connection_fee: Decimal


@dataclass(frozen=True)
class ServiceTruth:
    """One service's true arrival, duration and destination law (see the module doc)."""

    service: str
    calls_per_business_day: float
    hour_of_week: tuple[float, ...]
    holiday_factor: float
    monthly_growth: float
    daily_dispersion: float
    duration_mean_min: float
    duration_sd_min: float
    destinations: tuple[Destination, ...]
    direction: str


@dataclass(frozen=True)
class AllHands:
    """The monthly big meeting of toll-free dial-ins (see the module doc)."""

    recurrence: str
    time: dt.time
    dial_ins_mean: float
    duration_min: float
    destination: Destination


@dataclass(frozen=True)
class TenantTruth:
    """A tenant's whole usage law: where, in what money, from when, for how long."""

    timezone: str
    country: str
    currency: str
    start: dt.date
    months: int
    services: tuple[ServiceTruth, ...]
    all_hands: AllHands | None


def office_profile(hourly: dict[int, float], *, friday: float, night: float, weekend: float
                   ) -> tuple[float, ...]:  # fmt: skip
    """168 hour-of-week weights, Monday 00:00 first: ``hourly`` on weekdays (other hours
    ``night``), Friday's scaled by ``friday``, every weekend hour ``weekend``."""
    day = [hourly.get(hour, night) for hour in range(24)]
    week = [*day * 4, *(friday * weight for weight in day), *[weekend] * 48]
    return tuple(week)


_USD = Decimal
_OFFICE = {7: 0.3, 8: 1.0, 9: 1.6, 10: 1.8, 11: 1.6, 12: 0.9, 13: 1.4, 14: 1.7, 15: 1.5,
           16: 1.1, 17: 0.5, 18: 0.2}  # fmt: skip
"""A New York office's weekday hours (Europe and India are called in the morning)."""
_MORNING = {7: 0.6, 8: 1.4, 9: 1.8, 10: 1.7, 11: 1.3, 12: 0.8, 13: 0.9, 14: 0.8, 15: 0.6,
            16: 0.4, 17: 0.2}  # fmt: skip
TOLL_FREE_US = Destination("US", "toll_free", 1.0, _USD("0.022"), _USD(0))
"""The sample US toll-free dial-in rate (docs/model.md, "Sample rates")."""

BUNDLED = TenantTruth(
    timezone="America/New_York",
    country="US",
    currency="USD",
    start=dt.date(2025, 10, 1),
    months=14,  # to 2026-11-30 local
    services=(
        ServiceTruth(
            "toll_free_dial_in",
            14.0,
            office_profile(_OFFICE, friday=0.8, night=0.03, weekend=0.03),
            holiday_factor=0.1,
            monthly_growth=0.015,
            daily_dispersion=0.3,
            duration_mean_min=32.0,
            duration_sd_min=24.0,
            destinations=(TOLL_FREE_US,),
            direction="inbound",
        ),
        ServiceTruth(
            "international",
            3.0,
            office_profile(_MORNING, friday=0.7, night=0.02, weekend=0.02),
            holiday_factor=0.2,
            monthly_growth=0.005,
            daily_dispersion=0.3,
            duration_mean_min=9.0,
            duration_sd_min=8.0,
            destinations=(
                Destination("GB", "landline", 0.25, _USD("0.015"), _USD(0)),
                Destination("GB", "mobile", 0.10, _USD("0.015"), _USD(0)),
                Destination("DE", "landline", 0.20, _USD("0.02"), _USD(0)),
                Destination("IN", "mobile", 0.20, _USD("0.045"), _USD(0)),
                Destination("MX", "landline", 0.10, _USD("0.035"), _USD(0)),
                Destination("JP", "landline", 0.15, _USD("0.07"), _USD("0.01")),
            ),
            direction="outbound",
        ),
        ServiceTruth(
            "dial_out",
            1.2,
            office_profile(_OFFICE, friday=0.8, night=0.0, weekend=0.0),
            holiday_factor=0.0,
            monthly_growth=0.01,
            daily_dispersion=0.3,
            duration_mean_min=18.0,
            duration_sd_min=15.0,
            destinations=(
                Destination("US", "landline", 0.7, _USD("0.013"), _USD(0)),
                Destination("US", "mobile", 0.3, _USD("0.013"), _USD(0)),
            ),
            direction="outbound",
        ),
        ServiceTruth(
            "domestic_outbound",
            1.5,
            office_profile(_OFFICE, friday=0.9, night=0.02, weekend=0.02),
            holiday_factor=0.1,
            monthly_growth=0.0,
            daily_dispersion=0.3,
            duration_mean_min=5.0,
            duration_sd_min=6.0,
            destinations=(
                Destination("US", "landline", 0.5, _USD("0.013"), _USD(0)),
                Destination("US", "mobile", 0.5, _USD("0.013"), _USD(0)),
            ),
            direction="outbound",
        ),
    ),
    all_hands=AllHands("FREQ=MONTHLY;BYDAY=+1TH", dt.time(11, 0), 150.0, 50.0, TOLL_FREE_US),
)
"""A mid-size US tenant over 14 months to 2026-11-30 (``examples/tenant-usage.csv``):
toll-free dial-ins heavy in office hours (1.5 % a month growth), calls to five countries,
a little meeting dial-out and domestic overage beyond the calling plans, bursty days
(a daily level of CV 0.3), US public holidays, and an all-hands on the first Thursday
of each month at 11:00 with about 150 toll-free dial-ins. About $400 a month."""
