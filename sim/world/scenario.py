"""The scenario file schema: everything a planner says about their tenant.

A scenario is EMA Workbench's "uncertain world" plus the default policy: who
calls, when, where, at what rate, which minute pools they have, how payments
behave, and the levers (``[policy]``). Files are TOML; this module turns one
into a frozen, validated ``Scenario`` (pydantic, unknown keys refused), so no
model code ever sees an unchecked value. Only ``[scenario]`` and one source of
calls (``[meetings]``, ``[user_calling]``, ``[[big_meetings]]`` or
``[[streams]]``, the last in ``sim.world.scenario_streams``) are required;
every omitted section is the plain case.

Units are in the key names: ``_min`` minutes, ``_h`` hours, ``_s`` seconds,
``per_day`` per business day. Money is in major units of ``currency`` and is
converted to exact minor units by the model, never used as a float.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from sim.world.opening import OpeningSettings
from sim.world.public_holidays import Holidays
from sim.world.scenario_streams import Stream
from sim.world.scenario_types import (
    Continuous,
    Count,
    Country,
    Fixed,
    Fraction,
    HoursOrDelay,
    Money,
    NonNegative,
    Number,
    NumberType,
    Poisson,
    Positive,
    Section,
    Whole,
    not_bool,
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ZONE_A = frozenset({
    "AU", "AT", "BE", "BR", "BG", "CA", "CN", "HR", "CZ", "DK", "EE", "FI", "FR", "DE",
    "GR", "HK", "HU", "IN", "IE", "IT", "JP", "LU", "MY", "MX", "NL", "NZ", "NO", "PL",
    "PT", "PR", "RO", "RU", "SG", "SK", "SI", "ZA", "KR", "ES", "SE", "CH", "TW", "TH",
    "GB", "US",
})  # fmt: skip
"""Audio Conferencing Zone A countries (dial-out covered by the pooled minutes)."""


# -- sections -----------------------------------------------------------------


class ScenarioInfo(Section):
    """``[scenario]``: name, run start, horizon and currency."""

    name: str = Field(min_length=1)
    description: str = ""
    start: datetime
    horizon_months: Whole = Field(default=24, ge=1, le=120)
    currency: str = "USD"

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("start needs a UTC offset, e.g. 2027-01-01T00:00:00Z")
        return value

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, value: str) -> str:
        from sim.account.money import currency  # noqa: PLC0415  (keeps the schema importable alone)

        return currency(value).code


class Calendar(Section):
    """``[calendar]``: when business calls happen, in the tenant's time zone.

    ``holidays`` is a list of dates, or a country code (``"US"``, ``"US-CA"``)
    for the ``holidays`` library's public holidays of every year the horizon
    touches (``sim.world.public_holidays.holiday_dates`` gives the dates).
    """

    timezone: str = "UTC"
    business_hours: tuple[str, str] = ("09:00", "17:00")
    business_days: tuple[str, ...] = WEEKDAYS[:5]
    holidays: Holidays = ()
    hour_of_day: tuple[NonNegative, ...] | None = Field(default=None, min_length=24, max_length=24)
    month_of_year: tuple[NonNegative, ...] | None = Field(
        default=None, min_length=12, max_length=12
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA time zone such as 'Europe/Berlin'"
            ) from None
        return value

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: tuple[str, str]) -> tuple[str, str]:
        opens, closes = (_minutes_of_day(text) for text in value)
        if closes <= opens:
            raise ValueError(f"business_hours {list(value)} must close after they open")
        return value

    @field_validator("business_days")
    @classmethod
    def _days(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [day for day in value if day not in WEEKDAYS]
        if bad or not value:
            raise ValueError(f"business_days must be a non-empty list of {', '.join(WEEKDAYS)}")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def open_minutes(self) -> tuple[int, int]:
        """Business hours as minutes after local midnight: [opens, closes)."""
        opens, closes = self.business_hours
        return _minutes_of_day(opens), _minutes_of_day(closes)


class Users(Section):
    """``[users]``: head count and compound monthly growth."""

    count: Whole = Field(default=1, ge=0)
    monthly_growth: Number = Field(default=0.0, gt=-1.0, le=1.0)


class Destination(Section):
    """A share of calls to one country and number type."""

    country: Country
    number_type: NumberType = "landline"
    share: Positive


class Meetings(Section):
    """``[meetings]``: everyday meetings with PSTN participants."""

    per_user_per_day: NonNegative
    dial_ins: Count = Field(default_factory=lambda: Poisson(dist="poisson", mean=2.0))
    toll_free_share: Fraction = 0.5
    dial_in_countries: dict[Country, Positive] = Field(default_factory=lambda: {"US": 1.0})
    duration_min: Continuous = Field(default_factory=lambda: Fixed(dist="fixed", value=30.0))
    join_jitter_min: Continuous = Field(default_factory=lambda: Fixed(dist="fixed", value=0.0))
    leave_jitter_min: Continuous = Field(default_factory=lambda: Fixed(dist="fixed", value=0.0))
    dial_outs: Count = Field(default_factory=lambda: Fixed(dist="fixed", value=0.0))
    dial_out_destinations: tuple[Destination, ...] = ()

    @model_validator(mode="after")
    def _dial_outs_need_destinations(self) -> Meetings:
        has_dial_outs = not (isinstance(self.dial_outs, Fixed) and self.dial_outs.value == 0)
        if has_dial_outs and not self.dial_out_destinations:
            raise ValueError("dial_outs needs dial_out_destinations (country, number_type, share)")
        return self


class BigMeeting(Section):
    """``[[big_meetings]]``: scheduled events whose dial-ins arrive as a burst."""

    name: str = Field(min_length=1)
    recurrence: str | None = Field(
        default=None, description="RFC 5545 rule, e.g. FREQ=MONTHLY;BYDAY=+1TH"
    )
    per_month: NonNegative | None = None
    """Instead of ``recurrence``: a Poisson number of big days each calendar month, each on a
    uniformly random business day (``sim.world.big_days``)."""
    time: time
    dial_ins: Count
    toll_free_share: Fraction = 0.5
    dial_in_countries: dict[Country, Positive] = Field(default_factory=lambda: {"US": 1.0})
    duration_min: Continuous = Field(default_factory=lambda: Fixed(dist="fixed", value=60.0))
    join_jitter_min: Continuous = Field(default_factory=lambda: Fixed(dist="fixed", value=0.0))
    leave_jitter_min: Continuous = Field(default_factory=lambda: Fixed(dist="fixed", value=0.0))

    @field_validator("recurrence")
    @classmethod
    def _rule(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            rrulestr(value, dtstart=datetime(2000, 1, 1))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{value!r} is not an RFC 5545 rule: {error}") from None
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> BigMeeting:
        if (self.recurrence is None) == (self.per_month is None):
            raise ValueError(
                "a big meeting needs exactly one of recurrence (a rule such as "
                "FREQ=MONTHLY;BYDAY=+1TH) and per_month (random big days a month)"
            )
        return self


class UserCalling(Section):
    """``[user_calling]``: users' own outbound calls (domestic and international)."""

    per_user_per_day: NonNegative
    domestic_country: Country = "US"
    international_share: Fraction = 0.0
    international_destinations: tuple[Destination, ...] = ()
    domestic_number_types: dict[NumberType, Positive] = Field(
        default_factory=lambda: dict[NumberType, float]({"landline": 1.0})
    )
    duration_min: Continuous = Field(default_factory=lambda: Fixed(dist="fixed", value=5.0))

    @model_validator(mode="after")
    def _destinations(self) -> UserCalling:
        if self.international_share > 0 and not self.international_destinations:
            raise ValueError("international_share > 0 needs international_destinations")
        return self


