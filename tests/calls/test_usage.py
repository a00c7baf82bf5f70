"""Tests for reading recorded usage files (Teams, Skype for Business, canonical CSV)."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sim.account.clock import MICROS_PER_SECOND, Instant
from sim.account.money import currency
from sim.account.stream import Call
from sim.calls.usage import UsageFile, open_usage
from sim.calls.usage_layout import SKYPE_COLUMNS, TEAMS_COLUMNS, UsageFormat
from sim.errors import InputError
from tests.paths import FIXTURES

TEAMS = FIXTURES / "teams_pstn_calls.csv"
SKYPE = FIXTURES / "skype_pstn_calls.csv"
STREAM = FIXTURES / "stream_calls.csv"


def at(text: str) -> Instant:
    """An ISO timestamp as an Instant, computed independently of the code under test."""
    moment = datetime.fromisoformat(text)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def read_all(path: Path, **kwargs: str) -> tuple[UsageFile, list[Call]]:
    usage = open_usage(path, **kwargs)
    return usage, list(usage.calls())


TEAMS_DEFAULTS = {
    "UsageId": "6f1c2a3e-8a52-4d0e-9a43-1f0b2c9d7e11",
    "Call ID": "0b9f2c4d-1e6a-4f2b-8c3d-5a7e9f1b2c3d",
    "Conference ID": "",
    "User Location": "US",
    "AAD ObjectId": "3c2b1a09-8f7e-4d6c-5b4a-39281706f5e4",
    "UPN": "jane.doe@contoso.com",
    "User Display Name": "Doe, Jane",
    "Caller ID": "+14255550100",
    "Call Type": "user_out",
    "Number Type": "user",
    "Domestic/International": "Domestic",
    "Destination Dialed": "United States",
    "Destination Number": "+12065550123",
    "Start Time": "2024-03-04T15:00:00Z",
    "End Time": "2024-03-04T15:02:00Z",
    "Duration Seconds": "120",
    "Connection Fee": "0.00",
    "Charge": "0.44",
    "Currency": "USD",
    "Capability": "MCOPSTNPP",
}

SKYPE_DEFAULTS = {
    "Call ID": "9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a",
    "User ID": "sip:raj.patel@contoso.com",
    "Phone number": "+12065550111",
    "User location": "US",
    "Caller ID": "+12065550111",
    "Call type": "user_out",
    "Domestic/International": "Domestic",
    "Destination dialed": "United States",
    "Number type": "No data",
    "Start Time (UTC)": "2016-05-03 09:12:45",
    "Duration": "0:04:32",
    "ConfID": "No data",
    "Charge": "0.34",
    "Currency": "USD",
    "Capability": "MCOPSTN2",
}


def write_teams(
    path: Path, *rows: dict[str, str], columns: tuple[str, ...] = TEAMS_COLUMNS
) -> Path:
    """A Teams report whose rows are the defaults with the given fields replaced.

    Each row gets a UsageId of its own unless it names one: Teams' record id is
    unique per row, and a repeated one is a duplicate record (tests/calls/test_duplicates.py).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for number, row in enumerate(rows):
        own = {"UsageId": f"{TEAMS_DEFAULTS['UsageId'][:-4]}{number:04d}"}
        writer.writerow([{**TEAMS_DEFAULTS, **own, **row}.get(name, "") for name in columns])
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def write_skype(path: Path, *rows: dict[str, str]) -> Path:
    lines = ["\t".join(SKYPE_COLUMNS)]
    lines += ["\t".join({**SKYPE_DEFAULTS, **row}[name] for name in SKYPE_COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def expect_error(path: Path, line: int | None, column: str | None, text: str) -> InputError:
    """Read the whole file and check the error names the right place and cause."""
    with pytest.raises(InputError) as caught:
        read_all(path)
    err = caught.value
    assert (err.line, err.column) == (line, column), str(err)
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert str(err).startswith(where + (f"column {column!r}: " if column else "")), str(err)
    assert text in err.message, err.message
    return err


# --- format detection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [(TEAMS, UsageFormat.TEAMS), (SKYPE, UsageFormat.SKYPE), (STREAM, UsageFormat.STREAM)],
)
def test_detects_each_format_from_the_header(path: Path, fmt: UsageFormat) -> None:
    usage = open_usage(path)
    assert usage.format is fmt
    assert usage.rows == 0  # nothing read yet beyond the header


def test_stream_header_is_case_and_space_insensitive_in_any_order(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "s.csv",
        " Charge , SERVICE,End,start\n0.44,dial_out,2024-01-01T00:01:00Z,2024-01-01T00:00:00Z\n",
    )
    usage, calls = read_all(path)
    assert usage.format is UsageFormat.STREAM
    assert calls == [
        Call(at("2024-01-01T00:00:00Z"), at("2024-01-01T00:01:00Z"), "dial_out", 44, True, 2)
    ]


def test_teams_header_names_are_matched_case_insensitively(tmp_path: Path) -> None:
    header = ",".join(f" {c.upper()} " for c in TEAMS_COLUMNS)
    body = ",".join(f'"{TEAMS_DEFAULTS[c]}"' for c in TEAMS_COLUMNS)
    usage, calls = read_all(write_text(tmp_path / "t.csv", f"{header}\n{body}\n"))
    assert usage.format is UsageFormat.TEAMS
    assert calls[0].service == "domestic_outbound" and calls[0].charge_minor == 44


def test_unknown_header_lists_the_three_accepted_headers(tmp_path: Path) -> None:
    path = write_text(tmp_path / "x.csv", "date,amount\n2024-01-01,3\n")
    with pytest.raises(InputError) as caught:
        open_usage(path)
    err = caught.value
    assert err.line == 1
    assert "start,end,service,charge" in err.message
    assert ",".join(TEAMS_COLUMNS) in err.message
    assert ",".join(SKYPE_COLUMNS) in err.message


def test_teams_header_missing_required_columns_names_them(tmp_path: Path) -> None:
    columns = tuple(c for c in TEAMS_COLUMNS if c not in ("Connection Fee", "Currency"))
    path = write_teams(tmp_path / "t.csv", {}, columns=columns)
    with pytest.raises(InputError) as caught:
        open_usage(path)
    assert caught.value.line == 1
    assert "'Connection Fee', 'Currency'" in caught.value.message


def test_duplicate_header_column_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "s.csv", "start,end,service,charge,Charge\n")
    with pytest.raises(InputError, match="'Charge' appears twice") as caught:
        open_usage(path)
    assert caught.value.line == 1


