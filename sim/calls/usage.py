"""Recorded usage files (Teams, Skype for Business, Graph, canonical CSV) read as ``Call`` records.

Why streaming: a year of PSTN usage for a large tenant runs to millions of rows,
so a file is read row by row with the stdlib ``csv`` module and each row becomes
one ``Call`` in file order; sorting into stream order happens elsewhere. Nothing
is skipped: every data row yields exactly one call, and rows that do not draw on
credits are still yielded (with ``credit_billed=False``) and counted by reason,
so a planner can see what was left out of blocking and why.

Why strict errors: a wrong charge or a shifted column would silently change the
outage and forfeiture figures, so every bad row stops the read with an
``InputError`` naming the line (as an editor counts it, header = 1) and column.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sim.account.money import Currency, currency
from sim.account.stream import Call
from sim.calls.duplicates import Duplicates, Seen
from sim.calls.excel_dates import DateOrder, is_slashed, scan_order
from sim.calls.graph_json import located, records
from sim.calls.row_details import Detail, RowDetails
from sim.calls.usage_layout import DIRECT_ROUTING_ENDS as DR_ENDS
from sim.calls.usage_layout import DIRECT_ROUTING_STARTS as DR_STARTS
from sim.calls.usage_layout import Layout, UsageFormat, read_layout
from sim.calls.usage_rows import PARSERS, RowParser
from sim.calls.usage_text import Opener, first_line, open_text, text_lines, unreadable
from sim.errors import InputError
from sim.limits import CSV_FIELD_MAX_CHARS

if TYPE_CHECKING:
    from _csv import Reader

_TIME_COLUMNS = tuple(
    dict.fromkeys(("start time", "end time", "start time (utc)", *DR_STARTS, *DR_ENDS))
)
"""The columns whose dates Excel may have re-saved (Teams, Skype, Direct Routing)."""

_FIELD_LIMIT = (
    f"a field may hold at most {CSV_FIELD_MAX_CHARS:,} characters "
    "(CSV_FIELD_MAX_CHARS in sim/limits.py)"
)


@dataclass
class UsageFile:
    """An opened usage file whose rows are read lazily by ``calls()``.

    ``currency``, ``not_credit_billed``, ``rows`` and ``duplicates`` fill in
    while ``calls()`` is iterated; read them once it is exhausted. Rows that
    repeat a billed leg (``sim.calls.duplicates``) are counted in ``duplicates``
    and yield no call, unless ``keep_duplicates`` bills them as written.
    """

    path: Path
    format: UsageFormat
    currency: Currency
    _layout: Layout = field(repr=False, compare=False)
    not_credit_billed: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    keep_duplicates: bool = False
    duplicates: int = 0
    first_duplicate_line: int | None = None
    charged_under_plan: int = 0
    """Charged rows under a licence never paid from credits (``sim.calls.capabilities``)."""
    first_charged_under_plan: int | None = None
    date_order: DateOrder | None = None
    """Day or month first in Excel-re-saved dates; None: scanned from the file."""
    _opener: Opener | None = field(default=None, repr=False, compare=False)
    _seen: Seen | None = field(default=None, repr=False, compare=False)
    """The legs read before this file (the earlier members of its zip); None: none."""
    _used: bool = field(default=False, repr=False, compare=False)
    details: list[Detail] | None = field(default=None, repr=False, compare=False)
    """When a list: one ``Detail`` appended per call yielded (``sim.calls.records``)."""
    currency_named: bool = False
    """Whether a row named the currency (else ``currency`` is only the default)."""
    _detail: RowDetails | None = field(default=None, repr=False, compare=False)

    @property
    def duplicates_dropped(self) -> int:
        """Duplicate rows left out of the calls (0 with ``keep_duplicates``)."""
        return 0 if self.keep_duplicates else self.duplicates

    @property
    def first_duplicate_member(self) -> str | None:
        """The zip member of ``first_duplicate_line``: None, a file alone has no members."""
        return None

    def calls(self) -> Iterator[Call]:
        """One ``Call`` per data row, in file order. May be called only once."""
        if self._used:
            raise RuntimeError(f"calls() of {self.path} was already iterated; open it again")
        self._used = True
        parser = PARSERS[self.format](
            self.path, self._layout, self.currency, self.not_credit_billed, self._found_currency
        )
        if self.details is not None:
            self._detail = RowDetails(self._layout, self.path, self.not_credit_billed)
        return self._read(parser)

    def _found_currency(self, found: Currency) -> None:
        """The first currency a row names is the file's (a parser holds the file to it)."""
        self.currency, self.currency_named = found, True

    def _note(self, line: int, row: list[str], call: Call, duplicates: Duplicates) -> Call:
        """Append the row's ``Detail`` when they are asked for; the call unchanged."""
        if self._detail is not None and self.details is not None:
            key = duplicates.key(row) if duplicates.active else None
            self.details.append(self._detail(line, row, call, self.currency, key))
        return call

    def _open(self) -> TextIO:
        return open_text(self.path, self._opener)

    def _scan_dates(self) -> DateOrder | None:
        """The order of Excel-re-saved dates: given, or decided by one pass over the file.

        Only a file whose first data row has a slashed date is read twice; a given
        order is not checked against the file (a contradicting date fails its row).
        """
        if self.date_order is not None or self.format is UsageFormat.GRAPH_JSON:
            return self.date_order  # Graph writes ISO times; its JSON is not scanned as CSV
        names = [name for name in _TIME_COLUMNS if name in self._layout.columns]
        indexes = [self._layout.columns[name] for name in names]
        with self._open() as handle:
            reader = csv.reader(text_lines(handle, self.path), delimiter=self._layout.delimiter)
            next(reader, None)
            first = next(reader, [])
            if not any(i < len(first) and is_slashed(first[i]) for i in indexes):
                return None
            rows = itertools.chain([(2, first)], ((reader.line_num, row) for row in reader))
            values = ((line, row[i]) for line, row in rows for i in indexes if i < len(row))
            return scan_order(values, str(self.path))

    def _read(self, parse: RowParser) -> Iterator[Call]:
        """Open the file again (open_usage keeps no handle) and read past the header."""
        try:
            order = self._scan_dates()
        except (OSError, UnicodeDecodeError, csv.Error):
            order = None  # the reading pass below locates the failure
        parse.date_order = order
        try:
            handle = self._open()
        except OSError as exc:
            raise unreadable(self.path, exc, self._opener) from None
        with handle:
            if self.format is UsageFormat.GRAPH_JSON:
                yield from self._records(handle, parse)
            else:
                lines = text_lines(handle, self.path)
                reader = csv.reader(lines, delimiter=self._layout.delimiter, strict=True)
                yield from self._rows(reader, parse)
        self.charged_under_plan = parse.charged_under_plan
        self.first_charged_under_plan = parse.first_charged_under_plan

    def _rows(self, reader: Reader, parse: RowParser) -> Iterator[Call]:
        """One call per data row; blank lines only at the end; read failures located."""
        width, line, blank_line = len(self._layout.header), 1, 0
        duplicates = Duplicates(self._layout, self._seen)
        try:
            next(reader, None)  # the header, already checked by open_usage
            for row in reader:
                line = reader.line_num
                if len(row) != width or not any(row):
                    if "".join(row).strip():
                        found = f"expected {width} fields as in the header, found {len(row)}"
                        raise self._error(f"{found} (an unquoted delimiter?)", line)
                    blank_line = blank_line or line
                    continue
                if blank_line:
                    raise self._error("blank line before more data rows", blank_line)
                if len(max(row, key=len)) > CSV_FIELD_MAX_CHARS:
                    raise self._field_too_long(row, line)
                self.rows += 1
                if duplicates.repeats(row, line):
                    self.duplicates, self.first_duplicate_line = (
                        duplicates.count,
                        duplicates.first_line,
                    )
                    if not self.keep_duplicates:
                        continue
                yield self._note(line, row, parse(line, row), duplicates)
        except (OSError, UnicodeDecodeError) as exc:
            raise unreadable(self.path, exc, self._opener) from None
        except csv.Error as exc:
            end = reader.line_num
            where = "" if end == line + 1 else f" in the record starting on line {line + 1}"
            detail = _FIELD_LIMIT if "field larger than field limit" in str(exc) else str(exc)
            raise self._error(f"malformed CSV ({detail}){where}", end) from None

    def _records(self, handle: TextIO, parse: RowParser) -> Iterator[Call]:
        """One call per Graph record; a call's ``ref`` is the record's number in the file."""
        duplicates = Duplicates(self._layout, self._seen)
        try:
            for record in records(self.path, handle):
                self.rows += 1
                if duplicates.repeats(record.row, record.number):
                    self.duplicates, self.first_duplicate_line = (
                        duplicates.count,
                        duplicates.first_line,
                    )
                    if not self.keep_duplicates:
                        continue
                try:
                    call = parse(record.number, record.row)
                except InputError as exc:
                    raise located(exc, record, self.path) from None
                yield self._note(record.number, record.row, call, duplicates)
        except (OSError, UnicodeDecodeError) as exc:
            raise unreadable(self.path, exc, self._opener) from None

    def _field_too_long(self, row: list[str], line: int) -> InputError:
        index = max(range(len(row)), key=lambda i: len(row[i]))
        message = f"a field of {len(row[index]):,} characters; {_FIELD_LIMIT}"
        return InputError(message, source=self.path, line=line, column=self._layout.header[index])

    def _error(self, message: str, line: int) -> InputError:
        return InputError(message, source=self.path, line=line)


def open_usage(
    path: Path,
    *,
    currency_code: str | None = None,
    keep_duplicates: bool = False,
    date_order: DateOrder | None = None,
    opener: Opener | None = None,
    seen: Seen | None = None,
) -> UsageFile:
    """Open a usage file and detect its format from the header line alone.

    ``currency_code`` is the scenario's currency: it is the default when the
    file names none, and a file in another currency is refused rather than
    mixed with it. ``keep_duplicates`` bills rows that repeat a leg as written
    (they are counted either way). ``date_order`` reads Excel's slashed dates
    (``sim.calls.excel_dates``); ``opener`` reads the bytes from elsewhere than
    ``path`` (a zip member), ``path`` then only names it in messages.
    """
    path = Path(path)
    requested = None
    if currency_code is not None:
        try:
            requested = currency(currency_code)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    layout = read_layout(first_line(path, opener), path, requested)
    usage = UsageFile(path, layout.format, requested or currency("USD"), layout)
    usage.keep_duplicates, usage.date_order, usage._opener = keep_duplicates, date_order, opener
    usage._seen = seen
    return usage