class Plans(Section):
    """``[plans]``: licences whose pooled minutes reset on the 1st of each month.

    Plan minutes cover only their holders' calls (``sim.world.plans``):
    ``domestic_plan_users`` hold a plan with domestic minutes (Domestic, or
    Domestic and International), ``international_plan_users`` are those of
    them with the Domestic and International plan. Users added by growth hold
    each plan at the growth share (None: the starting share).
    """

    audio_conferencing_licences: Whole = Field(default=0, ge=0)
    dial_out_min_per_licence: NonNegative = 60
    domestic_plan_users: Whole = Field(default=0, ge=0)
    domestic_min_per_user: NonNegative = 3000
    international_plan_users: Whole = Field(default=0, ge=0)
    international_min_per_user: NonNegative = 600
    growth_domestic_plan_share: Fraction | None = None
    growth_international_plan_share: Fraction | None = None


class Rates(Section):
    """``[rates]``: the rate table (CSV, relative to the scenario file) and increment."""

    table: str = "rates/sample-usd.csv"
    billing_increment_s: Whole = Field(default=60, ge=1, le=3600)


PROCESSING_DELAY_DEFAULT_H = 1.0
"""Hours from an auto-recharge request to the credits (or the failure), when not stated.

An ASSUMPTION, not a measurement: a card is authorised in seconds, but the
purchase is captured and the credits posted by Microsoft's commerce system; an
hour leaves a trigger that is too low visibly exposed. See docs/model.md#payment-defaults.
"""
FAILURE_PROBABILITY_DEFAULT = 0.02
"""Chance that one auto-recharge attempt fails, when not stated (an ASSUMPTION).

Card-not-present business payments are declined now and then (spending limits,
fraud checks, a replaced card); 2 % per attempt is a cautious planning figure.
"""
ADMIN_FIX_DELAY_DEFAULT_H = 4.0
"""Wall-clock hours from a failure email to the admin's fix, when not stated (an ASSUMPTION).

Half a working day to notice the email and update the card; the fix then waits
for the next business hour of ``[calendar]`` (docs/model.md#payment-defaults).
"""
ADMIN_RESPONSE_DELAY_DEFAULT_H = 24.0
"""Hours from a below-zero email to a manual top-up, when not stated (an ASSUMPTION)."""