def test_tab_delimited_teams_export_is_accepted(tmp_path: Path) -> None:
    header = "\t".join(TEAMS_COLUMNS)
    body = "\t".join(TEAMS_DEFAULTS[c] for c in TEAMS_COLUMNS)
    usage, calls = read_all(write_text(tmp_path / "t.csv", f"{header}\n{body}\n"))
    assert usage.format is UsageFormat.TEAMS
    assert calls[0].charge_minor == 44


# --- the Teams fixture ------------------------------------------------------------------


def test_teams_fixture_has_a_bom_and_quoted_commas() -> None:
    raw = TEAMS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b'"Doe, Jane"' in raw


def test_teams_fixture_calls_exactly() -> None:
    usage, calls = read_all(TEAMS)
    by_line = {call.ref: call for call in calls}
    assert [call.ref for call in calls] == list(range(2, 16))  # file order, one per row
    assert by_line[2] == Call(
        at("2024-03-04T15:00:00+00:00"),
        at("2024-03-04T15:12:00+00:00"),
        "toll_free_dial_in",
        26,
        True,
        2,
    )
    assert by_line[3] == Call(
        at("2024-03-04T15:01:30+00:00"), at("2024-03-04T15:31:30+00:00"), "inbound", 0, False, 3
    )
    # conf_out: connection fee 0.05 + charge 0.08
    assert by_line[4] == Call(
        at("2024-03-04T15:05:00+00:00"), at("2024-03-04T15:10:00+00:00"), "dial_out", 13, True, 4
    )
    assert by_line[5].service == "international" and by_line[5].charge_minor == 30
    assert by_line[6][2:5] == ("domestic_outbound", 0, False)
    assert by_line[7][2:5] == ("domestic_outbound", 4, True)
    assert by_line[8][2:5] == ("inbound", 0, False)
    assert by_line[9][2:5] == ("direct_routing", 0, False)
    assert by_line[10][2:5] == ("direct_routing", 0, False)
    assert by_line[11][2:5] == ("toll_free_dial_in", 7, True)  # ucap_in, "Toll free"
    assert by_line[12][2:5] == ("international", 46, True)  # user_out_transfer
    assert by_line[13][2:5] == ("dial_out", 3, True)  # user_out_conf
    # blank End Time: start + Duration Seconds (95 s); display name "O'Brien, Seán"
    start = at("2024-03-09T13:45:10+00:00")
    assert by_line[14] == Call(
        start, start + 95 * MICROS_PER_SECOND, "domestic_outbound", 2, True, 14
    )
    assert by_line[15][2:5] == ("domestic_outbound", 1, True)  # ucap_out
    assert usage.rows == 14
    # no charge under the Audio Conferencing licence (1) or a Calling Plan (2)
    assert usage.not_credit_billed == Counter(
        audio_conferencing=1, calling_plan=2, direct_routing=2
    )
    assert usage.charged_under_plan == 0
    assert usage.currency == currency("USD")


