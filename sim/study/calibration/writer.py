"""The calibrated scenario as commented TOML: what each number was measured from, or assumed.

Why text, written by hand rather than by a TOML library: every fitted number
carries a comment (calls, months, method) and every number the export cannot
tell (payments, policy, objective) is written with its default and marked
``# assumption:``, so the file explains itself to the planner who edits it.
The keys are those of docs/scenarios.md; ``credsim validate`` accepts the
result (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sim.account.clock import to_datetime
from sim.account.money import Currency
from sim.account.opening import Opening
from sim.study.calibration.durations import DurationFit
from sim.study.calibration.record import ServiceFit
from sim.world.costs import (
    COST_PER_OUTAGE_HOUR,
    COST_PER_OUTAGE_HOUR_OTHER,
    COST_PER_RECHARGE,
    COST_PER_RECHARGE_OTHER,
)
from sim.world.scenario import (
    ADMIN_FIX_DELAY_DEFAULT_H,
    ADMIN_RESPONSE_DELAY_DEFAULT_H,
    FAILURE_PROBABILITY_DEFAULT,
    PROCESSING_DELAY_DEFAULT_H,
    PolicySettings,
)

WEIGHT_DECIMALS = 4
LEVEL_DECIMALS = 3


@dataclass(frozen=True)
class Draft:
    """Everything the scenario file says besides the per-service fits."""

    name: str
    source: str  # the files, calls and dates the fit was made from
    start: datetime  # aware, local midnight
    horizon_months: int
    currency: Currency
    timezone: str
    timezone_comment: str
    holidays: str | None
    rates_name: str
    opening: Opening | None


def scenario_toml(draft: Draft, fits: Sequence[ServiceFit]) -> str:
    """The whole scenario file."""
    parts = [_head(draft), _calendar(draft), _rates(draft)]
    parts += [_stream(fit) for fit in fits]
    parts += [_big_meeting(fit) for fit in fits if fit.big is not None]
    parts += [_payments(), _policy(), _objective(draft.currency)]
    if draft.opening is not None and (draft.opening.lots or draft.opening.pending):
        parts.append(_opening(draft.opening, draft.currency))
    return "\n".join(parts)


def assumptions(draft: Draft) -> tuple[str, ...]:
    """Every number of the scenario that was not measured, with its value."""
    cur = draft.currency.code
    said = [
        f"time zone {draft.timezone}: {draft.timezone_comment}",
        "business hours 09:00-17:00, Monday-Friday (the schema's default; the hour-of-week "
        "profile, when fitted, places calls in every hour as observed)",
        f"payments: processing delay {PROCESSING_DELAY_DEFAULT_H:g} h, failure probability "
        f"{FAILURE_PROBABILITY_DEFAULT:g} per attempt, admin fix {ADMIN_FIX_DELAY_DEFAULT_H:g} h, "
        f"response to a negative balance {ADMIN_RESPONSE_DELAY_DEFAULT_H:g} h",
        f"policy: auto-recharge on, trigger {_money(PolicySettings().trigger)} {cur}, amount "
        f"{_money(PolicySettings().amount)} {cur} (the schema's defaults: `credsim sweep` "
        "chooses them)",
        f"objective: outage risk under 1 % a year, cost of capital 5 % a year, a recharge costs "
        f"{COST_PER_RECHARGE.get(cur, COST_PER_RECHARGE_OTHER)} {cur}, an outage hour "
        f"{COST_PER_OUTAGE_HOUR.get(cur, COST_PER_OUTAGE_HOUR_OTHER)} {cur}",
    ]
    if draft.holidays is None:
        said.append("no public holidays (no --country)")
    if draft.opening is None or not (draft.opening.lots or draft.opening.pending):
        said.append("the account starts empty (initial_balance 0, no --balance or --lots)")
    return tuple(said)


def _head(draft: Draft) -> str:
    return (
        f"# Calibrated by credsim calibrate from {draft.source}.\n"
        "# Every fitted number says what it was measured from; every '# assumption:' was not\n"
        "# measurable from the export and holds a default (docs/calibration.md).\n"
        "[scenario]\n"
        f"name = {_quote(draft.name)}\n"
        f'description = "Fitted to the usage export(s): {draft.source}"\n'
        f"start = {draft.start.isoformat()}            # local midnight after the data's last day\n"
        f"horizon_months = {draft.horizon_months}\n"
        f'currency = "{draft.currency.code}"                         # the export\'s currency\n'
    )


def _calendar(draft: Draft) -> str:
    text = (
        "[calendar]\n"
        f"timezone = {_quote(draft.timezone)}         # {draft.timezone_comment}\n"
        'business_hours = ["09:00", "17:00"]        # assumption: the default\n'
        'business_days = ["Mon", "Tue", "Wed", "Thu", "Fri"]   # assumption: the default\n'
    )
    if draft.holidays is not None:
        text += f"holidays = {_quote(draft.holidays)}      # public holidays (--country)\n"
    return text


def _rates(draft: Draft) -> str:
    return (
        "[rates]\n"
        f"table = {_quote(draft.rates_name)}       # effective rates measured from the export\n"
        "billing_increment_s = 60                   # whole minutes, as the rates were measured\n"
    )


def _stream(fit: ServiceFit) -> str:
    a = fit.arrivals
    where = f"{fit.calls} calls over {a.months} months"
    level = a.level_per_day
    lines = [
        "[[streams]]",
        f"name = {_quote(fit.service + ' (fitted)')}",
        f"service = {_quote(fit.service)}",
        f"direction = {_quote(fit.direction)}",
        f"calls_per_day = {round(level.value, LEVEL_DECIMALS)}   # mean per business day at the "
        f"start, 95 % {level.low:.2f} to {level.high:.2f}; {where}, {a.business_days} business "
        "days, big days left out",
    ]
    if a.hour_of_week is not None:
        lines.append(f"hour_of_week = {_weights(a.hour_of_week)}   # {_profile_comment(fit)}")
        factor = a.holiday_factor
        comment = (
            "calls on holidays / an ordinary day's"
            if factor is not None
            else "assumption: no holiday in the data"
        )
        lines.append(_optional("holiday_factor", round(factor or 0.0, 3), comment))
    lines.append(_optional("monthly_growth", round(a.growth_used, 5), _growth_comment(fit)))
    lines.append(_optional("daily_dispersion", round(a.dispersion_used, 4), _spread_comment(fit)))
    lines.append(f"duration_min = {_dist(fit.durations)}   # {_duration_comment(fit)}")
    lines += _destinations(fit)
    return "\n".join(lines) + "\n"


def _profile_comment(fit: ServiceFit) -> str:
    if fit.pooled:
        return "pooled over all services (this one has too few calls)"
    return "mean calls per local hour of week (Monday 00:00 first), holidays and big days out"


def _optional(key: str, value: float, comment: str) -> str:
    """A key whose 0 is the schema's default is written only when it is not 0."""
    return f"{key} = {value}   # {comment}" if value else f"# {key}: 0, {comment}"


