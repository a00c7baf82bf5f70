"""A known generator: the truth calibration is tested against, and the bundled example's source.

Why a generator whose every parameter is known: a calibration can only be shown to
work on data whose truth is known. ``generate`` draws a tenant's usage from a
``TenantTruth`` as a records table (``sim.calls.records.RECORD_COLUMNS``);
``write_teams_csv`` writes it as the Teams PSTN usage report the backtest and
calibration read; ``expected_monthly_spend`` is the truth's exact mean spend a month,
which a fitted scenario's forecast is compared with. ``examples/make_examples.py``
writes ``examples/tenant-usage.csv`` from ``BUNDLED`` (``sim.calls.synthetic_bundled``).

The generator, per service (all draws from ``numpy.random.default_rng(seed)``):

- hours are the local hours (``truth.timezone``) of whole months from ``truth.start``;
  an hour's expected calls are ``s x hour_of_week[h]`` (x ``holiday_factor`` on a public
  holiday of ``truth.country``, from the ``holidays`` library) x ``(1 + monthly_growth)^k``,
  ``k`` the whole months since the start, ``s`` chosen so that the mean over the five
  weekdays (Monday to Friday, before holidays) is ``calls_per_business_day``;
- each local day draws a gamma level of mean 1 and coefficient of variation
  ``daily_dispersion`` multiplying its hours' means (negative-binomial daily counts);
  an hour's count is Poisson, each call starts at a uniform whole second of its hour;
- durations are lognormal (``duration_mean_min``, ``duration_sd_min``), whole seconds,
  at least 1 s; each call draws its destination by share;
- a call costs ``connection_fee + rate_per_min x billed minutes`` (seconds rounded up to
  the minute), rounded half-up to the minor unit once per call, in integers: the rating
  rule of docs/model.md ("Generated demand"); ``fee_minor`` is the fee alone, rounded.

The all-hands (``AllHands``): on each local date of its RFC 5545 ``recurrence`` at
``time``, a Poisson number (mean ``dial_ins_mean``) of toll-free dial-ins, each joining
at a uniform whole second of the first five minutes and staying to the meeting's end.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from scipy import stats

from sim.account.clock import MICROS_PER_SECOND, to_instant
from sim.account.money import Currency, currency
from sim.calls.records import RECORD_COLUMNS
from sim.calls.teams_writer import write_teams_csv
from sim.calls.truth import BUNDLED, AllHands, Destination, ServiceTruth, TenantTruth
from sim.limits import CALL_DURATION_MAX_S

_SUBMINOR = 10**6
"""Rates are held as integers of 10^-6 minor units, as the model's rating does."""
ALL_HANDS_JOIN_S = 300
"""All-hands dial-ins join within the meeting's first five minutes (uniform whole seconds)."""
_TAIL = 1e-13  # lognormal mass beyond the last billed minute summed (negligible)


@dataclass(frozen=True)
class _Hours:
    """The local hours of some whole months: each hour's UTC start and what it is."""

    start_us: np.ndarray  # int64, the hour's UTC start
    how: np.ndarray  # local hour of the week, Monday 00:00 = 0
    day: np.ndarray  # local day index from the first hour's date
    month: np.ndarray  # whole months since truth.start
    holiday: np.ndarray  # bool: a public holiday of truth.country


def _month_start(truth: TenantTruth, month: int) -> dt.datetime:
    """Local midnight beginning month ``month`` (0 = ``truth.start``), zone-aware."""
    day = truth.start + relativedelta(months=month)
    return dt.datetime.combine(day, dt.time(), ZoneInfo(truth.timezone))


def _hours(truth: TenantTruth, first_month: int, months: int) -> _Hours:
    """Every hour of months ``[first_month, first_month + months)`` (DST-correct)."""
    begin, end = _month_start(truth, first_month), _month_start(truth, first_month + months)
    utc = pd.date_range(begin, end, freq="h", inclusive="left").tz_convert("UTC")
    local = utc.tz_convert(truth.timezone)
    dates = np.asarray(local.date)
    years = range(begin.year, end.year + 1)
    off = holidays.country_holidays(truth.country, years=years)
    month = np.full(len(local), first_month, dtype=np.int64)
    for step in range(1, months):
        month[dates >= _month_start(truth, first_month + step).date()] = first_month + step
    first = dates[0] if len(dates) else begin.date()
    return _Hours(
        start_us=utc.as_unit("us").asi8.astype(np.int64),
        how=np.asarray(local.day_of_week * 24 + local.hour, dtype=np.int64),
        day=np.asarray([(date - first).days for date in dates], dtype=np.int64),
        month=month,
        holiday=np.asarray([date in off for date in dates], dtype=bool),
    )