# --- the Skype fixture ------------------------------------------------------------------


def test_skype_fixture_calls_exactly() -> None:
    usage, calls = read_all(SKYPE)
    assert [call.ref for call in calls] == list(range(2, 9))
    first = at("2016-05-02T14:03:11+00:00")
    assert calls[0] == Call(
        first, first + 720 * MICROS_PER_SECOND, "toll_free_dial_in", 26, True, 2
    )
    assert calls[1][2:5] == ("inbound", 0, False)  # conf_in on a toll number
    third = at("2016-05-03T09:12:45+00:00")  # 0:04:32, Number type and ConfID "No data"
    assert calls[2] == Call(third, third + 272 * MICROS_PER_SECOND, "international", 34, True, 4)
    assert calls[3].end - calls[3].start == 95 * MICROS_PER_SECOND  # plain seconds
    assert calls[4].end - calls[4].start == 425 * MICROS_PER_SECOND  # 00:07:05
    assert calls[4][2:5] == ("dial_out", 21, True)
    # Currency "No data" on a free call is allowed; 1:02:03 is 3723 s
    assert calls[5][2:5] == ("inbound", 0, False)
    assert calls[5].end - calls[5].start == 3723 * MICROS_PER_SECOND
    assert calls[6][2:5] == ("toll_free_dial_in", 4, True)  # "T" separator also accepted
    assert usage.not_credit_billed == Counter(audio_conferencing=1, calling_plan=2)
    # an MCOPSTN2 (International Calling Plan) row with a charge: billed as charged, counted
    assert (usage.charged_under_plan, usage.first_charged_under_plan) == (1, 4)
    assert usage.rows == 7
    assert usage.currency == currency("USD")


def test_skype_no_data_in_a_required_field_is_an_empty_value(tmp_path: Path) -> None:
    path = write_skype(tmp_path / "s.csv", {"Duration": "No data"})
    expect_error(path, 2, "Duration", "duration '' is not whole seconds or h:mm:ss")


def test_skype_no_data_in_charge_is_a_free_call(tmp_path: Path) -> None:
    path = write_skype(tmp_path / "s.csv", {"Charge": "No data", "Currency": "No data"})
    usage, calls = read_all(path)
    assert calls[0][3:5] == (0, False)
    assert usage.not_credit_billed == Counter(calling_plan=1)  # SKYPE_DEFAULTS: MCOPSTN2


# --- the canonical stream fixture -------------------------------------------------------


