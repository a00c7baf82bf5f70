"""Magnitude checks on a validated scenario: every figure within ``sim.limits``.

Why apart from the schema: the schema says what a value is (a number >= 0, a
rule), these checks say how much of it the model can afford. Each bound comes
from ``sim.limits`` and each problem is one sentence naming the key path and
the limit, so ``credsim validate`` refuses users = 10^9, a Poisson mean of
1e12, ``FREQ=SECONDLY`` or a start in year 9000 before ``run`` tries to
allocate GiB to PiB for them. ``sim.world.load`` calls ``problems`` for files,
uploads and dashboard edits alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import MAXYEAR, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, rrule, rrulestr

from sim import limits
from sim.account.money import currency
from sim.world import stream_profile
from sim.world.plan_holders import holder_problems
from sim.world.scenario import BigMeeting, Meetings, Scenario, ScenarioInfo
from sim.world.scenario_types import Continuous, Count, Empirical, Fixed

LOT_LIFETIME_MONTHS = 12
"""A lot bought at the end of the horizon expires this much later; that date must be supported."""

_DURATION_MAX_MIN = limits.CALL_DURATION_MAX_S / 60
_LIMITS = "sim/limits.py"
_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")


def problems(scenario: Scenario) -> list[str]:
    """One sentence per figure of ``scenario`` beyond its limit (empty when all fit)."""
    return [
        *_dates(scenario),
        *_users(scenario),
        *holder_problems(scenario),
        *_rates(scenario),
        *_distributions(scenario),
        *_delays(scenario),
        *_money(scenario),
        *_recurrences(scenario),
        *stream_profile.problems(scenario),
    ]


def horizon_end(scenario: Scenario) -> datetime:
    """The run's end (start + horizon months), in the start's zone."""
    info = scenario.scenario
    return info.start + relativedelta(months=info.horizon_months)


def _dates(scenario: Scenario) -> Iterator[str]:
    info = scenario.scenario
    yield from _date("scenario.start", info.start)
    if limits.DATE_MIN <= info.start.date() <= limits.DATE_MAX:
        expiry = horizon_end(scenario) + relativedelta(months=LOT_LIFETIME_MONTHS)
        if expiry.date() > limits.DATE_MAX:
            yield (
                f"scenario.horizon_months: {info.start.date().isoformat()} + "
                f"{info.horizon_months} months (+{LOT_LIFETIME_MONTHS} for lot expiry) ends "
                f"{expiry.date().isoformat()}, after the last supported date "
                f"{limits.DATE_MAX.isoformat()}"
            )
    for name in ("card_expires", "card_renewed"):
        value = getattr(scenario.payments, name)
        if value is not None:
            yield from _date(f"payments.{name}", value)
    holidays = scenario.calendar.holidays
    for index, day in enumerate(() if isinstance(holidays, str) else holidays):
        yield from _date(f"calendar.holidays[{index}]", day)


def _date(where: str, value: date | datetime) -> Iterator[str]:
    day = value.date() if isinstance(value, datetime) else value
    if not limits.DATE_MIN <= day <= limits.DATE_MAX:
        yield (
            f"{where}: {day.isoformat()} is outside the supported dates "
            f"{limits.DATE_MIN.isoformat()} to {limits.DATE_MAX.isoformat()}"
        )


def _users(scenario: Scenario) -> Iterator[str]:
    users, most = scenario.users, limits.USERS_MAX
    if users.count > most:
        yield f"users.count: {users.count:,} is more than the limit of {most:,} (USERS_MAX)"
        return
    months = scenario.scenario.horizon_months
    final = users.count * (1.0 + users.monthly_growth) ** months
    if final > most:
        yield (
            f"users.monthly_growth: {users.monthly_growth:g} a month takes {users.count:,} users "
            f"to about {final:,.0f} after {months} months, more than the limit of {most:,} "
            "(USERS_MAX)"
        )
    plans = scenario.plans
    for name in ("audio_conferencing_licences", "domestic_plan_users", "international_plan_users"):
        if getattr(plans, name) > most:
            yield f"plans.{name}: {getattr(plans, name):,} is more than the limit of {most:,}"


def _rates(scenario: Scenario) -> Iterator[str]:
    per_user = [("meetings", scenario.meetings), ("user_calling", scenario.user_calling)]
    for where, section in per_user:
        if section is not None:
            yield from _at_most(
                f"{where}.per_user_per_day",
                section.per_user_per_day,
                limits.PER_USER_PER_DAY_MAX,
                "PER_USER_PER_DAY_MAX",
            )
    for index, stream in enumerate(scenario.streams):
        yield from _at_most(
            f"streams[{index}].calls_per_day",
            stream.calls_per_day,
            limits.STREAM_CALLS_PER_DAY_MAX,
            "STREAM_CALLS_PER_DAY_MAX",
        )


def _at_most(where: str, value: float | int, most: float | int, name: str) -> Iterator[str]:
    if value > most:
        shown, limit = _figure(value), _figure(most)
        yield f"{where}: {shown} is more than the limit of {limit} ({name} in {_LIMITS})"


def _figure(value: float | int) -> str:
    """``1000000.0`` as ``1,000,000``; ``0.5`` and ``1e+30`` as written by ``g``."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}"


