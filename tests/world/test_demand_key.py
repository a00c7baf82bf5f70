"""The demand's key (``sim.world.demand_key``): only what ``generate`` reads enters it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np

from sim.world.demand import generate
from sim.world.demand_key import DEMAND_SECTIONS, demand_hash
from sim.world.load import LoadedScenario
from sim.world.scenario import Scenario


def changed(scenario: Scenario, section: str, **values: object) -> Scenario:
    """``scenario`` with ``values`` set in ``section``, validated again."""
    data = scenario.model_dump()
    data[section] = data[section] | values
    return Scenario.model_validate(data)


def test_payments_policy_and_objective_edits_keep_the_key(tiny: LoadedScenario) -> None:
    scenario, file_hash = tiny.scenario, tiny.content_hash
    key = demand_hash(file_hash, scenario)
    others = [
        changed(scenario, "payments", processing_delay_h=36.0, failure_probability=0.2,
                card_expires=datetime(2027, 2, 1, tzinfo=UTC)),
        changed(scenario, "policy", trigger=Decimal(7), amount=Decimal(9)),
        changed(scenario, "objective", cost_per_recharge=Decimal(40)),
    ]  # fmt: skip
    assert [demand_hash(file_hash, other) for other in others] == [key] * len(others)


def test_a_demand_edit_or_another_file_changes_the_key(tiny: LoadedScenario) -> None:
    scenario, file_hash = tiny.scenario, tiny.content_hash
    key = demand_hash(file_hash, scenario)
    more_users = changed(scenario, "users", count=scenario.users.count + 1)
    assert demand_hash(file_hash, more_users) != key
    assert demand_hash("another file", scenario) != key


def test_the_demand_does_not_read_the_sections_left_out(tiny: LoadedScenario) -> None:
    """Why the key may leave them out: other payments give byte-identical demand."""
    assert "payments" not in DEMAND_SECTIONS and "policy" not in DEMAND_SECTIONS
    other = changed(tiny.scenario, "payments", processing_delay_h=36.0, failure_probability=0.2)
    one, two = (
        generate(scenario, tiny.rates, np.random.default_rng(11)).charged()
        for scenario in (tiny.scenario, other)
    )
    assert all(np.array_equal(getattr(one, name), getattr(two, name)) for name in
               ("start_us", "end_us", "service", "charge_minor", "credit_billed"))  # fmt: skip
