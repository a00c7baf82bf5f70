"""Who holds a Calling Plan, as shares of the users, and the holder counts a scenario may give.

Why apart from ``sim.world.plans``: ``sim.world.bounds`` checks the holder counts
of every scenario that ``credsim validate`` loads, and these checks are plain
arithmetic on three numbers; ``sim.world.plans`` lays the holders out over the
horizon's months with numpy, which ``validate`` does not otherwise need
(docs/performance.md#start-up). The shares here are the ones ``sim.world.plans``
grows, so the counts a check approves are the counts the model uses.
"""

from __future__ import annotations

from collections.abc import Iterator

from sim.world.scenario import Plans, Scenario, Users

WHOLE_SLACK = 1e-9
"""Added before rounding holders down, so 50.0 computed as 49.999999999 counts 50."""
HOLDER_KEYS = {
    "domestic": ("domestic_plan_users", "growth_domestic_plan_share"),
    "international": ("international_plan_users", "growth_international_plan_share"),
}
"""A plan with minutes per holder -> its ``[plans]`` keys: holders at the start, growth share."""


def starting_share(plans: Plans, users: Users, plan: str) -> float:
    """Holders of ``plan`` (``domestic``, ``international``) among the starting users (0 without
    users)."""
    holders_key, _ = HOLDER_KEYS[plan]
    return getattr(plans, holders_key) / users.count if users.count else 0.0


def growth_share(plans: Plans, users: Users, plan: str) -> float:
    """The share of users added by growth who hold ``plan``."""
    _, share_key = HOLDER_KEYS[plan]
    given = getattr(plans, share_key)
    return starting_share(plans, users, plan) if given is None else float(given)


def holder_problems(scenario: Scenario) -> Iterator[str]:
    """Holder counts that cannot be: more holders than users, international beyond domestic."""
    plans, count = scenario.plans, scenario.users.count
    if plans.domestic_plan_users > count:
        yield (
            f"plans.domestic_plan_users: {plans.domestic_plan_users:,} holders is more than "
            f"users.count ({count:,}); a plan covers only the users who hold it"
        )
    if plans.international_plan_users > plans.domestic_plan_users:
        yield (
            f"plans.international_plan_users: {plans.international_plan_users:,} is more than "
            f"plans.domestic_plan_users ({plans.domestic_plan_users:,}); the Domestic and "
            "International plan includes the domestic minutes, so count its holders in both"
        )
    given = (plans.growth_domestic_plan_share, plans.growth_international_plan_share)
    domestic, international = (
        growth_share(plans, scenario.users, plan) for plan in ("domestic", "international")
    )
    if given != (None, None) and international > domestic + WHOLE_SLACK:
        yield (
            f"plans.growth_international_plan_share: {international:g} is more than the growth "
            f"domestic share ({domestic:g}); international plan holders also hold the domestic "
            "minutes"
        )
