"""Big meetings' dial-ins: a burst at every occurrence of a recurrence rule, or on random
big days (``sim.world.big_days``).

Why apart from ``sim.world.sources``: the rule is read on the calendar's wall clock
(``dateutil``'s rrule, searched with a bound and cached per process), which the other
sources never need; the dial-ins themselves are drawn like a meeting's
(``sim.world.sources.dial_in_calls``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from dateutil.rrule import rrule, rrulestr

from sim.account.clock import to_datetime, to_instant
from sim.world.big_days import random_big_days
from sim.world.bounds import occurrences_until
from sim.world.scenario import BigMeeting, Calendar
from sim.world.sources import Catalog, Draft, dial_in_calls, seconds


def big_meeting_calls(
    meeting: BigMeeting,
    calendar: Calendar,
    horizon_us: tuple[int, int],
    catalog: Catalog,
    rng: np.random.Generator,
) -> Draft:
    """A big meeting's dial-ins: a burst at every occurrence of its rule, or on random big days.

    Random big days (``per_month``, ``sim.world.big_days``) are drawn from a third
    child of ``rng``; a scheduled meeting spawns two, as it always did.
    """
    if meeting.per_month is not None:
        length, ins, days = rng.spawn(3)
        start_us = random_big_days(meeting, calendar, horizon_us, days)
    else:
        length, ins = rng.spawn(2)
        start_us = occurrences(meeting, calendar.timezone, horizon_us)
    length_s = seconds(meeting.duration_min, len(start_us), length)
    return dial_in_calls(meeting, start_us, length_s, catalog, ins)


def occurrences(meeting: BigMeeting, timezone: str, horizon_us: tuple[int, int]) -> np.ndarray:
    """Instants of the rule's occurrences at local ``meeting.time``, within the horizon.

    The rule runs on local wall-clock time from dtstart = the scenario start's
    local date at ``meeting.time`` (a BYHOUR/BYMINUTE in the rule wins over it).
    """
    assert meeting.recurrence is not None  # the schema: a recurrence or per_month
    zone = ZoneInfo(timezone)
    start_us, end_us = horizon_us
    first = to_datetime(start_us).astimezone(zone)
    last = to_datetime(end_us).astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    dtstart = datetime.combine(first.date(), _naive(meeting.time))
    local = _local_occurrences(meeting.recurrence, dtstart, last)
    instants = [to_instant(moment.replace(tzinfo=zone)) for moment in local]
    return np.asarray([t for t in instants if start_us <= t < end_us], dtype=np.int64)


@lru_cache(maxsize=64)
def _local_occurrences(recurrence: str, dtstart: datetime, last: datetime) -> tuple[datetime, ...]:
    """The rule's wall-clock occurrences from ``dtstart`` to ``last``, computed once per process.

    Cached because every replication asks again, and a rule that matches few
    days can take a second to search (``sim.world.bounds.occurrences_until``).
    """
    rule = rrulestr(recurrence, dtstart=dtstart)
    if isinstance(rule, rrule):  # always, for a checked scenario (sim.world.bounds)
        return tuple(occurrences_until(rule, last))
    return tuple(rule.between(dtstart, last, inc=True))


def _naive(moment: time) -> time:
    """A time of day without its zone: the rule runs on the calendar's wall clock."""
    return moment.replace(tzinfo=None)
