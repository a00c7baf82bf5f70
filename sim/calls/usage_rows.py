"""Row parsers of the usage formats: one ``Call`` from one row, or a located error.

``sim.calls.usage_layout`` reads the header; ``sim.calls.usage`` opens files and
walks the rows; this module turns one row into one call, so each holds one
concept and none imports one above it. A parser is built once per
pass over a file and called as ``parser(line, fields)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.account.clock import (
    MICROS_PER_SECOND,
    SUPPORTED_DATES,
    Instant,
    parse_instant,
    supported,
)
from sim.account.money import Currency, currency, parse_minor
from sim.account.stream import Call
from sim.calls.capabilities import BY_CODE, ZERO_CHARGE
from sim.calls.excel_dates import DateOrder, is_slashed, to_iso
from sim.calls.usage_layout import (
    DIRECT_ROUTING_ENDS,
    DIRECT_ROUTING_STARTS,
    Layout,
    UsageFormat,
)
from sim.errors import InputError
from sim.limits import CALL_DURATION_MAX_S, CHARGE_MAX_MINOR

Parse = Callable[[int, list[str]], Call]  # (line number, fields) -> the row's call
_NO_DATA = "No data"
_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": None}
_DIRECT_ROUTING = "direct_routing"
_INBOUND_TYPES = frozenset({"conf_in", "user_in", "ucap_in"})
_DIAL_OUT_TYPES = frozenset({"conf_out", "user_out_conf"})
_OUTBOUND_TYPES = frozenset({"user_out", "user_out_transfer", "user_out_forwarding", "ucap_out"})
_CACHE_LIMIT = 4096  # bounds per-file caches so a file of unique values cannot grow memory
_DURATION_MAX_US = CALL_DURATION_MAX_S * MICROS_PER_SECOND
_TOO_LONG = (
    f"is longer than the supported {CALL_DURATION_MAX_S:,} s (CALL_DURATION_MAX_S in sim/limits.py)"
)


def _seconds(text: str) -> int:
    """Whole seconds from ``75``, ``0:01:15`` or ``00:01:15`` (both report styles)."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    parts = text.split(":")
    if (
        len(parts) == 3
        and all(part.isascii() and part.isdigit() for part in parts)
        and len(parts[1]) == len(parts[2]) == 2
        and int(parts[1]) < 60
        and int(parts[2]) < 60
    ):
        return int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])
    raise ValueError(f"duration {text!r} is not whole seconds or h:mm:ss")


def _is_zero(text: str) -> bool:
    digits = text.strip().lstrip("+-").replace(".", "", 1)
    return bool(digits) and digits.isdigit() and not digits.strip("0")


def _service(call_type: str, number_type: str, scope: str) -> str:
    """Map a report row to the service name the outcome is broken down by."""
    kind = call_type.strip().lower()
    if kind.startswith("dr_"):
        return _DIRECT_ROUTING
    if kind in _INBOUND_TYPES:
        number = number_type.lower()
        return "toll_free_dial_in" if "toll" in number and "free" in number else "inbound"
    if kind in _DIAL_OUT_TYPES:
        return "dial_out"
    if kind in _OUTBOUND_TYPES:
        international = scope.strip().lower() == "international"
        return "international" if international else "domestic_outbound"
    return kind


