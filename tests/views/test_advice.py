"""The first guess in words: its figures, what bounded the amount, what set the trigger."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sim.account.money import currency
from sim.study.first_guess import Inputs, first_guess
from sim.views.advice import first_guess_text

USD = currency("USD")
INPUTS = Inputs(
    spend_per_year=12_000.0,
    spend_per_open_hour=5.0,
    spend_sd_per_open_hour=4.0,
    cost_per_recharge=10.0,
    cost_of_capital_per_year=0.05,
    cost_per_outage_hour=0.0,
    max_recharges_per_month=None,
    max_outage_risk_per_year=0.01,
    failure_probability=0.02,
    lead_time_open_h=1.0,
    failed_lead_time_open_h=6.5,
)


def test_the_first_guess_says_its_policy_its_inputs_and_what_set_the_trigger() -> None:
    guess = first_guess(INPUTS)
    text = first_guess_text(guess, "T200/A2000/I1000", USD)
    assert text.startswith(
        "First guess from the formulas (not simulated; docs/model.md#recommendation): trigger "
        f"${guess.trigger}.00, amount $2,191.00, beside the simulated optimum T200/A2000/I1000. "
        "Amount: the economic order quantity $2,190.89 from $12,000.00 spent a year, $10.00 a "
        "recharge and 5.0 % cost of capital (5.5 recharges a year). Trigger: the balance that "
        "covers the spend while a recharge is processed, 1.0 h of business hours (6.5 h when the "
        "payment fails and waits for the admin, 2.0 % of attempts), so that the spend outruns it "
        "about once in 100 years, as the risk limit asks"
    )


def test_an_amount_moved_off_the_economic_order_quantity_says_which_way_and_why() -> None:
    capped = first_guess(replace(INPUTS, max_recharges_per_month=0.25))
    assert ", raised to keep within the cap on recharges a month (" in first_guess_text(
        capped, "X", USD
    )
    lasting = first_guess(replace(INPUTS, cost_of_capital_per_year=0.0001))
    assert ", lowered so that a lot is spent before it expires (" in first_guess_text(
        lasting, "X", USD
    )
    free = first_guess(replace(INPUTS, cost_of_capital_per_year=0.0))
    assert "Amount: with no cost of capital, what $12,000.00 spent a year uses within a lot's " \
        "life (" in first_guess_text(free, "X", USD)  # fmt: skip


def test_a_first_guess_under_the_portal_s_minimum_is_raised_to_it_and_says_so() -> None:
    guess = first_guess(replace(INPUTS, minimum_trigger=50.0, minimum_amount=50.0))
    assert (guess.trigger, guess.amount) == (50, 2191)
    assert guess.formula_trigger < 50 and guess.formula_amount == 2191
    text = first_guess_text(guess, "X", USD)
    assert text.endswith(
        f"The formula gives a trigger of ${guess.formula_trigger}.00; the admin portal's minimum "
        "is $50.00."
    )
    # 20 a year: a lot is spent in its 12 months only if it is at most 20 (less the trigger)
    tiny = replace(INPUTS, spend_per_year=20.0, spend_per_open_hour=0.01, minimum_amount=50.0)
    small = first_guess(tiny)
    assert small.formula_amount <= Decimal(20) and small.amount == Decimal(50)
    assert (
        f"The formula gives an amount of ${small.formula_amount}.00; the admin portal's minimum "
        "is $50.00."
    ) in first_guess_text(small, "X", USD)
