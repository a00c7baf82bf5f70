"""Per-minute rates by destination: the table a scenario's charges come from.

A rate table maps (country, number type, direction) to a per-minute rate and
a connection fee, both exact decimals in the currency the table declares in
its ``currency`` column. The bundled ``scenarios/rates/sample-*.csv`` tables are
illustrative (Azure Communication Services figures and assumed values), not
Microsoft Teams' own prices.

Why a declared currency: a table of dollar rates read by a euro scenario would
print euro amounts computed from dollars without a word; with the currency in
the table, the loader refuses the pair (``sim.world.load``). Why a column
rather than a comment line: a spreadsheet keeps a column when it re-saves the
file, and each row then says what its numbers mean; all rows must agree.

Why strict reading: a mistyped rate silently shifts every charge, outage and
forfeiture figure of a run, so every bad cell stops the read with an
``InputError`` naming the file, line (as an editor counts it) and column, and a
rate listed twice is refused rather than resolved by "last one wins".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from difflib import get_close_matches
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from babel import Locale

from sim.account.money import currency as currency_of
from sim.errors import InputError, decode_utf8
from sim.limits import RATE_SUBMINOR_DIGITS, RATE_TABLE_MAX_BYTES
from sim.world.files import read_regular
from sim.world.scenario_streams import NUMBER_TYPES

if TYPE_CHECKING:
    from _csv import Reader

RateKey = tuple[str, str, str]
"""(country ISO 3166 alpha-2, number type, direction), e.g. ("US", "toll_free", "inbound")."""

DIRECTIONS = ("inbound", "outbound")
REQUIRED_COLUMNS = (
    "country",
    "number_type",
    "direction",
    "rate_per_min",
    "connection_fee",
    "currency",
)
OPTIONAL_COLUMNS = ("note",)
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})
_WRONG_COUNTRIES = {"UK": "GB", "EL": "GR"}
_T = TypeVar("_T")
SAMPLE_PREFIX = "sample-"
"""File names of the bundled illustrative tables (``sample-usd.csv``): outputs label them so."""
NO_CURRENCY = (
    "the rate table declares no currency: add a column 'currency' holding the ISO 4217 code of "
    "its rates (e.g. USD) on every row (docs/scenarios.md#rate-tables)"
)


@dataclass(frozen=True, slots=True)
class Rate:
    """Price of one call: ``connection_fee + rate_per_min * billed minutes``."""

    rate_per_min: Decimal
    connection_fee: Decimal = Decimal(0)


@dataclass(frozen=True)
class RateTable:
    """Rates keyed by (country, number_type, direction); ``path`` names the source.

    ``currency`` is the ISO 4217 code the table declares; None only for the
    empty table of a scenario that looks up no rate.
    """

    path: Path
    rates: dict[RateKey, Rate]
    currency: str | None = None

    @property
    def illustrative(self) -> bool:
        """A bundled sample table (``sample-*.csv``): its rates are not a tenant's prices."""
        return self.path.name.startswith(SAMPLE_PREFIX)

    def __contains__(self, key: object) -> bool:
        return key in self.rates

    def lookup(self, country: str, number_type: str, direction: str) -> Rate:
        """The rate for a destination; LookupError names the table and the key."""
        try:
            return self.rates[(country, number_type, direction)]
        except KeyError:
            raise LookupError(
                f"{self.path}: no rate for {country} {number_type} {direction}"
            ) from None


def load_rates(path: Path) -> RateTable:
    """Read a rate table CSV; any bad cell, missing column or duplicate is an InputError.

    Columns (any order, names case-insensitive): ``country, number_type,
    direction, rate_per_min, connection_fee, currency`` and an optional
    free-text ``note``. UTF-8 with or without a BOM; lines starting with ``#`` and blank
    lines are skipped.
    """
    path = Path(path)
    try:
        data = read_regular(
            path,
            RATE_TABLE_MAX_BYTES,
            what="rate table",
            knob="RATE_TABLE_MAX_BYTES in sim/limits.py",
        )
    except OSError as exc:
        raise InputError(
            f"cannot read the rate table: {exc.strerror or exc}", source=path
        ) from None
    return parse_rates(data, path)