def test_stream_fixture_calls_exactly() -> None:
    usage, calls = read_all(STREAM)
    assert calls[0] == Call(
        at("2024-03-04T17:00:00+00:00"),
        at("2024-03-04T17:12:00+00:00"),
        "toll_free_dial_in",
        26,
        True,
        2,
    )
    # credit_billed false with a charge: posted, not subject to blocking
    assert calls[1] == Call(
        at("2024-03-04T17:00:00+00:00"),
        at("2024-03-04T17:05:30+00:00"),
        "international",
        75,
        False,
        3,
    )
    assert calls[2][2:5] == ("inbound", 0, False)
    assert calls[3][2:5] == ("dial_out", 120, True)  # blank credit_billed: charge > 0
    assert calls[4][2:5] == ("dial_out, EMEA bridge", 44, True)  # quoted comma, "YES", "usd"
    assert calls[5][2:5] == ("inbound", 0, False)
    assert calls[5].start == calls[5].end
    assert usage.rows == 6  # the trailing blank line is not a row
    assert usage.not_credit_billed == Counter(zero_charge=2, drew_on_pool=1)


def test_stream_without_currency_column_uses_currency_code(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "s.csv",
        "start,end,service,charge\n2024-01-01T09:00:00+09:00,2024-01-01T09:05:00+09:00,x,44\n",
    )
    usage, calls = read_all(path, currency_code="JPY")
    assert usage.currency == currency("JPY")
    assert calls[0].charge_minor == 44
    assert calls[0].start == at("2024-01-01T00:00:00+00:00")


def test_stream_without_currency_defaults_to_usd(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "s.csv", "start,end,service,charge\n2024-01-01T00:00Z,2024-01-01T00:01Z,x,1.5\n"
    )
    usage, calls = read_all(path)
    assert usage.currency == currency("USD")
    assert calls[0].charge_minor == 150


def test_bom_on_a_stream_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(
        b"\xef\xbb\xbfstart,end,service,charge\r\n2024-01-01T00:00Z,2024-01-01T00:01Z,x,1\r\n"
    )
    usage, calls = read_all(path)
    assert usage.format is UsageFormat.STREAM
    assert calls[0].charge_minor == 100


# --- service mapping and billing rules --------------------------------------------------


@pytest.mark.parametrize(
    ("call_type", "number_type", "scope", "service"),
    [
        ("conf_in", "toll_free", "Domestic", "toll_free_dial_in"),
        ("CONF_IN", "Toll Free", "Domestic", "toll_free_dial_in"),
        ("user_in", "tollfree", "Domestic", "toll_free_dial_in"),
        ("ucap_in", "toll", "Domestic", "inbound"),
        ("user_in", "user", "International", "inbound"),
        ("conf_out", "user", "International", "dial_out"),
        ("user_out_conf", "user", "Domestic", "dial_out"),
        ("user_out", "user", "INTERNATIONAL", "international"),
        ("user_out_forwarding", "user", "International", "international"),
        ("ucap_out", "service", "Domestic", "domestic_outbound"),
        ("user_out_transfer", "user", "", "domestic_outbound"),
        ("Emergency_Out", "user", "Domestic", "emergency_out"),
    ],
)
def test_service_mapping(
    tmp_path: Path, call_type: str, number_type: str, scope: str, service: str
) -> None:
    row = {"Call Type": call_type, "Number Type": number_type, "Domestic/International": scope}
    _, calls = read_all(write_teams(tmp_path / "t.csv", row))
    assert calls[0][2:5] == (service, 44, True)


def test_direct_routing_is_never_credit_billed_even_with_a_charge(tmp_path: Path) -> None:
    rows = (
        {"Call Type": "dr_out", "Charge": "1.25", "Connection Fee": "0.05"},
        {"Call Type": "DR_IN"},
    )
    usage, calls = read_all(write_teams(tmp_path / "t.csv", *rows))
    assert [c[2:5] for c in calls] == [("direct_routing", 0, False)] * 2
    assert usage.not_credit_billed == Counter(direct_routing=2)


def test_connection_fee_alone_makes_a_call_credit_billed(tmp_path: Path) -> None:
    rows = ({"Charge": "0.00", "Connection Fee": "0.05"}, {"Charge": "0.00", "Connection Fee": ""})
    usage, calls = read_all(write_teams(tmp_path / "t.csv", *rows))
    assert [c[3:5] for c in calls] == [(5, True), (0, False)]
    assert usage.not_credit_billed == Counter(zero_charge=1)


