"""``[payments]`` delays as distributions: the syntax, its messages, its wording, its model."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from sim.account.payment_draws import PaymentDraws
from sim.account.payments import RandomDelay
from sim.errors import InputError
from sim.study.experiment import build_payments
from sim.world.assumptions import assumption_lines
from sim.world.load import load_scenario_bytes, parse_scenario
from tests.paths import SCENARIOS
from tests.world.test_assumptions import NO_PAYMENTS

SOURCE = Path("delays.toml")


def with_payments(*lines: str) -> str:
    return NO_PAYMENTS + "\n[payments]\n" + "\n".join(lines) + "\n"


DRAWN = with_payments(
    'processing_delay_h = { dist = "exponential", mean = 2 }',
    'admin_fix_delay_h = { dist = "lognormal", mean = 4, sd = 3 }',
)


def test_the_assumptions_list_a_distribution_in_one_wording() -> None:
    lines = assumption_lines(parse_scenario(DRAWN, SOURCE))
    assert any(
        line.startswith("payments.processing_delay_h = exponential, mean 2 h: ") for line in lines
    )
    assert any(
        line.startswith("payments.admin_fix_delay_h = lognormal, mean 4 h, sd 3 h: ")
        for line in lines
    )
    fixed = assumption_lines(
        parse_scenario(
            with_payments('processing_delay_h = { dist = "fixed", value = 1.5 }'), SOURCE
        )
    )
    assert any(line.startswith("payments.processing_delay_h = fixed, 1.5 h: ") for line in fixed)


def test_a_drawn_delay_becomes_a_random_delay_with_that_label_and_its_mean() -> None:
    payments = build_payments(parse_scenario(DRAWN, SOURCE))
    assert isinstance(payments.processing_delay, RandomDelay)
    assert payments.processing_delay.label == "exponential, mean 2 h"
    assert isinstance(payments.admin_fix_delay, RandomDelay)
    rng = np.random.default_rng(0)
    hours = payments.admin_fix_delay.sample_us(rng, 20_000) / 3_600_000_000
    assert hours.mean() == pytest.approx(4, rel=0.05)
    assert hours.std() == pytest.approx(3, rel=0.1)


def test_a_fixed_table_is_the_number_and_draws_nothing() -> None:
    table = build_payments(
        parse_scenario(
            with_payments('processing_delay_h = { dist = "fixed", value = 1.5 }'), SOURCE
        )
    )
    number = build_payments(parse_scenario(with_payments("processing_delay_h = 1.5"), SOURCE))
    assert table == number
    assert table.processing_delay == timedelta(hours=1.5)
    draws = PaymentDraws(np.random.SeedSequence(1), table)
    assert len(draws.processing_us) == len(draws.fix_us) == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'processing_delay_h = { dist = "gamma", mean = 2, sd = 1 }',
            "payments.processing_delay_h.dist: unknown value 'gamma'; expected one of: fixed, "
            "exponential, lognormal",
        ),
        (
            'admin_fix_delay_h = { dist = "exponential", mean = 0 }',
            "payments.admin_fix_delay_h.mean: must be > 0 (got 0)",
        ),
        (
            'admin_fix_delay_h = { dist = "lognormal", mean = 4 }',
            "missing required key 'payments.admin_fix_delay_h.sd'",
        ),
        (
            "processing_delay_h = { mean = 2 }",
            "missing required key 'payments.processing_delay_h.dist'",
        ),
        (
            'processing_delay_h = { dist = "exponential", mean = 2, sd = 1 }',
            "payments.processing_delay_h: unknown key 'sd'",
        ),
        ("processing_delay_h = -1", "payments.processing_delay_h: must be >= 0 (got -1)"),
        (
            'admin_fix_delay_h = { dist = "lognormal", mean = 4, sd = 1e9 }',
            "payments.admin_fix_delay_h.sd: 1,000,000,000 is more than the limit of 8,784 "
            "(DELAY_MAX_H in sim/limits.py)",
        ),
    ],
)
def test_a_bad_delay_is_refused_in_one_line_naming_its_key(line: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_scenario_bytes(with_payments(line).encode(), source=SOURCE, folder=SCENARIOS)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value).split("  also:")[0]
