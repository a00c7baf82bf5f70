"""What a generated call stream amounts to, month by month (``credsim demand``).

Why: before sweeping policies a planner should check that the scenario file
says what they meant: how many calls, minutes and how much money per service
each calendar month, and how much of each pooled allotment is used. Months are
calendar months of the call's start in the scenario's ``[calendar]`` zone, the
same months the pools reset in. Money stays in integer minor units here;
``to_dict`` gives JSON numbers in major units, ``to_text`` a table for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.account.clock import MICROS_PER_MINUTE
from sim.account.format import money_minor
from sim.account.money import Currency, currency, to_number
from sim.account.stream import CallStream
from sim.world.arrivals import horizon, month_bounds
from sim.world.plans import allotments_s
from sim.world.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS_PER_DAY = 24


@dataclass(frozen=True)
class DemandSummary:
    """Per month x service: calls, minutes, charge; per month x pool: minutes used.

    ``minutes`` are call durations; ``charge_minor`` is what the calls cost in
    credits (before any blocking). ``pool_allotment_min`` is each pool's
    size per month (month x pool: plan pools follow their holders);
    ``pool_used_min`` what calls took from it; ``pool_overflow_min`` the
    minutes of pool-eligible calls billed to credits beyond it. Only pools
    with an allotment or eligible calls are listed.
    """

    currency: Currency
    months: tuple[str, ...]
    services: tuple[str, ...]
    pools: tuple[str, ...]
    calls: np.ndarray
    minutes: np.ndarray
    charge_minor: np.ndarray
    pool_allotment_min: np.ndarray
    pool_used_min: np.ndarray
    pool_overflow_min: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: one entry per month, then totals over the horizon."""
        return {
            "currency": self.currency.code,
            "months": [self._month_dict(row) for row in range(len(self.months))],
            "totals": {
                name: self._service_dict(
                    int(self.calls[:, col].sum()),
                    float(self.minutes[:, col].sum()),
                    int(self.charge_minor[:, col].sum()),
                )
                for col, name in enumerate(self.services)
            },
        }

    def _month_dict(self, row: int) -> dict[str, Any]:
        services = {
            name: self._service_dict(
                int(self.calls[row, col]),
                float(self.minutes[row, col]),
                int(self.charge_minor[row, col]),
            )
            for col, name in enumerate(self.services)
        }
        pools = {
            name: {
                "allotment_min": float(self.pool_allotment_min[row, col]),
                "used_min": float(self.pool_used_min[row, col]),
                "overflow_min": float(self.pool_overflow_min[row, col]),
            }
            for col, name in enumerate(self.pools)
        }
        return {"month": self.months[row], "services": services, "pools": pools}

    def _service_dict(self, calls: int, minutes: float, charge_minor: int) -> dict[str, Any]:
        return {
            "calls": calls,
            "minutes": round(minutes, 1),
            "charge": to_number(charge_minor, self.currency),
        }

    def to_text(self) -> str:
        """A table a planner can read: services by month, then pool use by month."""
        money = {
            (row, col): money_minor(int(self.charge_minor[row, col]), self.currency)
            for row in range(len(self.months))
            for col in range(len(self.services))
        }
        lines = [f"{'Month':<8} {'Service':<20} {'Calls':>10} {'Minutes':>13} {'Charge':>14}"]
        for row, month in enumerate(self.months):
            lines.extend(
                f"{month:<8} {name:<20} {int(self.calls[row, col]):>10,} "
                f"{self.minutes[row, col]:>13,.1f} {money[row, col]:>14}"
                for col, name in enumerate(self.services)
            )
        lines.append(self._totals_line())
        if self.pools:
            lines += [
                "",
                f"{'Month':<8} {'Pool':<20} {'Allotment':>13} {'Used':>13} {'Overflow':>13}",
            ]
            lines.extend(self._pool_lines())
        return "\n".join(lines)

    def _totals_line(self) -> str:
        charge = money_minor(int(self.charge_minor.sum()), self.currency)
        return (
            f"{'Total':<8} {'all services':<20} {int(self.calls.sum()):>10,} "
            f"{self.minutes.sum():>13,.1f} {charge:>14}"
        )

    def _pool_lines(self) -> list[str]:
        return [
            f"{month:<8} {name:<20} {self.pool_allotment_min[row, col]:>13,.1f} "
            f"{self.pool_used_min[row, col]:>13,.1f} {self.pool_overflow_min[row, col]:>13,.1f}"
            for row, month in enumerate(self.months)
            for col, name in enumerate(self.pools)
        ]