def test_blank_currency_allowed_on_free_rows_and_currency_taken_from_later_rows(
    tmp_path: Path,
) -> None:
    rows = ({"Charge": "0.00", "Currency": ""}, {"Charge": "1.50", "Currency": "EUR"})
    usage, calls = read_all(write_teams(tmp_path / "t.csv", *rows))
    assert usage.currency == currency("EUR")
    assert [c.charge_minor for c in calls] == [0, 150]


def test_file_without_any_currency_uses_currency_code(tmp_path: Path) -> None:
    path = write_teams(tmp_path / "t.csv", {"Charge": "0.00", "Currency": ""})
    usage, _ = read_all(path, currency_code="GBP")
    assert usage.currency == currency("GBP")


def test_currency_decides_the_minor_unit(tmp_path: Path) -> None:
    path = write_teams(
        tmp_path / "t.csv", {"Charge": "12", "Connection Fee": "3", "Currency": "JPY"}
    )
    usage, calls = read_all(path, currency_code="jpy")
    assert usage.currency == currency("JPY")
    assert calls[0].charge_minor == 15


# --- laziness and blank lines -----------------------------------------------------------


def test_calls_is_lazy_and_single_use() -> None:
    usage = open_usage(TEAMS)
    calls = usage.calls()
    assert isinstance(calls, Iterator)
    assert next(calls).ref == 2
    assert usage.rows == 1  # only the first data row has been read
    with pytest.raises(RuntimeError, match="already iterated"):
        usage.calls()


def test_trailing_blank_lines_are_ignored_but_inner_ones_are_refused(tmp_path: Path) -> None:
    ok = write_text(
        tmp_path / "ok.csv",
        "start,end,service,charge\n2024-01-01T00:00Z,2024-01-01T00:01Z,x,1\n\n,,,\n\n",
    )
    usage, calls = read_all(ok)
    assert len(calls) == usage.rows == 1
    bad = write_text(
        tmp_path / "bad.csv",
        "start,end,service,charge\n2024-01-01T00:00Z,2024-01-01T00:01Z,x,1\n\n2024-01-01T00:00Z,2024-01-01T00:01Z,x,1\n",
    )
    expect_error(bad, 3, None, "blank line before more data rows")


def stream_lines(rows: int) -> Iterator[str]:
    yield "start,end,service,charge,credit_billed\n"
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(rows):
        start = base + timedelta(seconds=37 * i)
        end = start + timedelta(seconds=61 + i % 900)
        charge = f"{(i % 250) / 100:.2f}"
        yield f"{start.isoformat()},{end.isoformat()},toll_free_dial_in,{charge},{i % 3 != 0}\n"


STREAMED_ROWS = 10_000
"""Rows of the streaming check: enough that holding them shows (a held ``Call`` costs about
270 bytes, 2.7 MB for all of them) while streaming peaks near 120 kB whatever the count."""


def test_10k_rows_stream_without_holding_rows_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(stream_lines(STREAMED_ROWS))
    assert path.stat().st_size > 750_000
    usage = open_usage(path)
    tracemalloc.start()
    try:
        count, total = 0, 0
        for call in usage.calls():
            count += 1
            total += call.charge_minor
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == usage.rows == STREAMED_ROWS
    assert total == sum(i % 250 for i in range(STREAMED_ROWS))
    assert peak < 50 * STREAMED_ROWS, f"peak {peak} bytes while streaming"  # 500 kB


# --- errors: each names the line and column ----------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the usage file") as caught:
        open_usage(tmp_path / "nope.csv")
    assert caught.value.source == str(tmp_path / "nope.csv")


