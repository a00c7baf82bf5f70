"""Users' own outbound calls, split into plan holders' calls and everyone else's.

Rules (docs/model.md#plan-holders):

- A user call is ``international`` (to one of ``international_destinations``)
  with probability ``international_share``, otherwise ``domestic_outbound`` (to
  ``domestic_country``, by number type).
- The plan a call needs is the Domestic Calling Plan when the destination is
  covered by the domestic plan of ``domestic_country``
  (``sim.world.plans.DOMESTIC_COVERAGE``: US-Canada calls are domestic), else
  the Domestic and International plan.
- The call is a holder's with probability holders / users at its slot's month
  of growth (``sim.world.plans.holder_share``). A holder's call draws on its
  plan's pool; anyone else's draws on none and is billed at the destination
  rate (the same tariff).

Poisson thinning does both splits at once: a Poisson count of calls per slot,
each independently of a kind with probability p, is the same as independent
Poisson counts with means p x the slot's mean, one per kind. The kinds are
(international destination, file order), then (domestic number type, file
order); each kind is split into a holders' batch and an others' batch, in that
order. Each kind gets one child of the users' generator; a kind split in two
spawns two grandchildren from it. A kind whose calls are all holders' (or all
others') is one batch drawn from the kind's child itself, so a scenario where
everyone holds the plans draws exactly the calls it drew before holders were
modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world.arrivals import ArrivalGrid
from sim.world.plans import holder_share, plan_pool
from sim.world.rating import DOMESTIC_POOL, NO_POOL
from sim.world.scenario import Plans, UserCalling, Users
from sim.world.sources import Batch, Catalog, destination_tariffs, grid_batch, normalised


@dataclass(frozen=True)
class _Kind:
    """Calls to one destination: probability among user calls, service, tariff, plan pool."""

    probability: float
    service: int
    tariff: int
    pool: int


def user_calls(
    calling: UserCalling,
    users: Users,
    plans: Plans,
    grid: ArrivalGrid,
    catalog: Catalog,
    rng: np.random.Generator,
) -> list[Batch]:
    """Users' outbound calls as batches (see the module docstring for the order).

    A kind with no share has no batch (and needs no rate).
    """
    kinds = _kinds(calling, catalog)
    mean = grid.expected(calling.per_user_per_day, users)
    shares = {
        pool: holder_share(plans, users, pool, grid.months_elapsed)
        for pool in {kind.pool for kind in kinds}
    }
    batches: list[Batch] = []
    increment = catalog.increment_s
    for kind, child in zip(kinds, rng.spawn(len(kinds)), strict=True):
        batches += _holders_and_others(
            grid, mean * kind.probability, calling, kind, shares[kind.pool], increment, child
        )
    return batches


def _kinds(calling: UserCalling, catalog: Catalog) -> list[_Kind]:
    """International destinations, then domestic number types, each with its plan's pool."""
    international, domestic = catalog.service("international"), catalog.service("domestic_outbound")
    share = calling.international_share
    home = calling.domestic_country
    kinds: list[_Kind] = []
    if share > 0:
        destinations = calling.international_destinations
        tariffs = destination_tariffs(destinations, catalog).tolist()
        probabilities = normalised([d.share for d in destinations]).tolist()
        kinds += [
            _Kind(share * p, international, tariff, plan_pool(home, d.country))
            for p, tariff, d in zip(probabilities, tariffs, destinations, strict=True)
        ]
    if share < 1:
        types = calling.domestic_number_types
        probabilities = normalised(list(types.values())).tolist()
        kinds += [
            _Kind((1 - share) * p, domestic, catalog.lookup(home, t, "outbound"), DOMESTIC_POOL)
            for p, t in zip(probabilities, types, strict=True)
        ]
    return kinds


def _holders_and_others(
    grid: ArrivalGrid,
    mean: np.ndarray,
    calling: UserCalling,
    kind: _Kind,
    share: np.ndarray,
    increment_s: int | None,
    rng: np.random.Generator,
) -> list[Batch]:
    """The kind's holders' calls (its pool) and the others' (no pool), by thinning."""

    def batch(expected: np.ndarray, pool: int, child: np.random.Generator) -> Batch:
        return grid_batch(
            grid, expected, calling.duration_min, kind.service, kind.tariff, child,
            pool=pool, increment_s=increment_s,
        )  # fmt: skip

    if np.all(share >= 1.0):
        return [batch(mean, kind.pool, rng)]
    if np.all(share <= 0.0):
        return [batch(mean, NO_POOL, rng)]
    held, other = rng.spawn(2)
    return [batch(mean * share, kind.pool, held), batch(mean * (1.0 - share), NO_POOL, other)]
