"""``[opening]`` and ``--lots``: the tenant's account as it stands at the scenario's start.

Why apart from ``sim.world.scenario``: the section, its checks against the
start and the currency, the lots CSV and the conversion to the model's
``sim.account.opening.Opening`` belong together; the scenario only names the
section. A date is local midnight in ``[calendar] timezone`` (the tenant's
day); a datetime needs its UTC offset, like ``[scenario] start``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field, field_validator

from sim import limits
from sim.account.clock import Instant, to_datetime, to_instant, to_iso
from sim.account.format import money_minor
from sim.account.money import Currency, major_to_minor, to_decimal
from sim.account.opening import Opening, expiry_of
from sim.errors import InputError, decode_utf8
from sim.world.files import read_regular
from sim.world.scenario_types import Section, not_bool

PositiveMoney = Annotated[Decimal, BeforeValidator(not_bool), Field(gt=0, allow_inf_nan=False)]
LOTS_HEADER = ("purchased", "remaining")
_LOTS_KNOB = "LOTS_CSV_MAX_BYTES in sim/limits.py"


def _aware(value: date | datetime) -> date | datetime:
    """A datetime without its offset is refused, as ``[scenario] start`` is."""
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("a datetime needs a UTC offset, e.g. 2026-11-20T14:05:00Z (or a date)")
    return value


class HeldLot(Section):
    """One lot held at the start: when it was bought and what is left of it."""

    purchased: date | datetime
    remaining: PositiveMoney

    @field_validator("purchased")
    @classmethod
    def _purchased_aware(cls, value: date | datetime) -> date | datetime:
        return _aware(value)


class PendingRecharge(Section):
    """A recharge requested before the start, credited at ``at`` (already paid for)."""

    at: date | datetime
    amount: PositiveMoney

    @field_validator("at")
    @classmethod
    def _at_aware(cls, value: date | datetime) -> date | datetime:
        return _aware(value)


class OpeningSettings(Section):
    """``[opening]``: lots held at ``[scenario] start`` and an optional pending recharge."""

    lots: tuple[HeldLot, ...] = ()
    pending_recharge: PendingRecharge | None = None


def instant_of(value: date | datetime, zone: ZoneInfo) -> Instant:
    """A date as local midnight in ``zone``; a datetime as itself (it has its offset)."""
    if isinstance(value, datetime):
        return to_instant(value)
    return to_instant(datetime.combine(value, time(), zone))


def to_opening(settings: OpeningSettings | None, zone: ZoneInfo, cur: Currency) -> Opening:
    """The section as the model's ``Opening`` (the section must have passed ``problems``)."""
    if settings is None:
        return Opening()
    lots = tuple(
        (instant_of(lot.purchased, zone), major_to_minor(lot.remaining, cur))
        for lot in settings.lots
    )
    pending = settings.pending_recharge
    return Opening(
        lots,
        None
        if pending is None
        else (instant_of(pending.at, zone), major_to_minor(pending.amount, cur)),
    )


def from_opening(opening: Opening, cur: Currency) -> OpeningSettings:
    """An ``Opening`` (from ``--balance`` or ``--lots``) written back as the section."""
    lots = tuple(
        HeldLot(purchased=_utc(bought), remaining=to_decimal(left, cur))
        for bought, left in opening.lots
    )
    pending = None
    if opening.pending is not None:
        at, amount = opening.pending
        pending = PendingRecharge(at=_utc(at), amount=to_decimal(amount, cur))
    return OpeningSettings(lots=lots, pending_recharge=pending)


def problems(
    settings: OpeningSettings | None, start: Instant, end: Instant, zone: ZoneInfo, cur: Currency
) -> list[str]:
    """One sentence per problem of ``[opening]`` against the run ``[start, end]``.

    Amounts must be whole minor units within ``MONEY_MAX_MINOR``; at most
    ``OPENING_LOTS_MAX`` lots; then ``Opening.problems`` (bought at or before
    the start, not expired by then) and a pending recharge not after the end.
    """
    if settings is None:
        return []
    if len(settings.lots) > limits.OPENING_LOTS_MAX:
        return [
            f"opening.lots: {len(settings.lots):,} lots are more than {limits.OPENING_LOTS_MAX:,} "
            "(OPENING_LOTS_MAX in sim/limits.py)"
        ]
    found = []
    amounts = [
        (f"opening.lots[{index}].remaining", lot.remaining)
        for index, lot in enumerate(settings.lots)
    ]
    if settings.pending_recharge is not None:
        amounts.append(("opening.pending_recharge.amount", settings.pending_recharge.amount))
    for where, amount in amounts:
        try:
            minor = major_to_minor(amount, cur)
        except ValueError:
            found.append(f"{where}: {format(amount, 'f')} has more decimal places than {cur.code} "
                         f"has ({cur.digits})")  # fmt: skip
            continue
        if minor > limits.MONEY_MAX_MINOR:
            found.append(
                f"{where}: {format(amount, 'f')} is beyond the supported "
                f"{limits.MONEY_MAX_MINOR:,} minor units (MONEY_MAX_MINOR in sim/limits.py)"
            )
    if found:
        return found
    try:
        opening = to_opening(settings, zone, cur)
    except ValueError as error:  # the total beyond MONEY_MAX_MINOR
        return [f"opening: {error}"]
    found = [f"opening.{problem}" for problem in opening.problems(start)]
    if opening.pending is not None and opening.pending[0] > end:
        found.append("opening.pending_recharge: at is after the run's end; leave it out")
    return found