class _Parser(ABC):
    """State shared by one pass over a file: columns, the file's currency, caches."""

    naive_is_utc = True
    """What a timestamp without an offset means (the stream format requires one)."""

    def __init__(
        self,
        path: Path,
        layout: Layout,
        default: Currency,
        reasons: Counter[str],
        on_currency: Callable[[Currency], None],
    ) -> None:
        self.path = path
        self.header = layout.header
        self.columns = layout.columns
        self.requested = layout.requested
        self.reasons = reasons
        self.default = default
        self.on_currency = on_currency
        self.file_currency: Currency | None = None
        self.currency_line = 0
        self.code_text = ""
        self.amounts: dict[str, int] = {}
        self.date_order: DateOrder | None = None
        """Set by the reader when the file's dates are Excel's slashed ones."""
        self.charged_under_plan = 0
        """Charged rows whose Capability is never paid from credits (sim.calls.capabilities)."""
        self.first_charged_under_plan: int | None = None

    @abstractmethod
    def __call__(self, line: int, row: list[str]) -> Call:
        """The call of data row ``row`` on line ``line`` (InputError naming the column)."""

    def fail(self, message: str, line: int, index: int | None) -> InputError:
        column = None if index is None else self.header[index]
        return InputError(message, source=self.path, line=line, column=column)

    def instant(self, row: list[str], index: int, line: int, *, naive_is_utc: bool) -> Instant:
        try:
            text = row[index]
            if self.date_order is not None and is_slashed(text):
                text = to_iso(text, self.date_order)  # no offset: UTC, as the report's times
            found = parse_instant(text, naive_is_utc=naive_is_utc)
        except (ValueError, OverflowError) as exc:
            detail, shown = str(exc), repr(row[index].strip())
            message = f": {detail}" if shown in detail else f" {shown}: {detail}"
            raise self.fail(f"bad timestamp{message}", line, index) from None
        if not supported(found):
            message = f"{row[index].strip()!r} is outside the supported dates {SUPPORTED_DATES}"
            raise self.fail(f"{message} (DATE_MIN, DATE_MAX in sim/limits.py)", line, index)
        return found

    def span(self, row: list[str], start: int, end: int, line: int) -> tuple[Instant, Instant]:
        """A call's start and end columns: on supported dates, in order, at most a week apart."""
        start_at = self.instant(row, start, line, naive_is_utc=self.naive_is_utc)
        end_at = self.instant(row, end, line, naive_is_utc=self.naive_is_utc)
        if end_at < start_at:
            raise self.end_before_start(row, start, end, line)
        if end_at - start_at > _DURATION_MAX_US:
            shown = f"{self.header[end]} {row[end].strip()!r}"
            message = f"the call from {self.header[start]} {row[start].strip()!r} to {shown}"
            raise self.fail(f"{message} {_TOO_LONG}", line, end)
        return start_at, end_at

    def end_before_start(self, row: list[str], start: int, end: int, line: int) -> InputError:
        """An end before its start is refused: a negative duration has no meaning."""
        shown = [f"{self.header[i]} {row[i].strip()!r}" for i in (end, start)]
        return self.fail(f"{shown[0]} is before {shown[1]}", line, end)

    def currency_at(self, row: list[str], index: int | None, line: int) -> Currency | None:
        """The row's currency (None when blank), holding the file to one currency."""
        if index is None:
            return self.default
        code = row[index].strip()
        if not code or code == self.code_text:
            return self.file_currency if code else None
        try:
            found = currency(code)
        except ValueError as exc:
            raise self.fail(str(exc), line, index) from None
        first, requested = self.file_currency, self.requested
        if first is None and requested is not None and found != requested:
            message = f"currency {found.code!r} differs from the requested {requested.code!r}"
            raise self.fail(message, line, index)
        if first is not None and found != first:
            message = f"currency mix: {found.code!r} here but {first.code!r} from line"
            raise self.fail(f"{message} {self.currency_line}", line, index)
        if first is None:
            self.file_currency, self.currency_line = found, line
            self.on_currency(found)
        self.code_text = code
        return found

    def money(self, row: list[str], index: int, cur: Currency | None, line: int) -> int:
        """An amount >= 0 in minor units; with a blank currency only zero is allowed."""
        text = row[index]
        cached = self.amounts.get(text) if cur is not None else None
        if cached is not None:
            return cached
        if not text.strip():
            raise self.fail("is blank; expected an amount such as 0.44", line, index)
        if cur is None:
            if _is_zero(text):
                return 0
            message = f"is blank but {self.header[index]} is {text.strip()!r}; a blank currency"
            raise self.fail(
                f"{message} is allowed only when the charge and fee are 0",
                line,
                self.columns["currency"],
            )
        try:
            minor = parse_minor(text, cur)
        except ValueError as exc:
            raise self.fail(str(exc), line, index) from None
        if minor < 0:
            raise self.fail(f"{text.strip()!r} must be >= 0", line, index)
        if minor > CHARGE_MAX_MINOR:
            raise self.beyond_charge(text.strip(), line, index)
        if len(self.amounts) < _CACHE_LIMIT:
            self.amounts[text] = minor
        return minor

    def beyond_charge(self, shown: str, line: int, index: int) -> InputError:
        """A charge over ``CHARGE_MAX_MINOR``: sums of charges must stay exact in int64."""
        limit = f"{CHARGE_MAX_MINOR:,} minor units (CHARGE_MAX_MINOR in sim/limits.py)"
        return self.fail(f"{shown!r} is beyond the supported charge of {limit}", line, index)

    def priced(self, start: Instant, end: Instant, service: str, charge: int, line: int) -> Call:
        """A call with a known charge: credit-billed unless it is free."""
        if charge == 0:
            self.reasons[ZERO_CHARGE] += 1
            return Call(start, end, service, 0, False, line)
        return Call(start, end, service, charge, True, line)