def parse_rates(data: bytes, path: Path) -> RateTable:
    """A rate table from the file's bytes, so a caller that hashes them parses what it hashed."""
    lines = _Lines(decode_utf8(data, path))
    reader = csv.reader(lines, strict=True)
    header = _header(reader, lines, path)
    rates: dict[RateKey, Rate] = {}
    seen: dict[RateKey, int] = {}
    declared: tuple[str, int] | None = None  # the table's currency and the line that set it
    for line, row in _records(reader, lines, path, len(header)):
        cells = {name.lower(): (name, text) for name, text in zip(header, row, strict=True)}
        code = _row_currency(cells, declared, path, line)
        declared = declared or (code, line)
        key, rate = _parse_row(cells, code, path, line)
        if key in seen:
            where = f"line {seen[key]} and line {line}"
            raise InputError(f"duplicate rate for {' '.join(key)}: {where}", source=path, line=line)
        seen[key], rates[key] = line, rate
    if declared is None:
        raise InputError("the rate table has a header but no rates", source=path)
    return RateTable(path, rates, declared[0])


def _row_currency(
    cells: dict[str, tuple[str, str]], declared: tuple[str, int] | None, path: Path, line: int
) -> str:
    """The row's ISO 4217 code; every row must name the same one as the first."""
    name, text = cells["currency"]
    try:
        code = currency_of(text).code if text.strip() else ""
    except ValueError as exc:
        raise InputError(str(exc), source=path, line=line, column=name) from None
    if not code:
        raise InputError(
            "currency is empty; every row names the ISO 4217 code of its rates (e.g. USD)",
            source=path,
            line=line,
            column=name,
        )
    if declared is not None and code != declared[0]:
        first, first_line = declared
        raise InputError(
            f"currency {code} differs from {first} on line {first_line}; "
            "a rate table holds rates in one currency",
            source=path,
            line=line,
            column=name,
        )
    return code