def _hour_means(service: ServiceTruth, hours: _Hours) -> np.ndarray:
    """Expected calls in each hour (before the day's random level)."""
    weights = np.asarray(service.hour_of_week, dtype=float)
    if weights.shape != (168,) or (weights < 0).any() or not weights[: 5 * 24].sum() > 0:
        raise ValueError(f"{service.service}: hour_of_week must be 168 weights >= 0, weekdays > 0")
    scale = service.calls_per_business_day / (weights[: 5 * 24].sum() / 5)
    means = scale * weights[hours.how]
    means = np.where(hours.holiday, means * service.holiday_factor, means)
    return means * (1.0 + service.monthly_growth) ** hours.month


def _scaled(amount: Decimal, cur: Currency) -> int:
    """An amount in 10^-6 minor units, exactly (ValueError if finer)."""
    scaled = Decimal(amount).scaleb(cur.digits + 6)
    if scaled < 0 or scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} is negative or finer than 10^-6 of a {cur.code} minor unit")
    return int(scaled)


def _charges(dest: Destination, seconds: np.ndarray, cur: Currency) -> tuple[np.ndarray, int]:
    """(charge incl. fee, fee) in minor units: fee + rate x minutes, half-up once per call."""
    fee, rate = _scaled(dest.connection_fee, cur), _scaled(dest.rate_per_min, cur)
    minutes = -(-np.asarray(seconds, dtype=np.int64) // 60)
    total = (fee + rate * minutes + _SUBMINOR // 2) // _SUBMINOR
    return total.astype(np.int64), (fee + _SUBMINOR // 2) // _SUBMINOR


def _lognormal(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with this mean and standard deviation."""
    sigma2 = np.log1p((sd / mean) ** 2)
    return float(np.log(mean) - sigma2 / 2), float(np.sqrt(sigma2))


def _columns(
    start_us: np.ndarray, seconds: np.ndarray, service: str, direction: str,
    dests: tuple[Destination, ...], which: np.ndarray, cur: Currency,
) -> dict[str, np.ndarray]:  # fmt: skip
    """One service's calls as record columns (call ids come later, in stream order)."""
    charge = np.zeros(len(seconds), dtype=np.int64)
    fee = np.zeros(len(seconds), dtype=np.int64)
    for index, dest in enumerate(dests):
        rows = which == index
        charge[rows], fee[rows] = _charges(dest, seconds[rows], cur)
    fee = np.where(charge > 0, fee, 0)
    country = np.asarray([d.country for d in dests], dtype=object)[which]
    number = np.asarray([d.number_type for d in dests], dtype=object)[which]
    return {
        "start_us": start_us, "end_us": start_us + seconds * MICROS_PER_SECOND,
        "duration_s": seconds, "service": np.full(len(seconds), service, dtype=object),
        "charge_minor": charge, "fee_minor": fee, "credit_billed": charge > 0,
        "country": country, "number_type": number,
        "direction": np.full(len(seconds), direction, dtype=object),
    }  # fmt: skip


def _service_calls(
    service: ServiceTruth, hours: _Hours, rng: np.random.Generator, cur: Currency
) -> dict[str, np.ndarray]:
    """One service's calls over ``hours`` (draws: levels, counts, offsets, durations, ends)."""
    means = _hour_means(service, hours)
    days = int(hours.day.max()) + 1 if len(hours.day) else 0
    cv = service.daily_dispersion
    level = rng.gamma(1 / cv**2, cv**2, days) if cv > 0 else np.ones(days)
    counts = rng.poisson(means * level[hours.day])
    hour = np.repeat(np.arange(len(counts)), counts)
    start = hours.start_us[hour] + rng.integers(0, 3600, len(hour)) * MICROS_PER_SECOND
    mu, sigma = _lognormal(service.duration_mean_min, service.duration_sd_min)
    minutes = rng.lognormal(mu, sigma, len(hour))
    seconds = np.clip(np.rint(60 * minutes), 1, CALL_DURATION_MAX_S).astype(np.int64)
    shares = np.asarray([d.share for d in service.destinations], dtype=float)
    which = rng.choice(len(shares), len(hour), p=shares / shares.sum())
    return _columns(start, seconds, service.service, service.direction,
                    service.destinations, which, cur)  # fmt: skip


def _occurrences(truth: TenantTruth, first_month: int, months: int) -> list[int]:
    """UTC instants of the all-hands meetings in months ``[first_month, +months)``."""
    hands = truth.all_hands
    if hands is None:
        return []
    zone = ZoneInfo(truth.timezone)
    begin = _month_start(truth, first_month).replace(tzinfo=None)
    end = _month_start(truth, first_month + months).replace(tzinfo=None)
    rule = rrulestr(hands.recurrence, dtstart=dt.datetime.combine(truth.start, hands.time))
    found = rule.between(begin, end, inc=True)
    return [to_instant(moment.replace(tzinfo=zone)) for moment in found if moment < end]


def _all_hands_calls(
    truth: TenantTruth, rng: np.random.Generator, cur: Currency
) -> dict[str, np.ndarray] | None:
    hands = truth.all_hands
    if hands is None:
        return None
    meetings = np.asarray(_occurrences(truth, 0, truth.months), dtype=np.int64)
    counts = rng.poisson(hands.dial_ins_mean, len(meetings))
    meeting = np.repeat(meetings, counts)
    join_s = rng.integers(0, ALL_HANDS_JOIN_S, len(meeting))
    seconds = np.maximum(round(hands.duration_min * 60) - join_s, 1).astype(np.int64)
    start = meeting + join_s * MICROS_PER_SECOND
    which = np.zeros(len(meeting), dtype=np.int64)
    return _columns(start, seconds, "toll_free_dial_in", "inbound", (hands.destination,),
                    which, cur)  # fmt: skip


def _call_ids(rng: np.random.Generator, count: int) -> list[str]:
    """Random version-4-style UUID strings, as Teams writes its ``UsageId``."""
    data = rng.bytes(16 * count)
    return [str(uuid.UUID(bytes=data[16 * i : 16 * i + 16], version=4)) for i in range(count)]


def generate(truth: TenantTruth, seed: int) -> pd.DataFrame:
    """The tenant's calls over ``truth.months`` months, drawn with ``seed`` (RECORD_COLUMNS)."""
    rng = np.random.default_rng(seed)
    cur = currency(truth.currency)
    hours = _hours(truth, 0, truth.months)
    parts = [_service_calls(service, hours, rng, cur) for service in truth.services]
    hands = _all_hands_calls(truth, rng, cur)
    parts += [hands] if hands is not None else []
    table = pd.concat([pd.DataFrame(part) for part in parts], ignore_index=True)
    table = table.sort_values("start_us", kind="stable", ignore_index=True)
    table.insert(0, "call_id", _call_ids(rng, len(table)))
    table = table.astype({name: str for name in ("service", "country", "number_type",
                                                  "direction", "call_id")})  # fmt: skip
    return table.sort_values(["start_us", "call_id"], ignore_index=True)[list(RECORD_COLUMNS)]


def _expected_charge_minor(dest: Destination, mean: float, sd: float, cur: Currency) -> float:
    """A call's exact mean charge: billed-minute probabilities from the lognormal's CDF.

    Seconds are ``clip(rint(60 x), 1, max)``, so billed minute ``m`` takes the mass of
    ``60 x`` in ``[60 (m - 1) + 0.5, 60 m + 0.5)`` (m = 1 also below); no sampling.
    """
    mu, sigma = _lognormal(mean, sd)
    law = stats.lognorm(s=sigma, scale=np.exp(mu))
    last = int(min(np.ceil(law.isf(_TAIL)) + 1, CALL_DURATION_MAX_S // 60))
    minutes = np.arange(1, last + 1)
    cdf = law.cdf((60 * minutes + 0.5) / 60)
    mass = np.diff(np.r_[0.0, cdf])
    mass[-1] += 1 - cdf[-1]
    charge, _ = _charges(dest, 60 * minutes, cur)
    return float(mass @ charge)


def expected_monthly_spend(truth: TenantTruth, first_month: int, months: int) -> float:
    """The generator's exact mean spend a month (currency units) over months
    ``[first_month, first_month + months)`` counted from the start (0 = the first month).

    Exact: expected calls of every hour (the daily level has mean 1) times a call's
    expected charge (``_expected_charge_minor``), plus each all-hands' expected dial-ins
    times the mean charge over the uniform join seconds. May reach past ``truth.months``.
    """
    if months < 1:
        raise ValueError(f"months(={months}) must be >= 1")
    cur = currency(truth.currency)
    hours = _hours(truth, first_month, months)
    total = 0.0
    for service in truth.services:
        calls = float(_hour_means(service, hours).sum())
        shares = np.asarray([d.share for d in service.destinations], dtype=float)
        per_call = sum(
            share
            / shares.sum()
            * _expected_charge_minor(d, service.duration_mean_min, service.duration_sd_min, cur)
            for share, d in zip(shares, service.destinations, strict=True)
        )
        total += calls * per_call
    hands = truth.all_hands
    if hands is not None:
        seconds = np.maximum(round(hands.duration_min * 60) - np.arange(ALL_HANDS_JOIN_S), 1)
        per_dial_in = float(_charges(hands.destination, seconds, cur)[0].mean())
        meetings = len(_occurrences(truth, first_month, months))
        total += meetings * hands.dial_ins_mean * per_dial_in
    return total / months / cur.minor_per_major


__all__ = [
    "BUNDLED", "AllHands", "Destination", "ServiceTruth", "TenantTruth",
    "expected_monthly_spend", "generate", "write_teams_csv",
]  # fmt: skip