class PaymentSettings(Section):
    """``[payments]``: how auto-recharge payments behave.

    An omitted key takes its documented planning default (the ``*_DEFAULT``
    constants above), not an optimistic zero: ``sim.world.assumptions`` lists
    each value in force and whether the scenario stated it. The processing and
    fix delays are a number of hours or a ``Delay`` table, drawn per attempt
    and per failure (``sim.account.payment_draws``).
    """

    processing_delay_h: HoursOrDelay = PROCESSING_DELAY_DEFAULT_H
    failure_probability: Annotated[Number, Field(ge=0.0, lt=1.0)] = FAILURE_PROBABILITY_DEFAULT
    admin_fix_delay_h: HoursOrDelay = ADMIN_FIX_DELAY_DEFAULT_H
    admin_response_delay_h: Positive = ADMIN_RESPONSE_DELAY_DEFAULT_H
    card_expires: datetime | None = None
    card_renewed: datetime | None = None

    @model_validator(mode="after")
    def _card(self) -> PaymentSettings:
        for name in ("card_expires", "card_renewed"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a UTC offset, e.g. 2027-06-01T00:00:00Z")
        if self.card_renewed is not None and self.card_expires is None:
            raise ValueError("card_renewed needs card_expires")
        if self.card_expires and self.card_renewed and self.card_renewed <= self.card_expires:
            raise ValueError("card_renewed must be after card_expires")
        return self


class PolicySettings(Section):
    """``[policy]``: the levers (major units of the scenario's currency)."""

    initial_balance: Money = Decimal(1000)
    auto_recharge: bool = True
    trigger: Money = Decimal(400)
    amount: Annotated[Decimal, BeforeValidator(not_bool), Field(gt=0, allow_inf_nan=False)] = (
        Decimal(1000)
    )
    manual_top_up: Money | None = None
    monthly_top_up: Money | None = None


class Objective(Section):
    """``[objective]``: what makes one policy better than another, for ``credsim sweep``.

    The cost of a policy is what a finance team pays for it, per year: forfeited
    credits at face value, the return the cash tied up in credits would have
    earned elsewhere (``cost_of_capital_per_year`` x mean balance; 5 % is a
    typical corporate cost of capital), a cost per recharge (the card fee plus
    the accounts-payable and approval effort of one more charge and email), a
    cost per hour in which paid calling is stopped, and an optional penalty per
    blocked minute. Money is in major units of the currency. The two costs left
    out take the currency's stated defaults (``sim.world.costs``); a policy
    with more recharges a month than ``max_recharges_per_month`` is not
    recommended.
    """

    max_outage_risk_per_year: Annotated[Number, Field(gt=0.0, le=1.0)] = 0.01
    cost_of_capital_per_year: Fraction = 0.05
    cost_per_recharge: Money | None = None
    """None: the currency's default (``sim.world.costs.COST_PER_RECHARGE``)."""
    cost_per_outage_hour: Money | None = None
    """None: the currency's default (``sim.world.costs.COST_PER_OUTAGE_HOUR``)."""
    penalty_per_blocked_min: Money = Decimal(0)
    max_recharges_per_month: Annotated[Number, Field(gt=0.0)] | None = None


class RegressionPolicy(Section):
    """One policy that ``credsim regress`` checks (omitted levers: the scenario's)."""

    initial: Money | None = None
    auto_recharge: bool | None = None
    trigger: Money | None = None
    amount: Annotated[Decimal, BeforeValidator(not_bool), Field(gt=0)] | None = None


class Regression(Section):
    """``[regression]``: what CI recomputes and compares with the stored baseline."""

    replications: Whole = Field(default=100, ge=2, le=10_000)
    seed: Whole = 1
    policies: tuple[RegressionPolicy, ...] = Field(
        default_factory=lambda: (RegressionPolicy(),)
    )  # by default the scenario's own policy


class Scenario(Section):
    """A whole scenario file, validated."""

    scenario: ScenarioInfo
    calendar: Calendar = Field(default_factory=Calendar)
    users: Users = Field(default_factory=Users)
    meetings: Meetings | None = None
    big_meetings: tuple[BigMeeting, ...] = ()
    user_calling: UserCalling | None = None
    streams: tuple[Stream, ...] = ()
    plans: Plans = Field(default_factory=Plans)
    rates: Rates = Field(default_factory=Rates)
    payments: PaymentSettings = Field(default_factory=PaymentSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    objective: Objective = Field(default_factory=Objective)
    regression: Regression | None = None
    opening: OpeningSettings | None = None

    @model_validator(mode="after")
    def _some_calls(self) -> Scenario:
        if not (self.meetings or self.big_meetings or self.user_calling or self.streams):
            raise ValueError(
                "a scenario needs at least one source of calls: [meetings], [[big_meetings]], "
                "[user_calling] or [[streams]]"
            )
        return self


def _minutes_of_day(text: str) -> int:
    """``"08:30"`` as 510; ``"24:00"`` is allowed as the end of the day."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not a time of day like 08:30")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > 24 * 60:
        raise ValueError(f"{text!r} is not a time of day between 00:00 and 24:00")
    return value