class _StreamParser(_Parser):
    """The canonical format: start,end,service,charge[,credit_billed][,currency]."""

    naive_is_utc = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        cols = self.columns
        self.i_start, self.i_end = cols["start"], cols["end"]
        self.i_service, self.i_charge = cols["service"], cols["charge"]
        self.i_billed = cols.get("credit_billed")
        self.i_currency = cols.get("currency")

    def __call__(self, line: int, row: list[str]) -> Call:
        start, end = self.span(row, self.i_start, self.i_end, line)
        service = row[self.i_service].strip()
        if not service:
            raise self.fail("service is blank", line, self.i_service)
        cur = self.currency_at(row, self.i_currency, line)
        charge = self.money(row, self.i_charge, cur, line)
        billed = None if self.i_billed is None else self.billed(row, self.i_billed, line)
        if charge and billed is False:
            self.reasons["drew_on_pool"] += 1
            return Call(start, end, service, charge, False, line)
        return self.priced(start, end, service, charge, line)

    def billed(self, row: list[str], index: int, line: int) -> bool | None:
        """The credit_billed flag; None (blank) leaves it to the charge."""
        text = row[index].strip()
        flag = _FLAGS.get(text.lower(), text)
        if isinstance(flag, str):
            raise self.fail(f"{text!r} is not true/false, 1/0 or yes/no", line, index)
        return flag


class _ReportParser(_Parser):
    """Rules shared by the Teams and Skype reports: service, direct routing, currency."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        cols = self.columns
        self.i_type, self.i_number = cols["call type"], cols.get("number type")  # not in Graph
        self.i_scope = cols["domestic/international"]
        self.i_charge, self.i_currency = cols["charge"], cols["currency"]
        self.i_fee = cols.get("connection fee")  # Teams only
        self.i_capability = cols.get("capability")
        self.services: dict[tuple[str, str, str], str] = {}

    def service(self, row: list[str], line: int) -> str:
        number = "" if self.i_number is None else row[self.i_number]
        key = (row[self.i_type], number, row[self.i_scope])
        found = self.services.get(key)
        if found is None:
            if not key[0].strip():
                raise self.fail("call type is blank", line, self.i_type)
            found = _service(*key)
            if len(self.services) < _CACHE_LIMIT:
                self.services[key] = found
        return found

    def duration(self, row: list[str], index: int, line: int) -> int:
        """A duration column in microseconds."""
        try:
            seconds = _seconds(row[index])
        except ValueError as exc:
            raise self.fail(str(exc), line, index) from None
        if seconds > CALL_DURATION_MAX_S:
            raise self.fail(f"{row[index].strip()!r} {_TOO_LONG}", line, index)
        return seconds * MICROS_PER_SECOND

    def charged(
        self, start: Instant, end: Instant, service: str, row: list[str], line: int
    ) -> Call:
        """Price a row; Direct Routing is never billed to credits, whatever it says.

        A ``dr_`` row's Charge, fee and Currency are not read at all: they cannot
        matter, so a blank or foreign value there must not stop the import.
        """
        if service == _DIRECT_ROUTING:
            self.reasons[_DIRECT_ROUTING] += 1
            return Call(start, end, service, 0, False, line)
        cur = self.currency_at(row, self.i_currency, line)
        charge = self.money(row, self.i_charge, cur, line)
        fee = self.i_fee
        if fee is not None and row[fee].strip():
            charge += self.money(row, fee, cur, line)
            if charge > CHARGE_MAX_MINOR:  # each part was within it; their sum is not
                raise self.beyond_charge(f"{row[self.i_charge].strip()} + fee", line, self.i_charge)
        capability = (
            None if self.i_capability is None else BY_CODE.get(row[self.i_capability].strip())
        )
        if capability is None:
            return self.priced(start, end, service, charge, line)
        if charge == 0:
            self.reasons[capability.free_reason] += 1
            return Call(start, end, service, 0, False, line)
        if not capability.credits_when_charged:
            self.charged_under_plan += 1
            self.first_charged_under_plan = self.first_charged_under_plan or line
        return Call(start, end, service, charge, True, line)


class _TeamsParser(_ReportParser):
    """The Teams PSTN usage report (20 columns, comma-separated, UTC times)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        cols = self.columns
        self.i_start, self.i_end = cols["start time"], cols["end time"]
        self.i_seconds = cols["duration seconds"]

    def __call__(self, line: int, row: list[str]) -> Call:
        service = self.service(row, line)
        if row[self.i_end].strip():
            start, end = self.span(row, self.i_start, self.i_end, line)
        else:
            start = self.instant(row, self.i_start, line, naive_is_utc=True)
            end = start + self.duration(row, self.i_seconds, line)
        return self.charged(start, end, service, row, line)


