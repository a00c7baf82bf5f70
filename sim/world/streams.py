"""Generic ``[[streams]]``: expected calls per slot, the daily level, and the destinations.

Rules (docs/model.md#streams):

- Without ``hour_of_week`` a stream's ``calls_per_day`` falls in business
  hours on business days (the business-hours grid, ``sim.world.arrivals``).
  With it the stream uses the round-the-clock grid (``sim.world.hour_grid``):
  the expected calls of an hour are proportional to its weight, scaled so
  that a week's business days (``[calendar] business_days``) average
  ``calls_per_day``; other days get their own weights' share, and a
  holiday's hours ``holiday_factor`` of theirs (0 by default).
- ``monthly_growth`` g multiplies a slot's mean by (1+g)^k, k the whole
  calendar months since the scenario start (``arrivals.months_elapsed``).
- ``daily_dispersion`` c > 0 draws one gamma level of mean 1 and coefficient
  of variation c per local day (shape 1/c^2) and multiplies that day's means:
  a day's count is then negative binomial, variance = mean x (1 + mean x c^2).
- ``destinations`` split the calls by share: one batch per destination with
  the stream's mean x its share (splitting a Poisson count by independent
  draws gives independent Poisson counts, so this is the same as drawing a
  destination per call), priced from the rate table at (country,
  number_type, direction), the stream's ``connection_fee`` replacing the
  table's when given.

Random streams: the stream's own Generator draws the daily levels first
(only when c > 0), then either one batch (no destinations: exactly the draws
a stream without the new keys always made) or one spawned child per
destination, in file order.
"""

from __future__ import annotations

import numpy as np

from sim.world.arrivals import ArrivalGrid
from sim.world.hour_grid import HourGrid, hour_grid
from sim.world.rates import Rate
from sim.world.scenario import Calendar, Stream
from sim.world.sources import Batch, Catalog, grid_batch, stream_rate
from sim.world.stream_profile import per_business_weight, relative


def stream_grid(
    stream: Stream, calendar: Calendar, span: tuple[int, int], business: ArrivalGrid
) -> ArrivalGrid:
    """The grid a stream's calls arrive on: round the clock with a profile, else business hours."""
    if stream.hour_of_week is None:
        return business
    return hour_grid(calendar, *span)


def expected_calls(stream: Stream, calendar: Calendar, grid: ArrivalGrid) -> np.ndarray:
    """The stream's mean calls per slot of ``grid`` (``stream_grid``), growth included."""
    if stream.hour_of_week is None:
        mean = grid.expected(stream.calls_per_day)
    else:
        assert isinstance(grid, HourGrid)  # stream_grid gives one to every profiled stream
        weights = relative(stream.hour_of_week)
        per_weight = stream.calls_per_day * per_business_weight(weights, calendar)
        factor = np.where(grid.holiday, stream.holiday_weight, 1.0)
        mean = per_weight * weights[grid.hour_of_week] * factor * grid.share * grid.month_factor
    if stream.monthly_growth != 0:
        mean = mean * (1.0 + stream.monthly_growth) ** grid.months_elapsed
    return mean


def stream_batches(
    stream: Stream,
    calendar: Calendar,
    grid: ArrivalGrid,
    catalog: Catalog,
    rng: np.random.Generator,
) -> list[Batch]:
    """The stream's calls as grid batches: one, or one per destination (see the module rules)."""
    mean = expected_calls(stream, calendar, grid)
    if stream.daily_dispersion > 0 and len(grid.day):
        mean = mean * daily_levels(stream.daily_dispersion, int(grid.day[-1]) + 1, rng)[grid.day]
    service = catalog.service(stream.service)
    if stream.destinations is None:
        tariff = catalog.tariff(stream_rate(stream, catalog.rates))
        return [_batch(stream, grid, mean, service, tariff, rng)]
    shares = stream.destination_shares()
    children = rng.spawn(len(shares))
    batches = []
    for (place, share), child in zip(shares, children, strict=True):
        rate = catalog.rates.lookup(place.country, place.number_type, stream.direction)
        if stream.connection_fee is not None:
            rate = Rate(rate.rate_per_min, stream.connection_fee)
        batches.append(_batch(stream, grid, mean * share, service, catalog.tariff(rate), child))
    return batches


def _batch(
    stream: Stream,
    grid: ArrivalGrid,
    mean: np.ndarray,
    service: int,
    tariff: int,
    rng: np.random.Generator,
) -> Batch:
    return grid_batch(
        grid, mean, stream.duration_min, service, tariff, rng, blockable=stream.credit_billed
    )


def daily_levels(dispersion: float, days: int, rng: np.random.Generator) -> np.ndarray:
    """``days`` gamma draws of mean 1 and coefficient of variation ``dispersion``."""
    variance = dispersion * dispersion
    return rng.gamma(shape=1.0 / variance, scale=variance, size=days)
