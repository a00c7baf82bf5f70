"""The model's clock: instants as integer microseconds since 1970-01-01 UTC.

Why integers: events that happen "at one instant" must compare equal, exactly,
so the tie-order rules apply; floats of hours would make two routes to the same
instant differ in the last bit. Microseconds hold every timestamp a Teams
export or ``datetime`` can carry, and ints are what SimPy and numpy use fastest.

Calendar arithmetic (12 calendar months, the 1st of each month) is delegated
to ``dateutil``; it is done in UTC, the zone in which Microsoft stamps usage.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from sim.limits import DATE_MAX, DATE_MIN

Instant = int
"""Microseconds since 1970-01-01T00:00:00Z."""

MICROS_PER_SECOND = 1_000_000
MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND
MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE
MICROS_PER_DAY = 24 * MICROS_PER_HOUR
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICRO = timedelta(microseconds=1)


def to_instant(moment: datetime) -> Instant:
    """An aware datetime as an Instant; naive datetimes are refused, not guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime(={moment.isoformat()}) has no UTC offset")
    return (moment - _EPOCH) // _ONE_MICRO


SUPPORTED_FROM = to_instant(datetime.combine(DATE_MIN, time(), UTC))
"""The first supported instant: 00:00 UTC of ``sim.limits.DATE_MIN``."""
SUPPORTED_UNTIL = to_instant(datetime.combine(DATE_MAX, time(), UTC)) + MICROS_PER_DAY
"""The instant just after the supported dates: 00:00 UTC the day after ``DATE_MAX``."""
SUPPORTED_DATES = f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}"
"""The supported dates for messages (``DATE_MIN``, ``DATE_MAX`` in sim/limits.py)."""


def supported(instant: Instant) -> bool:
    """Whether ``instant`` falls on a supported date (integer compare: no datetime overflow).

    Why: a call or a run end in year 9999 makes a lot that expires in year
    10000, which ``datetime`` cannot hold; the check is made on the integer so
    that even an instant beyond ``datetime.max`` is refused, not crashed on.
    """
    return SUPPORTED_FROM <= instant < SUPPORTED_UNTIL


def to_datetime(instant: Instant) -> datetime:
    """The UTC datetime of an Instant."""
    return _EPOCH + timedelta(microseconds=instant)


def to_iso(instant: Instant) -> str:
    """ISO 8601 in UTC with a ``Z``; microseconds only when there are any."""
    return to_datetime(instant).isoformat().replace("+00:00", "Z")


def micros(span: timedelta) -> int:
    """A timedelta as whole microseconds (exact: timedelta has that resolution)."""
    return span // _ONE_MICRO


def span(count: Decimal, unit_micros: int) -> timedelta:
    """``count`` units (e.g. 1.5 hours) as an exact timedelta, to the microsecond."""
    return timedelta(microseconds=int(count * unit_micros))


def hours(span_micros: int) -> float:
    """A span in microseconds as hours, for display and statistics only."""
    return span_micros / MICROS_PER_HOUR


def parse_instant(text: str, *, naive_is_utc: bool) -> Instant:
    """Parse an ISO 8601 timestamp.

    ``naive_is_utc`` says what a timestamp without an offset means: the
    canonical stream format requires an offset (False: refuse), while the
    Skype report's "Start Time (UTC)" column and the CLI's dates are UTC by
    definition (True).
    """
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise ValueError(f"timestamp {text!r} has no UTC offset (add Z or +hh:mm)")
        moment = moment.replace(tzinfo=UTC)
    return to_instant(moment)


def add_months(instant: Instant, months: int) -> Instant:
    """The same UTC wall-clock time ``months`` calendar months later.

    A day that does not exist in the target month falls back to the month's
    last day: 2024-02-29 + 12 months is 2025-02-28 (dateutil's rule).
    """
    return to_instant(to_datetime(instant) + relativedelta(months=months))
