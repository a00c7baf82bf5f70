"""``[[streams]]`` of the scenario schema: a generic call stream and its profile keys.

Why a module of its own: a calibrated tenant (issue 14, ``credsim calibrate``)
describes each of its services as a stream with a measured shape: growth per
month, an hour-of-week profile (calls at night and at weekends too), a daily
random level (real counts are burstier than Poisson) and a mix of
destinations priced from the rate table. Every key is optional, and a stream
without them draws exactly what it drew before (``sim.world.streams``).
Re-exported by ``sim.world.scenario``, where the rest of the schema lives.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.world.scenario_types import (
    Continuous,
    Country,
    Money,
    NonNegative,
    Number,
    Positive,
    Section,
)

NUMBER_TYPES = ("landline", "mobile", "toll_free", "geographic")
HOURS_PER_WEEK = 168
"""``hour_of_week`` has one weight per hour, Monday 00:00 local first."""

AnyNumberType = Literal["landline", "mobile", "toll_free", "geographic"]


class StreamDestination(Section):
    """A share of a stream's calls to (or from) one country and number type."""

    country: Country
    number_type: AnyNumberType
    share: Positive


class Stream(Section):
    """``[[streams]]``: a generic call stream (auto attendant, call queue, a check).

    ``calls_per_day`` is the mean on a business day of ``[calendar]`` at the
    scenario start. Without ``hour_of_week`` calls fall in business hours (the
    calendar's ``hour_of_day`` shape); with it they fall in every hour of the
    week by its weight, holidays getting ``holiday_factor`` of theirs.
    """

    name: str = Field(min_length=1)
    service: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    calls_per_day: NonNegative
    duration_min: Continuous
    rate_per_min: Money | None = None
    connection_fee: Money | None = None
    country: Country | None = None
    number_type: AnyNumberType | None = None
    direction: Literal["inbound", "outbound"] = "inbound"
    credit_billed: bool = True
    monthly_growth: Number = Field(default=0.0, gt=-1.0, le=1.0)
    """The mean x (1+g)^k, k the whole calendar months since the scenario start."""
    hour_of_week: tuple[NonNegative, ...] | None = Field(
        default=None, min_length=HOURS_PER_WEEK, max_length=HOURS_PER_WEEK
    )
    holiday_factor: NonNegative | None = None
    """Only with ``hour_of_week``; None means 0 (no calls on a holiday)."""
    daily_dispersion: NonNegative = 0.0
    """Coefficient of variation of a gamma(mean 1) level per local day; 0 = Poisson counts."""
    destinations: tuple[StreamDestination, ...] | None = Field(default=None, min_length=1)

    @field_validator("hour_of_week")
    @classmethod
    def _some_weight(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and max(value) <= 0:
            raise ValueError("hour_of_week weights must not all be 0")
        return value

    @model_validator(mode="after")
    def _priced(self) -> Stream:
        if self.destinations is not None:
            given = [name for name in ("country", "number_type", "rate_per_min") if self._has(name)]
            if given:
                raise ValueError(
                    f"destinations and {', '.join(given)} exclude each other: each destination "
                    "is priced from the rate table"
                )
        elif self.rate_per_min is None and (self.country is None or self.number_type is None):
            raise ValueError(
                "a stream needs rate_per_min, or country and number_type to look up the rate "
                "table, or destinations"
            )
        if self.holiday_factor is not None and self.hour_of_week is None:
            raise ValueError(
                "holiday_factor needs hour_of_week (without it holidays have no business hours)"
            )
        return self

    def _has(self, name: str) -> bool:
        return getattr(self, name) is not None

    @property
    def holiday_weight(self) -> float:
        """The fraction of its weight a holiday's hour keeps (0 when not stated)."""
        return self.holiday_factor or 0.0

    def destination_shares(self) -> tuple[tuple[StreamDestination, float], ...]:
        """Each destination with its probability (shares normalised); empty without them."""
        places = self.destinations or ()
        total = sum(place.share for place in places)
        return tuple((place, place.share / total) for place in places)