def _destinations(fit: ServiceFit) -> list[str]:
    """One destination as country and number type; several as a ``destinations`` mix."""
    if fit.own_rate is not None:
        rate, fee = fit.own_rate
        return [
            f"rate_per_min = {_money(rate)}   # this service's own (charges - fees) / billed "
            "minutes: its destination's table row is shared with a service billed otherwise",
            f"connection_fee = {_money(fee)}   # mean fee per call",
        ]
    if len(fit.mix) == 1:
        only = fit.mix[0]
        return [
            f"country = {_quote(only.country)}   # every one of the {fit.calls} calls",
            f"number_type = {_quote(only.number_type)}",
        ]
    destinations = ", ".join(
        f'{{ country = "{m.country}", number_type = "{m.number_type}", share = {m.share} }}'
        for m in fit.mix
    )
    return [f"destinations = [{destinations}]   # shares of the {fit.calls} calls"]


def _growth_comment(fit: ServiceFit) -> str:
    growth = fit.arrivals.growth
    if growth is None:
        return "assumption: not fitted (too little data)"
    band = f"95 % {growth.low:+.4f} to {growth.high:+.4f}"
    if not fit.arrivals.growth_used:
        return f"fitted {growth.value:+.4f}, {band} contains 0: none"
    return f"log-linear fit of the daily counts of {fit.arrivals.months} months, {band}"


def _spread_comment(fit: ServiceFit) -> str:
    spread = fit.arrivals.dispersion
    if spread is None:
        return "assumption: Poisson (too little data)"
    band = f"95 % {spread.low:.3f} to {spread.high:.3f}"
    if not fit.arrivals.dispersion_used:
        return f"fitted {spread.value:.3f}, {band} reaches 0: Poisson"
    return f"daily level CV, method of moments on {fit.arrivals.business_days} days, {band}"


def _duration_comment(fit: ServiceFit) -> str:
    if fit.pooled:
        return f"all services' calls ({fit.durations.calls}): this one has too few"
    return f"{fit.durations.method} of {fit.durations.calls} calls"