def _distributions(scenario: Scenario) -> Iterator[str]:
    meetings: list[tuple[str, Meetings | BigMeeting]] = []
    if scenario.meetings is not None:
        meetings.append(("meetings", scenario.meetings))
    meetings += [(f"big_meetings[{i}]", event) for i, event in enumerate(scenario.big_meetings)]
    for where, meeting in meetings:
        for name in ("duration_min", "join_jitter_min", "leave_jitter_min"):
            yield from _minutes(f"{where}.{name}", getattr(meeting, name))
        yield from _participants(f"{where}.dial_ins", meeting.dial_ins)
        if isinstance(meeting, Meetings):
            yield from _participants(f"{where}.dial_outs", meeting.dial_outs)
    if scenario.user_calling is not None:
        yield from _minutes("user_calling.duration_min", scenario.user_calling.duration_min)
    for index, stream in enumerate(scenario.streams):
        yield from _minutes(f"streams[{index}].duration_min", stream.duration_min)


def _largest(dist: Continuous | Count) -> tuple[str, float]:
    """The figure of a distribution that sets its scale: (its key, its value)."""
    if isinstance(dist, Fixed):
        return "value", dist.value
    if isinstance(dist, Empirical):
        return "values", max(dist.values)
    spread = getattr(dist, "sd", 0.0)
    return ("sd", spread) if spread > dist.mean else ("mean", dist.mean)


def _minutes(where: str, dist: Continuous) -> Iterator[str]:
    key, value = _largest(dist)
    if value > _DURATION_MAX_MIN:
        yield (
            f"{where}.{key}: {_figure(value)} minutes is more than the limit of "
            f"{_figure(_DURATION_MAX_MIN)} "
            f"minutes (CALL_DURATION_MAX_S in {_LIMITS})"
        )


def _participants(where: str, dist: Count) -> Iterator[str]:
    key, value = _largest(dist)
    yield from _at_most(f"{where}.{key}", value, limits.PARTICIPANTS_MAX, "PARTICIPANTS_MAX")


def _delays(scenario: Scenario) -> Iterator[str]:
    payments = scenario.payments
    for name in ("processing_delay_h", "admin_fix_delay_h", "admin_response_delay_h"):
        value = getattr(payments, name)
        where = f"payments.{name}"
        if not isinstance(value, float):  # a distribution: its scale (mean, sd or value)
            key, value = _largest(value)
            where = f"{where}.{key}"
        yield from _at_most(where, value, limits.DELAY_MAX_H, "DELAY_MAX_H")


def _money(scenario: Scenario) -> Iterator[str]:
    """Amounts in major units, within MONEY_MAX_MINOR (and a call's charge within CHARGE_MAX)."""
    scale = Decimal(10) ** currency(scenario.scenario.currency).digits
    amounts: list[tuple[str, Decimal | None]] = []
    for name in ("initial_balance", "trigger", "amount", "manual_top_up", "monthly_top_up"):
        amounts.append((f"policy.{name}", getattr(scenario.policy, name)))
    for name in ("cost_per_recharge", "cost_per_outage_hour", "penalty_per_blocked_min"):
        amounts.append((f"objective.{name}", getattr(scenario.objective, name)))
    if scenario.regression is not None:
        for index, levers in enumerate(scenario.regression.policies):
            for name in ("initial", "trigger", "amount"):
                where = f"regression.policies[{index}].{name}"
                amounts.append((where, getattr(levers, name)))
    for where, value in amounts:
        if value is not None and value * scale > limits.MONEY_MAX_MINOR:
            most = Decimal(limits.MONEY_MAX_MINOR) / scale
            yield f"{where}: {value} is more than the limit of {most:,f} (MONEY_MAX_MINOR)"
    for index, stream in enumerate(scenario.streams):
        rate = Decimal(stream.rate_per_min or 0)
        fee = Decimal(stream.connection_fee or 0)
        yield from charge_problems(f"streams[{index}]", rate, fee, scale)