class _SkypeParser(_ReportParser):
    """The Skype for Business report: TAB-separated, ``No data`` for empty, no end time."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.i_start, self.i_duration = self.columns["start time (utc)"], self.columns["duration"]

    def __call__(self, line: int, row: list[str]) -> Call:
        if _NO_DATA in row:
            # "No data" in Charge means the field does not apply: nothing was charged.
            charge_absent = row[self.i_charge] == _NO_DATA
            row = ["" if text == _NO_DATA else text for text in row]
            if charge_absent:
                row[self.i_charge] = "0"
        service = self.service(row, line)
        start = self.instant(row, self.i_start, line, naive_is_utc=True)
        end = start + self.duration(row, self.i_duration, line)
        return self.charged(start, end, service, row, line)


class _DirectRoutingParser(_Parser):
    """The Direct Routing report: calls on the tenant's own carrier, never credit-billed.

    Each row is one call counted under ``direct_routing``: its times are read
    (a failed call has an invite and a failure time but no start or end), so the
    file's window is the calls' own; nothing else in the row can change the bill.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        cols = self.columns
        self.starts = [cols[name] for name in DIRECT_ROUTING_STARTS if name in cols]
        self.ends = [cols[name] for name in DIRECT_ROUTING_ENDS if name in cols]

    def __call__(self, line: int, row: list[str]) -> Call:
        start_index = next((i for i in self.starts if row[i].strip()), self.starts[-1])
        end_index = next((i for i in self.ends if row[i].strip()), None)
        if end_index is None:
            start = self.instant(row, start_index, line, naive_is_utc=True)
            end = start
        else:
            start, end = self.span(row, start_index, end_index, line)
        self.reasons[_DIRECT_ROUTING] += 1
        return Call(start, end, _DIRECT_ROUTING, 0, False, line)


RowParser = _Parser
"""The type of a built parser (its counts are read once the file is done)."""

PARSERS: dict[UsageFormat, type[_Parser]] = {
    UsageFormat.STREAM: _StreamParser,
    UsageFormat.TEAMS: _TeamsParser,
    UsageFormat.SKYPE: _SkypeParser,
    UsageFormat.DIRECT_ROUTING: _DirectRoutingParser,
    UsageFormat.GRAPH_CSV: _TeamsParser,  # its columns are renamed to the Teams ones
    UsageFormat.GRAPH_JSON: _TeamsParser,
}
"""The row parser of each format, built once per pass over a file."""
