"""An experiment: one scenario (the world) under one policy (the levers).

Turns a validated scenario's ``[policy]`` and ``[payments]`` (major units,
hours) into the model's exact types (minor units, timedeltas, instants), with
the overrides a planner gives on the command line or in the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sim.account.clock import MICROS_PER_HOUR, Instant, add_months, span, to_instant
from sim.account.money import Currency, currency, major_to_minor
from sim.account.payments import CardExpiry, Payments, RandomDelay
from sim.account.policy import AutoRecharge, ManualTopUp, Policy, ScheduledTopUp
from sim.account.portal import Finding, findings, grouped
from sim.account.run_spec import RunSpec

if TYPE_CHECKING:
    from sim.world.scenario import Scenario
    from sim.world.scenario_types import Delay


EXAMPLE_TRIGGER = Decimal(400)
EXAMPLE_AMOUNT = Decimal(1000)
EXAMPLE_INITIAL = Decimal(1000)
"""The only published planning example (docs: initial 1,000, trigger 400, recharge 1,000)."""


@dataclass(frozen=True)
class Levers:
    """Policy settings in major units, as a planner states them."""

    initial: Decimal
    trigger: Decimal | None
    amount: Decimal | None
    manual_top_up: Decimal | None = None
    monthly_top_up: Decimal | None = None

    @property
    def auto_recharge(self) -> bool:
        """Whether auto-recharge is on."""
        return self.trigger is not None and self.amount is not None

    def label(self) -> str:
        """A short name such as ``T400/A1000/I1000`` or ``off/I1000``."""
        auto = f"T{self.trigger:g}/A{self.amount:g}" if self.auto_recharge else "off"
        return f"{auto}/I{self.initial:g}"


def scenario_levers(scenario: Scenario) -> Levers:
    """The policy written in the scenario file."""
    settings = scenario.policy
    return Levers(
        initial=settings.initial_balance,
        trigger=settings.trigger if settings.auto_recharge else None,
        amount=settings.amount if settings.auto_recharge else None,
        manual_top_up=settings.manual_top_up,
        monthly_top_up=settings.monthly_top_up,
    )


def with_overrides(
    levers: Levers,
    *,
    trigger: Decimal | None = None,
    amount: Decimal | None = None,
    initial: Decimal | None = None,
    auto_recharge: bool | None = None,
) -> Levers:
    """The levers with the given settings changed (None: keep)."""
    if auto_recharge is False:
        levers = replace(levers, trigger=None, amount=None)
    if trigger is not None or amount is not None:
        levers = replace(
            levers,
            trigger=trigger if trigger is not None else levers.trigger,
            amount=amount if amount is not None else levers.amount,
        )
    if initial is not None:
        levers = replace(levers, initial=initial)
    return levers


def regression_levers(scenario: Scenario) -> tuple[Levers, ...]:
    """The policies of ``[regression]`` (omitted levers: the scenario's); () without one."""
    if scenario.regression is None:
        return ()
    base = scenario_levers(scenario)
    return tuple(
        with_overrides(
            base,
            trigger=item.trigger,
            amount=item.amount,
            initial=item.initial,
            auto_recharge=item.auto_recharge,
        )
        for item in scenario.regression.policies
    )


def portal_findings(code: str, levers: Levers) -> tuple[Finding, ...]:
    """What the admin portal would refuse of these levers in currency ``code``
    (``sim.account.portal``): the one check behind every command and the dashboard."""
    return findings(
        code,
        trigger=levers.trigger,
        amount=levers.amount,
        initial=levers.initial,
        manual_top_up=levers.manual_top_up,
        monthly_top_up=levers.monthly_top_up,
    )


def portal_list(code: str, levers: Levers) -> list[dict[str, str]]:
    """``portal_findings`` as the JSON outputs list them (``run --json``, ``backtest --json``)."""
    return [item.to_dict() for item in portal_findings(code, levers)]


def grid_portal(code: str, grid_levers: list[Levers]) -> list[str]:
    """The portal's findings on every policy of a grid, one line per lever and rule."""
    return grouped([item for levers in grid_levers for item in portal_findings(code, levers)])


def horizon(scenario: Scenario) -> tuple[Instant, Instant]:
    """The run's [start, end]: the scenario start plus its horizon in months."""
    start = to_instant(scenario.scenario.start)
    return start, add_months(start, scenario.scenario.horizon_months)


def scenario_currency(scenario: Scenario) -> Currency:
    """The scenario's currency."""
    return currency(scenario.scenario.currency)


def build_policy(scenario: Scenario, levers: Levers) -> Policy:
    """Exact Policy from levers in major units; ValueError names the bad lever."""
    cur = scenario_currency(scenario)

    def minor(value: Decimal, name: str) -> int:
        try:
            return major_to_minor(value, cur)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None

    auto = None
    if levers.trigger is not None and levers.amount is not None:
        auto = AutoRecharge(minor(levers.trigger, "trigger"), minor(levers.amount, "amount"))
    manual = None
    if levers.manual_top_up is not None:
        delay = span(Decimal(str(scenario.payments.admin_response_delay_h)), MICROS_PER_HOUR)
        manual = ManualTopUp(minor(levers.manual_top_up, "manual_top_up"), delay)
    scheduled: tuple[ScheduledTopUp, ...] = ()
    if levers.monthly_top_up is not None:
        start, _ = horizon(scenario)
        scheduled = (ScheduledTopUp.monthly(minor(levers.monthly_top_up, "monthly_top_up"), start),)
    return Policy(minor(levers.initial, "initial"), auto, manual, scheduled)


def build_payments(scenario: Scenario) -> Payments:
    """Payment behaviour from ``[payments]``; the admin acts in ``[calendar]``'s business hours."""
    from sim.world.office_hours import office_hours  # noqa: PLC0415  (world loads on demand)

    settings = scenario.payments
    cards: tuple[CardExpiry, ...] = ()
    if settings.card_expires is not None:
        renewed = None if settings.card_renewed is None else to_instant(settings.card_renewed)
        cards = (CardExpiry(to_instant(settings.card_expires), renewed),)
    return Payments(
        processing_delay=payment_delay(settings.processing_delay_h),
        failure_probability=settings.failure_probability,
        admin_fix_delay=payment_delay(settings.admin_fix_delay_h),
        card_expiries=cards,
        office_hours=office_hours(scenario.calendar, *horizon(scenario)),
    )


def payment_delay(hours: float | Delay) -> timedelta | RandomDelay:
    """A ``[payments]`` delay as the model's: fixed (a number or ``dist = "fixed"``,
    exact to the microsecond, drawing nothing) or a ``RandomDelay`` drawn per use."""
    from sim.world.assumptions import delay_text  # noqa: PLC0415  (world loads on demand)
    from sim.world.distributions import delay_sampler  # noqa: PLC0415
    from sim.world.scenario_types import Fixed  # noqa: PLC0415

    if isinstance(hours, Fixed):
        hours = hours.value
    if isinstance(hours, float | int):
        return span(Decimal(str(hours)), MICROS_PER_HOUR)
    return RandomDelay(delay_text(hours), delay_sampler(hours))


def run_spec(scenario: Scenario) -> RunSpec:
    """What every engine needs of the scenario besides the policy: currency, window, payments
    and the opening account.

    The one place a scenario becomes a ``RunSpec``; the runner, the sweep, the
    traced replication and the dashboard all call this.
    """
    from sim.world.opening import to_opening  # noqa: PLC0415  (world loads on demand)

    start, end = horizon(scenario)
    cur = scenario_currency(scenario)
    held = to_opening(scenario.opening, scenario.calendar.zone, cur)
    return RunSpec(cur, start, end, build_payments(scenario), held)
