"""Broken usage files of each format (stream CSV, Teams PSTN, Skype, Graph) via backtest."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from tests.calls.exports import traversal_zip, zip_bomb
from tests.corpus.harness import Case
from tests.corpus.inputs import (
    CALLS,
    SKYPE_TEXT,
    STREAM_HEADER,
    STREAM_ROW,
    TEAMS_TEXT,
    skype,
    stream,
    stream_row,
    teams,
)

B = ("backtest", CALLS)
BIG_CHARGE = "92233720368547758.07"
"""2^63 - 1 cents: the largest int64 in minor units."""
DUPLICATES = (
    "issue 11 item 8: a UsageId repeated on two different rows is not reported "
    "(duplicate legs are found by their content)"
)
_WIDE = "x" * 200_000

STREAM = [
    Case("stream-empty-file", B, {CALLS: ""}, names="calls.csv"),
    Case("stream-header-only", B, stream(), names="calls.csv"),
    Case(
        "stream-wrong-header",
        B,
        stream(STREAM_ROW, header="begin,finish,what,cost"),
        names="calls.csv:1",
    ),
    Case("stream-binary", B, {CALLS: bytes(range(256)) * 16}, names="calls.csv"),
    Case(
        "stream-not-utf8",
        B,
        {
            CALLS: f"{STREAM_HEADER}\n".encode()
            + b"2025-01-06T09:00:00Z,2025-01-06T09:45:00Z,toll_free_dial_in,3\xff\n"
        },
        names="calls.csv:2",
    ),
    Case(
        "stream-utf16",
        B,
        {CALLS: f"{STREAM_HEADER}\n{STREAM_ROW}\n".encode("utf-16")},
        names="calls.csv",
    ),
    Case("stream-charge-text", B, stream(stream_row(charge="abc")), names="calls.csv:2"),
    Case("stream-charge-negative", B, stream(stream_row(charge="-5")), names="calls.csv:2"),
    Case("stream-charge-nan", B, stream(stream_row(charge="NaN")), names="calls.csv:2"),
    Case("stream-charge-inf", B, stream(stream_row(charge="inf")), names="calls.csv:2"),
    Case("stream-charge-exponent", B, stream(stream_row(charge="1e30")), names="calls.csv:2"),
    Case(
        "stream-charge-near-2^63",
        B,
        stream(stream_row(charge=BIG_CHARGE)),
        names="calls.csv:2",
    ),
    Case(
        "stream-charge-beyond-int64",
        B,
        stream(stream_row(charge="922337203685477580700")),
        names="calls.csv:2",
    ),
    Case("stream-charge-sub-cent", B, stream(stream_row(charge="0.001")), names="calls.csv:2"),
    Case(
        "stream-start-year-9999",
        B,
        stream(stream_row(start="9999-12-31T23:00:00Z", end="9999-12-31T23:30:00Z")),
        names="calls.csv:2",
    ),
    Case(
        "stream-start-year-1",
        B,
        stream(stream_row(start="0001-01-01T00:00:00Z", end="0001-01-01T00:30:00Z")),
        names="calls.csv:2",
    ),
    Case("stream-start-not-a-date", B, stream(stream_row(start="soon")), names="calls.csv:2"),
    Case("stream-start-no-offset", B, stream(stream_row(start="2025-01-06 09:00")), exit=None),
    Case(
        "stream-end-before-start",
        B,
        stream(stream_row(end="2025-01-06T08:00:00Z")),
        names="calls.csv:2",
    ),
    Case(
        "stream-call-of-8000-years",
        B,
        stream(stream_row(end="9999-01-01T00:00:00Z")),
        names="calls.csv:2",
    ),
    Case("stream-service-empty", B, stream(stream_row(service="")), names="calls.csv:2"),
    Case(
        "stream-credit-billed-maybe",
        B,
        stream(stream_row() + ",maybe", header=STREAM_HEADER + ",credit_billed"),
        names="calls.csv:2",
    ),
    Case(
        "stream-currency-unknown",
        B,
        stream(stream_row() + ",XYZ", header=STREAM_HEADER + ",currency"),
        names="calls.csv:2",
    ),
    Case(
        "stream-currencies-mixed",
        B,
        stream(stream_row() + ",USD", stream_row() + ",EUR", header=STREAM_HEADER + ",currency"),
        names="calls.csv:3",
    ),
    Case("stream-unquoted-comma", B, stream(stream_row(service="toll,free")), names="calls.csv:2"),
    Case("stream-blank-line-between", B, stream(STREAM_ROW, "", STREAM_ROW), names="calls.csv:3"),
    Case("stream-unterminated-quote", B, stream('"' + STREAM_ROW), names="calls.csv"),
    Case("stream-nul-byte", B, stream(stream_row(service="toll\x00free")), exit=None),
    Case(
        "stream-header-field-200k",
        B,
        stream(STREAM_ROW, header=STREAM_HEADER + "," + _WIDE),
        names="calls.csv:1",
    ),
    Case("stream-data-field-200k", B, stream(stream_row(service=_WIDE)), names="calls.csv:2"),
    Case(
        "stream-header-no-newline-2mb",
        B,
        {CALLS: "s" * 2_000_000},
        names="calls.csv",
    ),
    Case("stream-duplicate-rows", B, stream(STREAM_ROW, STREAM_ROW), exit=0),
]

TEAMS = [
    Case("teams-duration-seconds-text", B, teams("Duration Seconds", "abc"), exit=None),
    Case(
        "teams-duration-seconds-beyond-int64",
        B,
        teams("Duration Seconds", "99999999999999999999"),
        exit=None,
    ),
    Case(
        "teams-end-year-9999",
        B,
        teams("End Time", "9999-12-31T23:59:00Z"),
        names="calls.csv:2",
    ),
    Case(
        "teams-call-of-a-century",
        B,
        teams("End Time", "2125-01-02T08:17:29Z"),
        names="calls.csv:2",
    ),
    Case(
        "teams-charge-near-2^63",
        B,
        teams("Charge", BIG_CHARGE),
        names="calls.csv:2",
    ),
    Case("teams-charge-text", B, teams("Charge", "lots"), names="calls.csv:2"),
    Case("teams-connection-fee-text", B, teams("Connection Fee", "x"), names="calls.csv:2"),
    Case(
        "teams-start-year-9999",
        B,
        teams("Start Time", "9999-12-31T23:00:00Z", "End Time", "9999-12-31T23:59:00Z"),
        names="calls.csv:2",
    ),
    Case("teams-start-garbage", B, teams("Start Time", "31/12/2025"), names="calls.csv:2"),
    Case("teams-currency-unknown", B, teams("Currency", "???"), names="calls.csv:2"),
    Case(
        "teams-header-missing-charge",
        B,
        {CALLS: TEAMS_TEXT.replace(",Charge,", ",Cost,", 1)},
        names="calls.csv:1",
    ),
    Case(
        "teams-header-field-200k",
        B,
        {CALLS: TEAMS_TEXT.replace("Capability", "Capability," + _WIDE, 1)},
        names="calls.csv:1",
    ),
    Case(
        "teams-row-truncated",
        B,
        {CALLS: TEAMS_TEXT[: TEAMS_TEXT.index("\n", 400) - 30] + "\n"},
        names="calls.csv:2",
    ),
    Case(
        "teams-duplicate-usage-id",
        B,
        teams("UsageId", TEAMS_TEXT.splitlines()[2].split(",")[0]),
        exit=0,
        says="duplicate",
    ),
    Case(
        "teams-duplicate-row",
        B,
        {CALLS: TEAMS_TEXT + TEAMS_TEXT.splitlines()[1] + "\n"},
        exit=0,
        says="duplicate",
    ),
]

SKYPE = [
    Case("skype-duration-bad", B, skype("Duration", "25:99:00"), names="calls.csv:2"),
    Case(
        "skype-duration-huge",
        B,
        skype("Duration", "99999999999:00:00"),
        names="calls.csv:2",
    ),
    Case(
        "skype-start-year-9999",
        B,
        skype("Start Time (UTC)", "9999-12-31 23:59:59"),
        names="calls.csv:2",
    ),
    Case("skype-charge-comma", B, skype("Charge", "1,5"), names="calls.csv:2"),
    Case(
        "skype-charge-near-2^63",
        B,
        skype("Charge", BIG_CHARGE),
        names="calls.csv:2",
    ),
    Case("skype-header-only", B, {CALLS: SKYPE_TEXT.splitlines()[0] + "\n"}, names="calls.csv"),
    Case(
        "skype-duplicate-row",
        B,
        {CALLS: SKYPE_TEXT + SKYPE_TEXT.splitlines()[1] + "\n"},
        exit=0,
        says="duplicate",
    ),
]

_RECORD = (
    '{"id": "r1", "callType": "user_out", "destinationContext": "Domestic",'
    ' "startDateTime": "2024-03-04T09:00:00Z", "endDateTime": "2024-03-04T09:10:00Z",'
    ' "duration": 600, "charge": CHARGE, "currency": "USD", "licenseCapability": "MCOPSTN1"}'
)
GRAPH = [
    Case("graph-json-truncated", B, {CALLS: '{\n "value": [\n'}, names="calls.csv:3"),
    Case("graph-json-deep", B, {CALLS: "[" * 200_000}, names="calls.csv"),
    Case(
        "graph-json-negative-charge",
        B,
        {CALLS: '{"value": [' + _RECORD.replace("CHARGE", "-1") + "]}"},
        names="$.value[0].charge",
    ),
    Case(
        "graph-json-big-charge",
        B,
        {CALLS: '{"value": []}\n{"value": [' + _RECORD.replace("CHARGE", BIG_CHARGE) + "]}\n"},
        names="calls.csv:2",
    ),
    Case("graph-json-not-pages", B, {CALLS: "[1, 2, 3]"}, names="$[0]"),
    Case(
        "graph-csv-lacks-column",
        B,
        {CALLS: "id,callType,startDateTime,endDateTime,charge,currency\n"},
        names="calls.csv:1",
    ),
]

_FETCH = ("fetch", "--tenant", "t", "--client-id", "c", "-o", "data/out.json")
FETCH = [
    Case(
        "fetch-to-before-from",
        (*_FETCH, "--from", "2024-03-01", "--to", "2024-02-01"),
        names="--to",
    ),
    Case("fetch-bad-from", (*_FETCH, "--from", "last week", "--to", "2024-02-01"), names="--from"),
]

FILES = [
    Case("calls-is-folder", ("backtest", "data"), names="data"),
    Case("calls-missing", ("backtest", "data/none.csv"), names="none.csv"),
    Case("calls-etc-passwd", ("backtest", "/etc/passwd"), names="/etc/passwd"),
    Case("calls-proc-environ", ("backtest", "/proc/self/environ"), names="/proc/self/environ"),
    Case(
        "calls-dev-zero",
        ("backtest", "/dev/zero"),
        names="/dev/zero",
    ),
    Case("scenario-etc-passwd", ("validate", "/etc/passwd"), names="/etc/passwd"),
    Case("scenario-proc-environ", ("validate", "/proc/self/environ"), names="/proc/self/environ"),
    Case(
        "scenario-dev-zero",
        ("validate", "/dev/zero"),
        names="/dev/zero",
    ),
]

ZIP = "data/calls.zip"
_AMBIGUOUS = teams("Start Time", "03/04/2024 15:00", "End Time", "03/04/2024 15:12")


def _two_orders() -> str:
    """The Teams example whose first row is day-first (13/01) and second month-first (01/13)."""
    header, first, second, *rest = csv.reader(io.StringIO(TEAMS_TEXT))
    start, end = header.index("Start Time"), header.index("End Time")
    first[start], first[end] = "13/01/2025 08:00", "13/01/2025 08:10"
    second[start], second[end] = "01/13/2025 09:00", "01/13/2025 09:10"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, first, second, *rest])
    return out.getvalue()


_DR_HEADER = "Correlation ID,SIP Address,Call Type,Failure time"

EXPORTS = [
    Case("zip-bomb", ("backtest", ZIP), setup=lambda d: _zip(zip_bomb, d), names="calls.zip"),
    Case(
        "zip-member-path-traversal",
        ("backtest", ZIP),
        setup=lambda d: _zip(traversal_zip, d),
        names="calls.zip",
    ),
    Case("zip-truncated", ("backtest", ZIP), {ZIP: b"PK\x03\x04" + bytes(40)}, names="calls.zip"),
    Case("excel-dates-ambiguous", B, _AMBIGUOUS, names="calls.csv:2"),
    Case("excel-dates-mixed-orders", B, {CALLS: _two_orders()}, names="calls.csv:3"),
    Case(
        "direct-routing-no-start-column",
        B,
        {CALLS: f"{_DR_HEADER}\nc1,sip:a@b,dr_out,2025-01-03T11:00:09Z\n"},
        names="calls.csv:1",
    ),
]


def _zip(build: Callable[[Path], Path], folder: Path) -> None:
    (folder / "data").mkdir(exist_ok=True)
    build(folder / ZIP)


CASES = [*STREAM, *TEAMS, *SKYPE, *GRAPH, *FETCH, *FILES, *EXPORTS]