def _big_meeting(fit: ServiceFit) -> str:
    big = fit.big
    assert big is not None
    when = (
        f"recurrence = {_quote(big.recurrence)}   # every big day fell on this day of its month"
        if big.recurrence
        else f"per_month = {round(big.per_month, 3)}   # big days a month observed"
    )
    mean, sd = big.mean, big.sd
    count = (
        f'{{ dist = "negative_binomial", mean = {round(mean, 1)}, sd = {round(sd, 1)} }}'
        if sd**2 > mean
        else f'{{ dist = "poisson", mean = {round(mean, 1)} }}'
    )
    countries = _countries(fit)
    durations = fit.big_durations
    lines = [
        "[[big_meetings]]",
        f"name = {_quote('big days of ' + fit.service)}",
        when,
        f"time = {big.start:%H:%M}:00   # median start of the {int(big.burst.sum())} burst calls",
        f"dial_ins = {count}   # calls above the ordinary on {len(big.days)} big day(s)",
        "toll_free_share = 1.0   # the big days were found among toll-free dial-ins",
        f"dial_in_countries = {countries}",
    ]
    if durations is not None:
        lines.append(f"duration_min = {_dist(durations)}   # {durations.method} of burst calls")
    return "\n".join(lines) + "\n"


def _countries(fit: ServiceFit) -> str:
    shares = {m.country: 0.0 for m in fit.mix}
    for m in fit.mix:
        shares[m.country] += m.share
    return "{ " + ", ".join(f"{c} = {round(s, 4)}" for c, s in shares.items()) + " }"


def _payments() -> str:
    return (
        "[payments]\n"
        f"processing_delay_h = {PROCESSING_DELAY_DEFAULT_H}   # assumption: the default\n"
        f"failure_probability = {FAILURE_PROBABILITY_DEFAULT}   # assumption: the default\n"
        f"admin_fix_delay_h = {ADMIN_FIX_DELAY_DEFAULT_H}   # assumption: the default\n"
        f"admin_response_delay_h = {ADMIN_RESPONSE_DELAY_DEFAULT_H}   # assumption: the default\n"
    )


def _policy() -> str:
    defaults = PolicySettings()
    return (
        "[policy]\n"
        "initial_balance = 0   # the account as it stands is [opening] (--balance, --lots)\n"
        "auto_recharge = true   # assumption: the default\n"
        f"trigger = {_money(defaults.trigger)}   # assumption: the default; credsim sweep chooses\n"
        f"amount = {_money(defaults.amount)}   # assumption: the default; credsim sweep chooses\n"
    )


def _objective(cur: Currency) -> str:
    recharge = COST_PER_RECHARGE.get(cur.code, COST_PER_RECHARGE_OTHER)
    outage = COST_PER_OUTAGE_HOUR.get(cur.code, COST_PER_OUTAGE_HOUR_OTHER)
    return (
        "[objective]\n"
        "max_outage_risk_per_year = 0.01   # assumption: the default\n"
        "cost_of_capital_per_year = 0.05   # assumption: the default\n"
        f"cost_per_recharge = {_money(recharge)}   # assumption: the default\n"
        f"cost_per_outage_hour = {_money(outage)}   # assumption: the default\n"
    )


def _opening(opening: Opening, cur: Currency) -> str:
    lots = ",\n".join(
        f"    {{ purchased = {_instant(at)}, remaining = {_minor(amount, cur)} }}"
        for at, amount in opening.lots
    )
    text = f"[opening]   # the account at the start (--balance, --lots)\nlots = [\n{lots},\n]\n"
    if opening.pending is not None:
        at, amount = opening.pending
        text += f"pending_recharge = {{ at = {_instant(at)}, amount = {_minor(amount, cur)} }}\n"
    return text


def _instant(instant_us: int) -> str:
    return to_datetime(instant_us).isoformat().replace("+00:00", "Z")


def _minor(amount_minor: int, cur: Currency) -> str:
    return _money(Decimal(amount_minor).scaleb(-cur.digits))


def _money(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _dist(fit: DurationFit) -> str:
    spec = fit.spec
    if spec["dist"] == "lognormal":
        return f'{{ dist = "lognormal", mean = {spec["mean"]}, sd = {spec["sd"]} }}'
    values = ", ".join(str(v) for v in spec["values"])  # type: ignore[attr-defined]
    return f'{{ dist = "empirical", values = [{values}] }}'


def _weights(weights: tuple[float, ...]) -> str:
    total = sum(weights)
    scale = len(weights) / total if total > 0 else 1.0
    return "[" + ", ".join(str(round(w * scale, WEIGHT_DECIMALS)) for w in weights) + "]"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