class _Lines:
    """The file's physical lines minus ``#`` comments, remembering where a record began.

    csv counts only the lines it is given, so the editor's line number of each
    record is tracked here: ``start`` is reset before a record is read and set
    by the first line the reader takes for it.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self.start = 0

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(io.StringIO(self._text, newline=""), 1):
            if line.startswith("#"):
                continue
            if not self.start:
                self.start = number
            yield line


def _next_record(reader: Reader, lines: _Lines, path: Path) -> tuple[int, list[str]] | None:
    """The next non-blank record and the line it starts on; None at the end."""
    while True:
        lines.start = 0
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise InputError(
                f"malformed CSV ({exc})", source=path, line=lines.start or None
            ) from None
        if row is None:
            return None
        if any(cell.strip() for cell in row):
            return lines.start, row


def _header(reader: Reader, lines: _Lines, path: Path) -> list[str]:
    """The column names as written; every required one present, nothing unknown or twice."""
    record = _next_record(reader, lines, path)
    expected = ",".join((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))
    if record is None:
        raise InputError(f"the rate table is empty; expected a header line {expected}", source=path)
    line, row = record
    header = [name.strip() for name in row]
    if not _recognisable(header):
        # Quote nothing: the file may be any file a path names (/etc/passwd, a key, ...).
        raise InputError(f"not a rate table (expected header {expected})", source=path, line=line)
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    seen: set[str] = set()
    for name in header:
        key = name.lower()
        if key in seen:
            raise InputError(f"column {name!r} appears twice in the header", source=path, line=line)
        if key not in known:
            raise InputError(_unknown_column(name, known), source=path, line=line)
        seen.add(key)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing == ["currency"]:
        raise InputError(NO_CURRENCY, source=path, line=line)
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise InputError(f"the header lacks column(s) {names}", source=path, line=line)
    return header


def _recognisable(header: list[str]) -> bool:
    """Most required columns are there, so the file is a rate table and its words may be quoted.

    Why a majority: a header with one or two misspelt names should get a
    "did you mean" hint; a file with hardly any of them is some other file.
    """
    present = {name.lower() for name in header} & set(REQUIRED_COLUMNS)
    return len(present) * 2 > len(REQUIRED_COLUMNS)


def _unknown_column(name: str, known: tuple[str, ...]) -> str:
    if not name:
        return "empty column name in the header (a trailing comma?)"
    near = get_close_matches(name.lower(), known, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else f"; expected {', '.join(known)}"
    return f"unknown column {name!r}{hint}"


def _records(
    reader: Reader, lines: _Lines, path: Path, width: int
) -> Iterator[tuple[int, list[str]]]:
    """Data records with their line numbers; a record of the wrong width is an error."""
    while (record := _next_record(reader, lines, path)) is not None:
        line, row = record
        if len(row) != width:
            found = f"expected {width} fields as in the header, found {len(row)}"
            raise InputError(f"{found} (an unquoted comma?)", source=path, line=line)
        yield line, row


def _parse_row(
    cells: dict[str, tuple[str, str]], code: str, path: Path, line: int
) -> tuple[RateKey, Rate]:
    """One (key, rate) from a row whose cells are keyed by lowercase column name.

    Amounts may be finer than the currency's minor unit (0.0085 USD, 1.275 JPY
    a minute) but not finer than RATE_SUBMINOR_DIGITS below it: rating holds
    them as exact integers at that scale.
    """
    places = currency_of(code).digits + RATE_SUBMINOR_DIGITS

    def cell(column: str, parse: Callable[[str], _T]) -> _T:
        name, text = cells[column]
        try:
            return parse(text)
        except ValueError as exc:
            raise InputError(str(exc), source=path, line=line, column=name) from None

    key = (
        cell("country", _country),
        cell("number_type", lambda text: _choice(text, NUMBER_TYPES, "number type")),
        cell("direction", lambda text: _choice(text, DIRECTIONS, "direction")),
    )
    rate_per_min = cell("rate_per_min", lambda t: _amount(t, places, blank_is_zero=False))
    fee = cell("connection_fee", lambda t: _amount(t, places, blank_is_zero=True))
    return key, Rate(rate_per_min, fee)


def _country(text: str) -> str:
    """An ISO 3166 alpha-2 code in capitals, and a real one: 'UK' is a classic slip for GB."""
    value = text.strip()
    if value in _WRONG_COUNTRIES:
        raise ValueError(f"{value!r} is not an ISO 3166 code; use {_WRONG_COUNTRIES[value]!r}")
    if not re.fullmatch(r"[A-Z]{2}", value):
        hint = f"; write {value.upper()!r}" if re.fullmatch(r"[A-Za-z]{2}", value) else ""
        raise ValueError(f"{text!r} is not a two-letter ISO 3166 country code like 'US'{hint}")
    if value not in _countries():
        raise ValueError(f"{value!r} is not an ISO 3166 country code")
    return value


@cache
def _countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes known to CLDR (via Babel), minus groupings such as EU."""
    codes = Locale("en").territories
    return frozenset(
        code
        for code in codes
        if isinstance(code, str) and code.isalpha() and code not in _NOT_COUNTRIES
    )


def _choice(text: str, allowed: tuple[str, ...], what: str) -> str:
    value = text.strip()
    if value in allowed:
        return value
    near = get_close_matches(value.lower().replace("-", "_"), allowed, n=1, cutoff=0.5)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise ValueError(f"{text!r} is not a {what}; expected one of: {', '.join(allowed)}{hint}")


def _amount(text: str, places: int, *, blank_is_zero: bool) -> Decimal:
    """An exact decimal >= 0 in major units, at most ``places`` decimals; no float, no exponent."""
    value = text.strip()
    if not value:
        if blank_is_zero:
            return Decimal(0)
        raise ValueError("is empty; expected a decimal number such as 0.013")
    if not _DECIMAL.match(value):
        raise ValueError(f"{text!r} is not a decimal number such as 0.013")
    amount = Decimal(value)
    if amount < 0:
        raise ValueError(f"{value!r} must be >= 0")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(
            f"{value!r} has more than {places} decimal places, the finest rate the currency "
            "allows (RATE_SUBMINOR_DIGITS in sim/limits.py)"
        )
    return amount + 0  # normalises -0 to 0