def read_lots_csv(
    path: Path, currency: Currency, *, timezone: str = "UTC", start: Instant | None = None
) -> Opening:
    """A ``purchased,remaining`` file as an ``Opening``; InputError naming the file and line.

    ``purchased`` is a date (local midnight in ``timezone``) or an ISO datetime
    with its offset; ``remaining`` an amount in ``currency`` (> 0, whole minor
    units). Given the run's ``start``, a lot bought after it or expired by then
    is refused at its line too.
    """
    try:
        data = read_regular(path, limits.LOTS_CSV_MAX_BYTES, what="lots file", knob=_LOTS_KNOB)
    except OSError as error:
        raise InputError(f"cannot read the lots file: {error.strerror}", source=path) from None
    rows = csv.reader(io.StringIO(decode_utf8(data, path), newline=""))
    try:
        header = next(rows, None)
        if header is None or tuple(cell.strip().lower() for cell in header) != LOTS_HEADER:
            raise InputError(
                "the first line must be the header purchased,remaining", source=path, line=1
            )
        zone = ZoneInfo(timezone)
        lots: list[tuple[int, int]] = []
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(lots) == limits.OPENING_LOTS_MAX:
                raise InputError(
                    f"more than {limits.OPENING_LOTS_MAX:,} lots (OPENING_LOTS_MAX in "
                    "sim/limits.py)", source=path, line=line,
                )  # fmt: skip
            lots.append(_lot(row, zone, currency, path, line))
            found = [] if start is None else Opening((lots[-1],)).problems(start)
            if found:
                raise InputError(found[0].removeprefix("lots[0]: "), source=path, line=line)
    except csv.Error as error:
        raise InputError(f"not a CSV file: {error}", source=path, line=rows.line_num) from None
    return Opening(tuple(lots))


def _lot(row: list[str], zone: ZoneInfo, cur: Currency, path: Path, line: int) -> tuple[int, int]:
    """One line of a lots file as ``(purchased_us, remaining_minor)``."""
    if len(row) != len(LOTS_HEADER):
        raise InputError(f"expected 2 fields, found {len(row)}", source=path, line=line)
    purchased_text, remaining_text = (cell.strip() for cell in row)
    try:
        purchased = instant_of(_moment(purchased_text), zone)
    except ValueError as error:
        raise InputError(str(error), source=path, line=line, column="purchased") from None
    try:
        remaining = major_to_minor(remaining_text, cur)
    except ValueError:
        raise InputError(
            f"{remaining_text[:40]!r} is not an amount in whole {cur.code} minor units",
            source=path, line=line, column="remaining",
        ) from None  # fmt: skip
    if remaining <= 0 or remaining > limits.MONEY_MAX_MINOR:
        raise InputError(
            f"must be > 0 and within {limits.MONEY_MAX_MINOR:,} minor units "
            "(MONEY_MAX_MINOR in sim/limits.py)",
            source=path, line=line, column="remaining",
        )  # fmt: skip
    return purchased, remaining


def _moment(text: str) -> date | datetime:
    """A date (``2026-03-15``) or an ISO datetime with its offset."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date (2026-03-15) or an ISO datetime") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text[:40]!r} needs a UTC offset, e.g. 2026-11-20T14:05:00Z")
    return moment


def _utc(instant: Instant) -> datetime:
    """An instant as an aware UTC datetime (how ``from_opening`` writes a purchase)."""
    return to_datetime(instant)


def opening_text(opening: Opening, cur: Currency) -> str | None:
    """``opening balance: $800.00 in 1 lot (expires 2027-12-01)``, for run headers and
    reports; None when the run starts with nothing held or pending."""
    if not opening.lots and opening.pending is None:
        return None
    count = len(opening.lots)
    expiries = sorted(expiry_of(bought) for bought, _ in opening.lots)
    text = f"opening balance: {money_minor(opening.balance_minor, cur)} in {count} lot"
    text += "" if count == 1 else "s"
    if count == 1:
        text += f" (expires {_day(expiries[0])})"
    elif count > 1:
        text += f" (expiring {_day(expiries[0])} to {_day(expiries[-1])})"
    if opening.pending is not None:
        at, amount = opening.pending
        text += f"; a recharge of {money_minor(amount, cur)} pending, credited {to_iso(at)}"
    return text


def _day(instant: Instant) -> str:
    """The UTC date of an instant, as ``2027-12-01``."""
    return to_datetime(instant).date().isoformat()