def charge_problems(where: str, rate_per_min: Decimal, fee: Decimal, scale: Decimal) -> list[str]:
    """A rate whose longest call would cost more than CHARGE_MAX_MINOR (``scale``: 10^digits).

    Why: charges are int64 minor units; a rate of 10^20 a minute would overflow
    them in rating, after ``validate`` accepted the file.
    """
    longest_min = Decimal(limits.CALL_DURATION_MAX_S) / 60
    if (fee + rate_per_min * longest_min) * scale <= limits.CHARGE_MAX_MINOR:
        return []
    most = Decimal(limits.CHARGE_MAX_MINOR) / scale
    return [
        f"{where}: rate_per_min {rate_per_min} and connection_fee {fee} would charge a "
        f"{longest_min:g}-minute call more than the limit of {most:,f} (CHARGE_MAX_MINOR)"
    ]


def _recurrences(scenario: Scenario) -> Iterator[str]:
    info = scenario.scenario
    if not limits.DATE_MIN <= info.start.date() <= limits.DATE_MAX:
        return  # already refused; the rule cannot be placed
    for index, event in enumerate(scenario.big_meetings):
        if event.per_month is not None:
            yield from _per_month(f"big_meetings[{index}].per_month", event.per_month, info)
            continue
        assert event.recurrence is not None  # the schema: one of the two
        where = f"big_meetings[{index}].recurrence"
        start = datetime.combine(info.start.date(), event.time.replace(tzinfo=None))
        end = horizon_end(scenario).replace(tzinfo=None)
        yield from recurrence_problems(where, event.recurrence, start, end)


def _per_month(where: str, per_month: float, info: ScenarioInfo) -> Iterator[str]:
    """Random big days count against the same limit as a rule's occurrences (on average)."""
    held = per_month * info.horizon_months
    if held > limits.RECURRENCES_MAX:
        yield (
            f"{where}: {per_month:g} a month makes about {held:,.0f} big days over "
            f"{info.horizon_months} months, more than the limit of {limits.RECURRENCES_MAX:,} "
            f"(RECURRENCES_MAX in {_LIMITS})"
        )


def recurrence_problems(where: str, text: str, start: datetime, end: datetime) -> list[str]:
    """The rule must be no finer than daily and occur at most RECURRENCES_MAX times by ``end``.

    Counted with a bound: the rule is cut at ``end`` (UNTIL) and at most
    RECURRENCES_MAX + 1 occurrences are drawn, so even a rule that never
    occurs stops at the horizon rather than at year 9999.
    """
    rule = rrulestr(text, dtstart=start)
    if not isinstance(rule, rrule):
        return [f"{where}: {text!r} must be a single RRULE (no RDATE or EXDATE lines)"]
    frequency: int = _part(rule, "_freq")
    if frequency > DAILY:
        name = _FREQUENCIES[frequency]
        return [f"{where}: FREQ={name} is finer than daily; big meetings recur at most daily"]
    per_day = 1
    for name in ("_byhour", "_byminute", "_bysecond"):
        per_day *= len(_part(rule, name) or ())
    if per_day > 1:
        return [
            f"{where}: BYHOUR/BYMINUTE/BYSECOND give {per_day} times a day; big meetings "
            "recur at most daily (the time of day is the meeting's `time`)"
        ]
    found = sum(1 for _ in occurrences_until(rule, end, limits.RECURRENCES_MAX + 1))
    if found > limits.RECURRENCES_MAX:
        return [
            f"{where}: occurs more than {limits.RECURRENCES_MAX:,} times over the horizon, "
            f"the limit (RECURRENCES_MAX in {_LIMITS})"
        ]
    return []


def occurrences_until(rule: rrule, end: datetime, most: int | None = None) -> Iterator[datetime]:
    """The rule's occurrences from its start to ``end`` inclusive (naive local), at most ``most``.

    Why shifted: dateutil stops a rule that matches no day only at year 9999
    (37 s for a daily rule such as ``BYMONTH=2;BYMONTHDAY=30``). The
    Gregorian calendar repeats every 400 years, weekdays and leap days
    included, so the rule is run 400·k years later, as close to 9999 as fits,
    and the results are moved back: the same dates, and at most 400 years of
    fruitless search after ``end``.
    """
    years = 400 * max(0, (MAXYEAR - end.year - 1) // 400)
    first, until, count = _part(rule, "_dtstart"), _part(rule, "_until"), _part(rule, "_count")
    stop = end if until is None else min(until, end)
    moved = rule.replace(
        dtstart=first.replace(year=first.year + years),
        until=stop.replace(year=stop.year + years),
        count=None,
    )
    cap = count if most is None else most if count is None else min(count, most)
    for moment in islice(moved, cap):
        yield moment.replace(year=moment.year - years)


def _part(rule: rrule, name: str) -> Any:
    """A parsed part of the rule; dateutil keeps them in private attributes."""
    return getattr(rule, name)
