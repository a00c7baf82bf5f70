"""The assumptions in force for a scenario: one list, shown wherever results are.

Why one place: a scenario that leaves out ``[payments]`` (or a key of it) runs
on documented planning defaults (``sim.world.scenario``'s ``*_DEFAULT``
constants, docs/model.md#payment-defaults), and a planner reading a result must
see which figures they stated and which the tool assumed. ``credsim
validate``, ``run``, ``sweep``, the HTML report and the dashboard all print
``assumption_lines`` of this module, so the wording is the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.world import costs
from sim.world.public_holidays import holidays_text
from sim.world.scenario import WEEKDAYS, PaymentSettings, Scenario, Stream
from sim.world.scenario_types import Delay, Exponential, Fixed, LogNormal

DEFAULTS_DOC = "docs/model.md#payment-defaults"
"""Where each default value and its reason is stated."""
COSTS_DOC = "docs/model.md#the-cost-of-a-policy"
"""Where the objective's default prices are stated."""

_MEANINGS = {
    "processing_delay_h": "an auto-recharge takes this long to post credits or fail",
    "failure_probability": "chance that one auto-recharge payment attempt fails",
    "admin_fix_delay_h": (
        "wall-clock time from a failure email to the admin's fix, which then waits for "
        "the next business hour"
    ),
    "admin_response_delay_h": (
        "time from a below-zero email to a manual top-up, which then waits for the next "
        "business hour"
    ),
}


@dataclass(frozen=True)
class Assumption:
    """One setting in force: its key, value in words, and whether the scenario stated it."""

    key: str
    value: str
    stated: bool
    meaning: str
    doc: str = DEFAULTS_DOC
    """Where the default and its reason are stated."""

    @property
    def source(self) -> str:
        """``scenario`` (stated in the file) or ``default`` (the documented assumption)."""
        return "scenario" if self.stated else "default"

    def text(self) -> str:
        """One line, e.g. ``payments.failure_probability = 2 %: ... (default: assumed, ...)``."""
        origin = "stated in the scenario" if self.stated else f"default: assumed, see {self.doc}"
        return f"{self.key} = {self.value}: {self.meaning} ({origin})"

    def to_dict(self) -> dict[str, Any]:
        """As JSON: key, value, source and meaning."""
        return {
            "key": self.key,
            "value": self.value,
            "source": self.source,
            "meaning": self.meaning,
        }


def assumptions(scenario: Scenario) -> tuple[Assumption, ...]:
    """The payment settings in force, each stated or defaulted, and the admin's office hours."""
    payments = scenario.payments
    stated = payments.model_fields_set
    items = [
        Assumption(f"payments.{name}", _value_text(payments, name), name in stated, meaning)
        for name, meaning in _MEANINGS.items()
    ]
    calendar = scenario.calendar
    items.append(
        Assumption(
            "calendar (admin office hours)",
            f"{calendar.timezone} {'-'.join(calendar.business_hours)} "
            f"{','.join(calendar.business_days)}, {holidays_text(calendar.holidays)}",
            "calendar" in scenario.model_fields_set,
            "the admin fixes a failed payment and tops up by hand only inside these business hours",
        )
    )
    items.extend(_objective(scenario))
    if payments.card_expires is not None:
        renewed = payments.card_renewed.isoformat() if payments.card_renewed else "never"
        items.append(
            Assumption(
                "payments.card_expires",
                f"{payments.card_expires.isoformat()}, renewed {renewed}",
                True,
                "every payment attempt fails while the card is expired",
            )
        )
    return tuple(items)


def _objective(scenario: Scenario) -> list[Assumption]:
    """The two prices of the cost model that a scenario may leave to the currency's default."""
    stated = scenario.objective.model_fields_set
    code = scenario.scenario.currency
    return [
        Assumption(
            "objective.cost_per_recharge",
            f"{costs.cost_per_recharge(scenario)} {code}",
            "cost_per_recharge" in stated and scenario.objective.cost_per_recharge is not None,
            "card fee plus the accounts-payable and approval effort of one recharge",
            COSTS_DOC,
        ),
        Assumption(
            "objective.cost_per_outage_hour",
            f"{costs.cost_per_outage_hour(scenario)} {code}",
            "cost_per_outage_hour" in stated
            and scenario.objective.cost_per_outage_hour is not None,
            "what an hour without paid calling (dial-ins, dial-outs) costs the business",
            COSTS_DOC,
        ),
    ]


def assumption_lines(scenario: Scenario) -> list[str]:
    """``assumptions`` as lines of text: what every command and page shows."""
    return [item.text() for item in assumptions(scenario)]


def stream_lines(scenario: Scenario) -> list[str]:
    """One line per ``[[streams]]`` entry: its level, price, and the profile figures it states.

    Why here: a calibrated scenario's streams carry measured figures (growth, an
    hour-of-week profile, a daily dispersion, destinations); ``credsim validate``
    shows them beside the assumptions, so a planner sees what each stream says.
    """
    return [
        f"streams[{index}] {stream.name!r}: {stream_text(stream, scenario)}"
        for index, stream in enumerate(scenario.streams)
    ]


def stream_text(stream: Stream, scenario: Scenario) -> str:
    """``toll_free_dial_in, 120 calls a business day, +1.2 % a month, ...`` (figures stated)."""
    parts = [stream.service, f"{stream.calls_per_day:g} calls a business day"]
    if stream.monthly_growth:
        parts.append(f"{stream.monthly_growth * 100:+.3g} % a month")
    if stream.hour_of_week is not None:
        business = {WEEKDAYS.index(day) for day in scenario.calendar.business_days}
        per_day = [sum(stream.hour_of_week[24 * day : 24 * day + 24]) for day in range(7)]
        other = sum(weight for day, weight in enumerate(per_day) if day not in business)
        parts.append(
            f"hour-of-week profile (round the clock; {other / sum(per_day) * 100:.3g} % of the "
            f"week's weight on other days), holidays x {stream.holiday_weight:g}"
        )
    if stream.daily_dispersion:
        parts.append(f"daily dispersion {stream.daily_dispersion:g} (negative binomial days)")
    if stream.destinations is not None:
        shares = ", ".join(
            f"{place.country} {place.number_type} {share * 100:.3g} %"
            for place, share in stream.destination_shares()
        )
        parts.append(f"destinations {shares} ({stream.direction}, rate table)")
    elif stream.rate_per_min is not None:
        parts.append(f"{stream.rate_per_min} {scenario.scenario.currency}/min")
    else:
        parts.append(f"{stream.country} {stream.number_type} {stream.direction} (rate table)")
    return ", ".join(parts)


def delay_text(delay: float | Delay) -> str:
    """A payment delay in words: ``4 h``, ``fixed, 1 h``, ``exponential, mean 2 h``,
    ``lognormal, mean 4 h, sd 3 h`` (the one wording of every command and page)."""
    match delay:
        case Fixed():
            return f"fixed, {delay.value:g} h"
        case Exponential():
            return f"exponential, mean {delay.mean:g} h"
        case LogNormal():
            return f"lognormal, mean {delay.mean:g} h, sd {delay.sd:g} h"
    return f"{delay:g} h"


def _value_text(payments: PaymentSettings, name: str) -> str:
    value = getattr(payments, name)
    if name == "failure_probability":
        return f"{value:g} ({value * 100:g} % per attempt)"
    return delay_text(value)
