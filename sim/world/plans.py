"""Calling Plans per holder: who holds which plan, and what a Domestic Calling Plan covers.

Why: a Calling Plan's minutes are pooled among the users who HOLD that plan
(Microsoft's Calling Plan documentation, ``Teams/calling-plans-for-office-365.md``
and Microsoft Learn's Teams calling training: users in the same country/region
with the same calling plan pool their minutes; facts checked by issue 12's
domain review). A user
without the Domestic and International plan who calls abroad is billed to
credits at the destination rate; a user without any Calling Plan is billed for
every PSTN minute (docs/model.md#plan-holders). So each user call is drawn as a
holder's call or not (``sim.world.user_calls``), and a pool's size follows its
holders month by month.

Holders (the scenario's ``[plans]``):

- ``domestic_plan_users`` hold a plan with domestic minutes: the Domestic
  Calling Plan, or the Domestic and International Calling Plan, whose holders
  also get the domestic allotment. ``international_plan_users`` are those of
  them with the Domestic and International plan, so they are at most
  ``domestic_plan_users``, which is at most ``users.count``.
- Users added by growth hold each plan at ``growth_domestic_plan_share`` /
  ``growth_international_plan_share`` (default: the starting share,
  holders / ``users.count``). When head count shrinks, holders shrink in
  proportion (leavers are a cross-section of users).
- A call at ``k`` whole months of growth is a holder's with probability
  holders(k) / users(k). A calendar month's pool is the WHOLE holders (rounded
  down) at the month's first instant (the horizon start for the first month)
  x the plan's minutes per user. Audio Conferencing licences do not grow.

Domestic coverage (``DOMESTIC_COVERAGE``) is a table, not a rule in code: a
destination in the set of the plan's country is a domestic call for that
plan's holders (it draws on the domestic pool and is not international).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from sim.world import plan_holders
from sim.world.arrivals import horizon, month_bounds, months_elapsed, users_at
from sim.world.plan_holders import WHOLE_SLACK
from sim.world.rating import DOMESTIC_POOL, INTERNATIONAL_POOL, POOLS
from sim.world.scenario import Plans, Scenario, Users

_NORTH_AMERICA = frozenset({"US", "PR", "CA"})
DOMESTIC_COVERAGE: Mapping[str, frozenset[str]] = MappingProxyType(
    {"US": _NORTH_AMERICA, "PR": _NORTH_AMERICA, "CA": _NORTH_AMERICA}
)
"""Destinations a Domestic Calling Plan of a country covers, where it is more than itself.

Calls between the United States (with Puerto Rico) and Canada are domestic for
US and Canadian Domestic Calling Plans (Microsoft's Calling Plan documentation,
as checked by issue 12's domain review; docs/model.md#plan-holders). Every
country not listed covers itself only.
"""


def covered_destinations(plan_country: str) -> frozenset[str]:
    """The destination countries a Domestic Calling Plan of ``plan_country`` covers."""
    return DOMESTIC_COVERAGE.get(plan_country, frozenset({plan_country}))


def plan_pool(plan_country: str, destination: str) -> int:
    """The pool a holder's call to ``destination`` draws on: domestic or international."""
    return (
        DOMESTIC_POOL if destination in covered_destinations(plan_country) else INTERNATIONAL_POOL
    )


def starting_share(plans: Plans, users: Users, pool: int) -> float:
    """Holders of the pool's plan among the starting users (0 without users)."""
    return plan_holders.starting_share(plans, users, POOLS[pool])


def growth_share(plans: Plans, users: Users, pool: int) -> float:
    """The share of users added by growth who hold the pool's plan."""
    return plan_holders.growth_share(plans, users, POOLS[pool])


def holder_share(plans: Plans, users: Users, pool: int, elapsed: np.ndarray) -> np.ndarray:
    """P(a user call is a holder's) after ``elapsed`` whole months: holders(k) / users(k).

    Written as g + (h0 - g) x users(0) / users(k) for growth, so that equal
    shares give exactly that share (1.0 stays 1.0).
    """
    start, added = starting_share(plans, users, pool), growth_share(plans, users, pool)
    if not users.count:
        return np.zeros(len(elapsed))
    ratio = users.count / users_at(users, elapsed)
    share = np.where(ratio <= 1.0, added + (start - added) * ratio, start)
    return np.clip(share, 0.0, 1.0)


def holders(plans: Plans, users: Users, pool: int, elapsed: np.ndarray) -> np.ndarray:
    """Holders of the pool's plan after ``elapsed`` whole months (an expected, real count)."""
    holders_key, _ = plan_holders.HOLDER_KEYS[POOLS[pool]]
    start, added = getattr(plans, holders_key), growth_share(plans, users, pool)
    head = users_at(users, elapsed)
    grown = start + added * (head - users.count)
    shrunk = start * head / users.count if users.count else np.zeros(len(elapsed))
    return np.where(head >= users.count, grown, shrunk)


def allotments_s(scenario: Scenario) -> np.ndarray:
    """Pool sizes in seconds per calendar month: shape (3 pools in ``POOLS`` order, months)."""
    start_us, end_us = horizon(scenario.scenario)
    bounds = month_bounds(scenario.calendar.timezone, start_us, end_us)
    elapsed = months_elapsed(start_us, np.maximum(bounds.starts_us, start_us))
    plans, users = scenario.plans, scenario.users
    minutes = np.zeros((3, len(elapsed)))
    minutes[0] = plans.audio_conferencing_licences * plans.dial_out_min_per_licence
    for pool, per_user in (
        (DOMESTIC_POOL, plans.domestic_min_per_user),
        (INTERNATIONAL_POOL, plans.international_min_per_user),
    ):
        whole = np.floor(holders(plans, users, pool, elapsed) + WHOLE_SLACK)
        minutes[pool] = whole * per_user
    return np.rint(minutes * 60).astype(np.int64)