def test_directory_is_not_a_usage_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the usage file"):
        open_usage(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the file is empty"):
        open_usage(write_text(tmp_path / "e.csv", ""))


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    body = "start,end,service,charge\n" + "2024-01-01T00:00Z,2024-01-01T00:01Z,x,1\n" * 3
    path.write_bytes(
        body.encode() + "2024-01-01T00:00Z,2024-01-01T00:01Z,caf\xe9,1\n".encode("latin-1")
    )
    with pytest.raises(InputError) as caught:
        open_usage(path)  # the decoder reads ahead: the error can surface at the header
    assert caught.value.line == 5
    assert "not UTF-8 text (byte 0xe9)" in caught.value.message


def test_non_utf8_bytes_deep_in_a_big_file_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    good = "2024-01-01T00:00Z,2024-01-01T00:01Z,x,1\n"
    path.write_bytes(("start,end,service,charge\n" + good * 5000).encode() + b"x,\xff\n")
    expect_error(path, 5002, None, "not UTF-8 text (byte 0xff)")


def test_wrong_number_of_fields(tmp_path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEAMS_COLUMNS)
    writer.writerow([TEAMS_DEFAULTS[c] for c in TEAMS_COLUMNS])
    writer.writerow([TEAMS_DEFAULTS[c] for c in TEAMS_COLUMNS[:19]])  # Capability missing
    err = expect_error(
        write_text(tmp_path / "t.csv", out.getvalue()), 3, None, "expected 20 fields"
    )
    assert "found 19" in err.message


def test_unquoted_comma_counted_after_a_multiline_quoted_field(tmp_path: Path) -> None:
    header = "start,end,service,charge\n"
    multi = '2024-01-01T00:00Z,2024-01-01T00:01Z,"two\nlines",1\n'
    bad = "2024-01-01T00:00Z,2024-01-01T00:01Z,Doe, Jane,1\n"
    err = expect_error(write_text(tmp_path / "s.csv", header + multi + bad), 4, None, "found 5")
    assert "expected 4 fields" in err.message


def test_unclosed_quote_names_where_the_record_started(tmp_path: Path) -> None:
    good = "2024-01-01T00:00Z,2024-01-01T00:01Z,x,1\n"
    text = f'start,end,service,charge\n{good}2024-01-01T00:00Z,2024-01-01T00:01Z,"x,1\n{good}{good}'
    err = expect_error(write_text(tmp_path / "s.csv", text), 5, None, "unexpected end of data")
    assert "record starting on line 3" in err.message


def test_stray_quote_inside_a_quoted_field(tmp_path: Path) -> None:
    text = 'start,end,service,charge\n2024-01-01T00:00Z,2024-01-01T00:01Z,"x"y,1\n'
    expect_error(write_text(tmp_path / "s.csv", text), 2, None, "malformed CSV")


def test_bad_timestamp(tmp_path: Path) -> None:
    path = write_teams(tmp_path / "t.csv", {}, {"Start Time": "2024-13-01T00:00:00Z"})
    expect_error(path, 3, "Start Time", "bad timestamp '2024-13-01T00:00:00Z'")


@pytest.mark.parametrize(
    ("start", "end", "column"),
    [
        ("2024-01-01T00:00", "2024-01-01T00:01Z", "start"),
        ("2024-01-01T00:00Z", "2024-01-01T00:01", "end"),
    ],
)
def test_stream_timestamp_needs_an_offset(
    tmp_path: Path, start: str, end: str, column: str
) -> None:
    path = write_text(tmp_path / "s.csv", f"start,end,service,charge\n{start},{end},x,1\n")
    expect_error(path, 2, column, "has no UTC offset")


def test_end_before_start(tmp_path: Path) -> None:
    path = write_teams(tmp_path / "t.csv", {"End Time": "2024-03-04T14:59:59Z"})
    expect_error(path, 2, "End Time", "'2024-03-04T14:59:59Z' is before Start Time")
    stream = write_text(
        tmp_path / "s.csv", "start,end,service,charge\n2024-01-01T00:01Z,2024-01-01T00:00Z,x,1\n"
    )
    expect_error(stream, 2, "end", "is before start")


def test_negative_charge(tmp_path: Path) -> None:
    expect_error(write_teams(tmp_path / "t.csv", {"Charge": "-0.44"}), 2, "Charge", "must be >= 0")


def test_negative_fee(tmp_path: Path) -> None:
    path = write_teams(tmp_path / "t.csv", {}, {}, {"Connection Fee": "-0.05"})
    expect_error(path, 4, "Connection Fee", "'-0.05' must be >= 0")


def test_too_many_decimals(tmp_path: Path) -> None:
    path = write_teams(tmp_path / "t.csv", {"Charge": "0.125"})
    expect_error(path, 2, "Charge", "more decimal places than USD allows (2)")
    jpy = write_text(
        tmp_path / "s.csv",
        "start,end,service,charge,currency\n2024-01-01T00:00Z,2024-01-01T00:01Z,x,1.5,JPY\n",
    )
    expect_error(jpy, 2, "charge", "more decimal places than JPY allows (0)")


def test_non_numeric_charge(tmp_path: Path) -> None:
    expect_error(
        write_teams(tmp_path / "t.csv", {"Charge": "$0.44"}), 2, "Charge", "is not a decimal number"
    )


def test_blank_charge(tmp_path: Path) -> None:
    expect_error(write_teams(tmp_path / "t.csv", {"Charge": " "}), 2, "Charge", "is blank")


def test_non_numeric_duration_teams(tmp_path: Path) -> None:
    path = write_teams(tmp_path / "t.csv", {"End Time": "", "Duration Seconds": "2 min"})
    expect_error(path, 2, "Duration Seconds", "duration '2 min' is not whole seconds or h:mm:ss")


@pytest.mark.parametrize("duration", ["1:2", "0:61:00", "-5", "4.5", "1:00:0x"])
def test_bad_duration_skype(tmp_path: Path, duration: str) -> None:
    path = write_skype(tmp_path / "s.csv", {}, {"Duration": duration})
    expect_error(path, 3, "Duration", f"duration {duration!r} is not whole seconds or h:mm:ss")


def test_empty_service(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "s.csv", "start,end,service,charge\n2024-01-01T00:00Z,2024-01-01T00:01Z, ,1\n"
    )
    expect_error(path, 2, "service", "service is blank")


def test_blank_call_type(tmp_path: Path) -> None:
    expect_error(
        write_teams(tmp_path / "t.csv", {"Call Type": ""}), 2, "Call Type", "call type is blank"
    )


def test_bad_credit_billed(tmp_path: Path) -> None:
    text = "start,end,service,charge,credit_billed\n2024-01-01T00:00Z,2024-01-01T00:01Z,x,0,maybe\n"
    expect_error(
        write_text(tmp_path / "s.csv", text), 2, "credit_billed", "'maybe' is not true/false"
    )


def test_currency_mix(tmp_path: Path) -> None:
    rows = ({"Charge": "0.00", "Currency": ""}, {"Currency": "usd"}, {}, {"Currency": "EUR"})
    err = expect_error(write_teams(tmp_path / "t.csv", *rows), 5, "Currency", "currency mix")
    expected = "column 'Currency': currency mix: 'EUR' here but 'USD' from line 3"
    assert str(err) == f"{err.source}:5: {expected}"


def test_currency_differs_from_currency_code(tmp_path: Path) -> None:
    path = write_teams(tmp_path / "t.csv", {"Charge": "0.00", "Currency": ""}, {"Currency": "EUR"})
    with pytest.raises(InputError) as caught:
        read_all(path, currency_code="USD")
    assert (caught.value.line, caught.value.column) == (3, "Currency")
    assert "'EUR' differs from the requested 'USD'" in caught.value.message


def test_unknown_currency_code(tmp_path: Path) -> None:
    expect_error(write_teams(tmp_path / "t.csv", {"Currency": "USDD"}), 2, "Currency", "'USDD'")


def test_blank_currency_with_a_charge(tmp_path: Path) -> None:
    path = write_teams(tmp_path / "t.csv", {}, {"Currency": ""})
    expect_error(
        path, 3, "Currency", "blank currency is allowed only when the charge and fee are 0"
    )


def test_bad_currency_code_argument() -> None:
    with pytest.raises(InputError, match="not an ISO 4217 currency code"):
        open_usage(TEAMS, currency_code="XYZ")
