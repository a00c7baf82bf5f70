"""The header line of a usage file: which format it is and where each column sits.

Why a module of its own: the formats (Teams, Skype for Business, the canonical
stream CSV, Graph's camelCase CSV) are told apart by the names in the header
alone (Graph JSON by its first character), before any row is read; both the
row parsers (``sim.calls.usage_rows``) and the file reader (``sim.calls.usage``)
need the result, and neither should import the other.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sim.account.money import Currency
from sim.errors import InputError
from sim.limits import CSV_FIELD_MAX_CHARS


class UsageFormat(StrEnum):
    """The accepted layouts, told apart by the names in the header line."""

    STREAM = "stream"
    TEAMS = "teams"
    SKYPE = "skype"
    DIRECT_ROUTING = "direct_routing"
    GRAPH_CSV = "graph-csv"
    GRAPH_JSON = "graph-json"


STREAM_REQUIRED = ("start", "end", "service", "charge")
STREAM_OPTIONAL = ("credit_billed", "currency")
TEAMS_COLUMNS = (
    "UsageId", "Call ID", "Conference ID", "User Location", "AAD ObjectId", "UPN",
    "User Display Name", "Caller ID", "Call Type", "Number Type", "Domestic/International",
    "Destination Dialed", "Destination Number", "Start Time", "End Time", "Duration Seconds",
    "Connection Fee", "Charge", "Currency", "Capability",
)  # fmt: skip
TEAMS_REQUIRED = (
    "Call Type", "Number Type", "Domestic/International", "Start Time", "End Time",
    "Duration Seconds", "Connection Fee", "Charge", "Currency", "Capability",
)  # fmt: skip
SKYPE_COLUMNS = (
    "Call ID", "User ID", "Phone number", "User location", "Caller ID", "Call type",
    "Domestic/International", "Destination dialed", "Number type", "Start Time (UTC)",
    "Duration", "ConfID", "Charge", "Currency", "Capability",
)  # fmt: skip
SKYPE_REQUIRED = (
    "Call type", "Number type", "Domestic/International", "Start Time (UTC)", "Duration",
    "Charge", "Currency", "Capability",
)  # fmt: skip
# The Direct Routing report of the admin center (docs/cli.md): a row is a call on the
# tenant's own carrier, never credit-billed; only its call type and times are read.
# A call's start is its Start time, else (a failed call) its Invite time; its end the End
# time, else the Failure time; names with or without " (UTC)".
DIRECT_ROUTING_REQUIRED = ("Call Type",)
DIRECT_ROUTING_STARTS = ("start time", "start time (utc)", "invite time", "invite time (utc)")
DIRECT_ROUTING_ENDS = ("end time", "end time (utc)", "failure time", "failure time (utc)")
_DIRECT_ROUTING_HINTS = frozenset({"correlation id", "sip address", "invite time"})
GRAPH_ALIASES = {
    "id": "usageid", "callid": "call id", "conferenceid": "conference id",
    "userid": "aad objectid", "userprincipalname": "upn", "userdisplayname": "user display name",
    "callernumber": "caller id", "calltype": "call type", "inventorytype": "number type",
    "destinationcontext": "domestic/international", "destinationname": "destination dialed",
    "calleenumber": "destination number", "startdatetime": "start time",
    "enddatetime": "end time", "duration": "duration seconds",
    "connectioncharge": "connection fee", "charge": "charge", "currency": "currency",
    "licensecapability": "capability",
}  # fmt: skip
"""Graph's ``pstnCallLogRow`` property (lowercased) -> the Teams column it carries, so the
Teams row parser and duplicate rules read Graph records unchanged."""
GRAPH_FIELDS = (
    "id", "callId", "conferenceId", "userId", "userPrincipalName", "userDisplayName",
    "callerNumber", "callType", "inventoryType", "destinationContext", "destinationName",
    "calleeNumber", "startDateTime", "endDateTime", "duration", "connectionCharge", "charge",
    "currency", "licenseCapability",
)  # fmt: skip
"""The properties of a Graph record that are read, as Graph spells them."""
GRAPH_REQUIRED = (
    "callType", "destinationContext", "startDateTime", "endDateTime", "duration", "charge",
    "currency", "licenseCapability",
)  # fmt: skip
_GRAPH_HINTS = frozenset({"startdatetime", "calltype", "destinationcontext", "licensecapability"})
_SKYPE_HINTS = frozenset({"start time (utc)", "user id", "confid", "phone number"})
_TEAMS_HINTS = frozenset({"usageid", "upn", "start time", "duration seconds", "call type"})
_UNKNOWN_HEADER = (
    f"unrecognised header; expected one of: stream: {','.join(STREAM_REQUIRED)} (any order,"
    f" optional {' and '.join(STREAM_OPTIONAL)}); teams (comma-separated):"
    f" {','.join(TEAMS_COLUMNS)}; skype (TAB-separated): {','.join(SKYPE_COLUMNS)};"
    f" direct routing: Correlation ID,SIP Address,Call Type,Invite time; graph"
    f" (camelCase, any order): {','.join(GRAPH_REQUIRED)}; or a Graph getPstnCalls JSON response"
)


@dataclass(frozen=True)
class Layout:
    """What the header line told us: delimiter, column names as written, their positions."""

    delimiter: str
    header: tuple[str, ...]
    columns: dict[str, int]  # lowercased name -> index
    requested: Currency | None
    format: UsageFormat


def read_layout(first_line: str, path: Path, requested: Currency | None) -> Layout:
    """The layout a header line describes; InputError names what is missing or repeated.

    A first line that starts with ``{`` or ``[`` is a Graph JSON response, whose
    records are read as rows of ``GRAPH_FIELDS`` (``sim.calls.graph_json``).
    """
    if first_line.lstrip()[:1] in ("{", "["):
        columns = _graph_columns(_column_map(GRAPH_FIELDS, path))
        return Layout(",", GRAPH_FIELDS, columns, requested, UsageFormat.GRAPH_JSON)
    # The delimiter is sniffed, not tied to the format: Excel re-saves either report either way.
    delimiter = "\t" if "\t" in first_line else ","
    try:
        names = next(csv.reader([first_line], delimiter=delimiter, strict=True), [])
    except csv.Error as exc:  # an unclosed quote, say
        raise InputError(f"malformed CSV header ({exc})", source=path, line=1) from None
    header = tuple(name.strip() for name in names)
    longest = max(header, key=len, default="")
    if len(longest) > CSV_FIELD_MAX_CHARS:
        # a name that long is not a column of any format: say so without echoing it
        limit = f"{CSV_FIELD_MAX_CHARS:,} characters (CSV_FIELD_MAX_CHARS in sim/limits.py)"
        message = f"a header name of {len(longest):,} characters; at most {limit}"
        raise InputError(message, source=path, line=1)
    columns = _column_map(header, path)
    found = _detect(columns, path)
    if found is UsageFormat.GRAPH_CSV:
        columns = _graph_columns(columns)
    return Layout(delimiter, header, columns, requested, found)


def _graph_columns(columns: dict[str, int]) -> dict[str, int]:
    """Graph's names renamed to the Teams columns they carry (others are not read)."""
    return {GRAPH_ALIASES[name]: i for name, i in columns.items() if name in GRAPH_ALIASES}


def _column_map(header: tuple[str, ...], path: Path) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.lower()
        if key in columns and key:
            raise InputError(f"column {name!r} appears twice in the header", source=path, line=1)
        columns[key] = index
    return columns


def _detect(columns: dict[str, int], path: Path) -> UsageFormat:
    """Pick the format by header names; then insist on the columns it needs."""
    if all(name in columns for name in STREAM_REQUIRED):
        return UsageFormat.STREAM
    required: tuple[str, ...]
    if columns.keys() & _DIRECT_ROUTING_HINTS:
        fmt, required, label = (
            UsageFormat.DIRECT_ROUTING,
            DIRECT_ROUTING_REQUIRED,
            "Direct Routing report",
        )
    elif columns.keys() & _GRAPH_HINTS:
        fmt, required, label = UsageFormat.GRAPH_CSV, GRAPH_REQUIRED, "Graph PSTN call log"
    elif columns.keys() & _SKYPE_HINTS:
        fmt, required, label = UsageFormat.SKYPE, SKYPE_REQUIRED, "Skype for Business report"
    elif columns.keys() & _TEAMS_HINTS:
        fmt, required, label = UsageFormat.TEAMS, TEAMS_REQUIRED, "Teams PSTN usage report"
    else:
        raise InputError(_UNKNOWN_HEADER, source=path, line=1)
    missing = ", ".join(repr(name) for name in required if name.lower() not in columns)
    if fmt is UsageFormat.DIRECT_ROUTING and not columns.keys() & set(DIRECT_ROUTING_STARTS):
        missing = ", ".join(filter(None, (missing, "'Start time' or 'Invite time'")))
    if missing:
        raise InputError(f"the {label} header lacks column(s) {missing}", source=path, line=1)
    return fmt
