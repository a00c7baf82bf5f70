"""The advice a sweep ends in, as text: the verdict first, the analytic first guess beside it.

Why one module: ``credsim sweep``'s printout and the HTML report open with the
same verdict (summary.json's ``recommendation.verdict``, word for word) and
show the same first-guess sentence, so a planner comparing the two reads the
same thing twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sim.account import format as fmt
from sim.account.money import Currency
from sim.study.first_guess import FirstGuess
from sim.study.summary import SweepSummary


def verdict_lines(summary: SweepSummary) -> list[str]:
    """The verdict, then the warning when the policy missed the risk limit."""
    rec = summary.recommendation
    return [rec.verdict, *([f"WARNING: {rec.warning}"] if rec.warning else [])]


def first_guess_text(guess: FirstGuess, optimum: str, cur: Currency) -> str:
    """``First guess from the formulas (not simulated): trigger $59.00, amount $2,246.00 ...``.

    ``optimum`` is the simulated recommendation's label, named beside it.
    """
    inputs = guess.inputs

    def money(value: float) -> str:
        return fmt.money_major(value, cur)

    spend = money(inputs.spend_per_year)
    if math.isfinite(guess.economic_amount):
        amount = (
            f"the economic order quantity {money(guess.economic_amount)} from {spend} spent a "
            f"year, {money(inputs.cost_per_recharge)} a recharge and "
            f"{fmt.percent(inputs.cost_of_capital_per_year)} cost of capital"
        )
    else:
        amount = f"with no cost of capital, what {spend} spent a year uses within a lot's life"
    if float(guess.amount) > guess.economic_amount + 1:
        amount += ", raised to keep within the cap on recharges a month"
    elif math.isfinite(guess.economic_amount) and float(guess.amount) < guess.economic_amount - 1:
        amount += ", lowered so that a lot is spent before it expires"
    return (
        f"First guess from the formulas (not simulated; docs/model.md#recommendation): trigger "
        f"{money(float(guess.trigger))}, amount {money(float(guess.amount))}, beside the "
        f"simulated optimum {optimum}. Amount: {amount} "
        f"({fmt.count(guess.recharges_per_year, 1)} recharges a year). Trigger: the balance "
        f"that covers the spend while a recharge is processed, "
        f"{fmt.hours(inputs.lead_time_open_h, 1)} of business hours "
        f"({fmt.hours(inputs.failed_lead_time_open_h, 1)} when the payment fails and waits for "
        f"the admin, {fmt.percent(inputs.failure_probability)} of attempts), so that the "
        f"spend outruns it {_rarely(guess.outages_per_year)}, as {guess.trigger_set_by} asks "
        f"(spend over a lead time taken as gamma).{_portal(guess, money)}"
    )


def _portal(guess: FirstGuess, money: Callable[[float], str]) -> str:
    """`` The formula gives a trigger of $8.00; the admin portal's minimum is $50.00.``"""
    text = ""
    for lever, shown, formula in (
        ("trigger", guess.trigger, guess.formula_trigger),
        ("amount", guess.amount, guess.formula_amount),
    ):
        if shown > formula:
            text += (
                f" The formula gives {'a' if lever == 'trigger' else 'an'} {lever} of "
                f"{money(float(formula))}; the admin portal's minimum is {money(float(shown))}."
            )
    return text


def _rarely(per_year: float) -> str:
    """``about once in 200 years`` (``never``, for an allowance of none)."""
    if per_year <= 0:
        return "never"
    return f"about once in {fmt.count(1 / per_year, 0)} years"