def summarize(stream: CallStream, scenario: Scenario) -> DemandSummary:
    """Tally a stream by calendar month (scenario zone), service and pool."""
    bounds = month_bounds(scenario.calendar.timezone, *horizon(scenario.scenario))
    month = bounds.index(stream.start_us)
    shape = (len(bounds.labels), len(stream.services))
    cell = month * len(stream.services) + stream.service
    minutes = (stream.end_us - stream.start_us) / MICROS_PER_MINUTE
    allotment_min = allotments_s(scenario).T / 60.0  # month x pool
    shown = [
        p for p in range(len(stream.pools)) if allotment_min[:, p].any() or np.any(stream.pool == p)
    ]
    used, over = _pool_tables(stream, month, len(bounds.labels), shown)
    return DemandSummary(
        currency=currency(scenario.scenario.currency),
        months=bounds.labels,
        services=stream.services,
        pools=tuple(stream.pools[p] for p in shown),
        calls=_tally(cell, np.ones(len(cell), dtype=np.int64), shape),
        minutes=_tally(cell, minutes, shape),
        charge_minor=_tally(cell, stream.charge_minor.astype(np.int64), shape),
        pool_allotment_min=allotment_min[:, shown],
        pool_used_min=used,
        pool_overflow_min=over,
    )


def _tally(cell: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Sum ``values`` into a (months x columns) table; integers stay exact."""
    table = np.zeros(shape[0] * shape[1], dtype=values.dtype)
    np.add.at(table, cell, values)
    return table.reshape(shape)


def _pool_tables(
    stream: CallStream, month: np.ndarray, months: int, shown: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(used, overflow) minutes per month x shown pool."""
    eligible = np.flatnonzero(stream.pool >= 0)
    column = np.full(len(stream.pools), -1)
    column[shown] = np.arange(len(shown))
    cell = month[eligible] * len(shown) + column[stream.pool[eligible]]
    shape = (months, len(shown))
    return (
        _tally(cell, stream.pool_min[eligible], shape),
        _tally(cell, stream.billed_min[eligible], shape),
    )


def hour_weekday_counts(
    stream: CallStream, timezone: str, *, charged_only: bool = False
) -> pd.DataFrame:
    """Calls by weekday (rows ``Mon``..``Sun``) x local hour of their start (columns 0..23).

    Why: the calendar, hour-of-day weights and big meetings of a scenario are
    easiest to check as a picture of when calls start, in the scenario's own
    zone (``[calendar].timezone``, daylight saving included). ``charged_only``
    keeps the calls that cost credits (``~free_mask``), which are what draw
    the balance down; reading every call builds a generated stream's free
    calls (``sim.world.demand_stream``). pandas is imported here, not with the
    module: the dashboard's bank workers import the generator (this module with
    it) and each held pandas' 60 MB for nothing (docs/performance-history.md).
    """
    import pandas as pd  # noqa: PLC0415  (module docstring of the why: the workers)

    starts = stream.charged().start_us if charged_only else stream.start_us
    local = pd.DatetimeIndex(pd.to_datetime(starts, unit="us", utc=True)).tz_convert(timezone)
    cell = local.day_of_week.to_numpy() * HOURS_PER_DAY + local.hour.to_numpy()
    counts = np.bincount(cell, minlength=len(WEEKDAY_NAMES) * HOURS_PER_DAY)
    table = pd.DataFrame(
        counts.reshape(len(WEEKDAY_NAMES), HOURS_PER_DAY),
        index=pd.Index(WEEKDAY_NAMES, name="weekday"),
        columns=pd.Index(range(HOURS_PER_DAY), name="hour"),
    )
    return table
