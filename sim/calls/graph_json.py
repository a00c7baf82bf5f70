"""Microsoft Graph ``getPstnCalls`` responses saved as JSON, read as rows of records.

The API (``GET /communications/callRecords/getPstnCalls(fromDateTime=..,toDateTime=..)``)
answers with pages ``{"@odata.context": .., "value": [pstnCallLogRow, ..],
"@odata.nextLink": ..}``. Three ways of saving them are read, told apart by the file:

- one response object (a single page, or pages already joined into one ``value``);
- a JSON array of response objects (pages saved one after another);
- JSON lines: one response object a line (what ``credsim fetch`` writes, so a large
  fetch is read a page at a time rather than parsed whole).

Each record becomes a row of ``GRAPH_FIELDS`` (text as written: numbers keep their
decimal digits, ``null`` is blank), which ``sim.calls.usage`` hands to the Teams row
parser through the Graph column names. Where a record is wrong, the error names the
file, the line of the page (JSON lines) and the JSON path of the property.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sim.calls.usage_layout import GRAPH_FIELDS, GRAPH_REQUIRED
from sim.errors import InputError
from sim.limits import CSV_FIELD_MAX_CHARS, GRAPH_JSON_MAX_BYTES, GRAPH_PAGE_MAX_CHARS

_PAGE_LIMIT = f"{GRAPH_PAGE_MAX_CHARS:,} characters (GRAPH_PAGE_MAX_CHARS in sim/limits.py)"
_FILE_LIMIT = f"{GRAPH_JSON_MAX_BYTES:,} bytes (GRAPH_JSON_MAX_BYTES in sim/limits.py)"


@dataclass(frozen=True)
class Record:
    """One record as a row of ``GRAPH_FIELDS`` and where it is in the file."""

    number: int  # 1-based across the whole file: the call's ``ref``
    line: int | None  # the line of its page in a JSON-lines file
    where: str  # JSON path of the record, such as ``$[1].value[3]``
    row: list[str]


def records(path: Path, handle: TextIO) -> Iterator[Record]:
    """Every record of every page in file order; InputError at the first bad one."""
    number = 0
    for line, where, page in _pages(path, handle):
        values = page.get("value") if isinstance(page, dict) else None
        if not isinstance(values, list):
            message = f"{where}: expected a getPstnCalls response, an object with a 'value' array"
            raise InputError(message, source=path, line=line)
        for index, record in enumerate(values):
            number += 1
            at = f"{where}.value[{index}]"
            yield Record(number, line, at, _row(record, path, line, at))


def located(exc: InputError, record: Record, path: Path) -> InputError:
    """A row parser's error (naming a Graph column) moved to the record's JSON path."""
    where = f"{record.where}.{exc.column}" if exc.column else record.where
    return InputError(f"{where}: {exc.message}", source=path, line=record.line)


def _pages(path: Path, handle: TextIO) -> Iterator[tuple[int | None, str, Any]]:
    """(line, JSON path, page) of each page, whichever of the three ways it was saved."""
    first = _bounded_line(handle, path, 1)
    page = _decode_line(first) if first.strip() else None
    if page is None:  # a document spread over lines (pretty-printed): parse it whole
        yield from _document(path, first + _rest(handle, path, len(first)))
        return
    rest = _bounded_line(handle, path, 2)
    if not rest.strip() and not handle.read(1):
        yield from _document(path, first)  # one line: the same as a whole document
        return
    yield 1, "$", page
    number, line = 2, rest
    while line:
        if line.strip():
            yield number, "$", _json(line, path, number)
        number += 1
        line = _bounded_line(handle, path, number)


def _document(path: Path, text: str) -> Iterator[tuple[int | None, str, Any]]:
    document = _json(text, path, None)
    if isinstance(document, list):
        for index, page in enumerate(document):
            yield None, f"$[{index}]", page
    else:
        yield None, "$", document


def _decode_line(text: str) -> Any:
    """The line's JSON value, or None when the line alone is not a JSON document."""
    try:
        return json.loads(text, parse_float=str, parse_int=str)
    except (ValueError, RecursionError):  # _json says why when the document is parsed
        return None


def _json(text: str, path: Path, line: int | None) -> Any:
    try:
        return json.loads(text, parse_float=str, parse_int=str)
    except RecursionError:
        raise InputError("JSON nested too deeply", source=path, line=line) from None
    except json.JSONDecodeError as exc:
        at = exc.lineno if line is None else line
        message = f"not valid JSON ({exc.msg} at column {exc.colno})"
        raise InputError(message, source=path, line=at) from None


def _bounded_line(handle: TextIO, path: Path, number: int) -> str:
    line = handle.readline(GRAPH_PAGE_MAX_CHARS + 1)
    if len(line) > GRAPH_PAGE_MAX_CHARS:
        raise InputError(f"the line is longer than {_PAGE_LIMIT}", source=path, line=number)
    return line


def _rest(handle: TextIO, path: Path, read: int) -> str:
    """The rest of a whole-document file, refused past ``GRAPH_JSON_MAX_BYTES``."""
    rest = handle.read(GRAPH_JSON_MAX_BYTES + 1 - read)
    if read + len(rest) > GRAPH_JSON_MAX_BYTES or handle.read(1):
        message = f"a JSON document longer than {_FILE_LIMIT}; save one page a line instead"
        raise InputError(message, source=path)
    return rest


def _row(record: Any, path: Path, line: int | None, where: str) -> list[str]:
    """The record's ``GRAPH_FIELDS`` as text; a missing required one is refused."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a call record object", source=path, line=line)
    row = []
    for name in GRAPH_FIELDS:
        value = record.get(name)
        if value is None and name in GRAPH_REQUIRED and name not in record:
            raise InputError(f"{where}: lacks the property {name!r}", source=path, line=line)
        row.append(_text(value, path, line, f"{where}.{name}"))
    return row


def _text(value: Any, path: Path, line: int | None, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str):
        message = f"{where}: expected a string or a number, found {type(value).__name__}"
        raise InputError(message, source=path, line=line)
    if len(value) > CSV_FIELD_MAX_CHARS:
        limit = f"{CSV_FIELD_MAX_CHARS:,} characters (CSV_FIELD_MAX_CHARS in sim/limits.py)"
        message = f"{where}: a value of {len(value):,} characters; at most {limit}"
        raise InputError(message, source=path, line=line)
    return value
