"""Usage files beyond the limits of sim/limits.py: located one-line errors, never a traceback.

Each case here escaped before issue 11 as a traceback (``year 10000 is out of
range``, ``field larger than field limit``), read a whole file into memory (a
header line without end), or looped for ever later (a charge near 2^63 cents).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from sim.calls.usage import open_usage
from sim.limits import (
    CALL_DURATION_MAX_S,
    CHARGE_MAX_MINOR,
    CSV_FIELD_MAX_CHARS,
    USAGE_LINE_MAX_CHARS,
)
from tests.calls.test_usage import expect_error, read_all, write_skype, write_teams, write_text

STREAM_HEADER = "start,end,service,charge,currency\n"


def stream(path: Path, *rows: str) -> Path:
    return write_text(path, STREAM_HEADER + "".join(f"{row}\n" for row in rows))


# --- money --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "charge",
    ["100000000.01", "92233720368547758.07", "9" * 40],
    ids=["just-over", "near-2^63", "beyond-int64"],
)
def test_a_stream_charge_beyond_the_ceiling_is_refused_at_its_cell(tmp_path, charge) -> None:
    path = stream(tmp_path / "c.csv", f"2025-01-02T08:00:00Z,2025-01-02T08:01:00Z,x,{charge},USD")
    expect_error(path, 2, "charge", "CHARGE_MAX_MINOR")


def test_a_charge_at_the_ceiling_is_read(tmp_path) -> None:
    top = f"{CHARGE_MAX_MINOR // 100}.00"
    path = stream(tmp_path / "c.csv", f"2025-01-02T08:00:00Z,2025-01-02T08:01:00Z,x,{top},USD")
    assert read_all(path)[1][0].charge_minor == CHARGE_MAX_MINOR


def test_a_teams_charge_plus_fee_beyond_the_ceiling_is_refused(tmp_path) -> None:
    half = f"{CHARGE_MAX_MINOR // 200}.01"
    path = write_teams(tmp_path / "t.csv", {"Charge": half, "Connection Fee": half})
    expect_error(path, 2, "Charge", "+ fee' is beyond the supported charge")


# --- durations ------------------------------------------------------------------------------


def test_a_teams_duration_beyond_a_week_is_refused(tmp_path) -> None:
    seconds = str(CALL_DURATION_MAX_S + 1)
    path = write_teams(tmp_path / "t.csv", {"End Time": "", "Duration Seconds": seconds})
    expect_error(path, 2, "Duration Seconds", "CALL_DURATION_MAX_S")


def test_a_teams_duration_of_int64_seconds_is_refused_not_overflowed(tmp_path) -> None:
    path = write_teams(tmp_path / "t.csv", {"End Time": "", "Duration Seconds": "9" * 30})
    expect_error(path, 2, "Duration Seconds", "is longer than the supported 604,800 s")


def test_a_skype_duration_in_hours_beyond_a_week_is_refused(tmp_path) -> None:
    path = write_skype(tmp_path / "s.tsv", {"Duration": "169:00:00"})
    expect_error(path, 2, "Duration", "CALL_DURATION_MAX_S")


def test_a_stream_call_longer_than_a_week_is_refused_at_its_end(tmp_path) -> None:
    path = stream(tmp_path / "c.csv", "2025-01-02T08:00:00Z,2025-01-09T08:00:01Z,x,1.00,USD")
    expect_error(path, 2, "end", "is longer than the supported")


def test_a_call_of_exactly_a_week_is_read(tmp_path) -> None:
    path = stream(tmp_path / "c.csv", "2025-01-02T08:00:00Z,2025-01-09T08:00:00Z,x,1.00,USD")
    assert len(read_all(path)[1]) == 1


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "column"),
    [
        ("9999-12-31T23:00:00Z", "9999-12-31T23:17:29Z", "start"),
        ("1969-12-31T23:00:00Z", "1969-12-31T23:10:00Z", "start"),
        ("2200-12-31T23:00:00Z", "2201-01-01T00:10:00Z", "end"),
        ("2025-01-02T08:00:00Z", "9999-12-31T23:59:59-23:59", "end"),
    ],
    ids=["year-9999", "before-1970", "end-after-2200", "offset-past-datetime-max"],
)
def test_a_call_outside_the_supported_dates_is_refused(tmp_path, start, end, column) -> None:
    path = stream(tmp_path / "c.csv", f"{start},{end},x,1.00,USD")
    err = expect_error(path, 2, column, "outside the supported dates 1970-01-01 to 2200-12-31")
    assert "DATE_MIN, DATE_MAX" in err.message


def test_a_teams_start_in_year_9999_with_a_duration_is_refused(tmp_path) -> None:
    row = {"Start Time": "9999-12-31T23:59:00Z", "End Time": "", "Duration Seconds": "120"}
    expect_error(write_teams(tmp_path / "t.csv", row), 2, "Start Time", "supported dates")


# --- field and header sizes -----------------------------------------------------------------


@pytest.mark.parametrize("size", [CSV_FIELD_MAX_CHARS + 1, 131_073], ids=["limit", "csv-module"])
def test_a_data_field_beyond_the_limit_is_located(tmp_path, size) -> None:
    path = write_teams(tmp_path / "t.csv", {}, {"User Display Name": "x" * size})
    err = expect_error(path, 3, "User Display Name" if size < 131_072 else None, "CSV_FIELD_MAX")
    assert "xxxx" not in str(err)


def test_a_quoted_field_running_to_the_end_of_the_file_is_located(tmp_path) -> None:
    body = STREAM_HEADER + '2025-01-02T08:00:00Z,2025-01-02T08:01:00Z,"x' + "y\n" * 70_000
    # the csv module stops it at its own 131,072 characters: 65,536 lines of "y\n" after line 1
    err = expect_error(write_text(tmp_path / "c.csv", body), 65_537, None, "at most 4,096")
    assert "in the record starting on line 2" in err.message


def test_a_header_name_beyond_the_field_limit_is_refused_without_echoing_it(tmp_path) -> None:
    path = write_text(tmp_path / "h.csv", "start,end,service,charge," + "q" * 5000 + "\n")
    err = expect_error(path, 1, None, "a header name of 5,000 characters")
    assert "qqq" not in str(err)


def test_a_header_of_one_endless_line_is_refused_after_the_limit_not_read_whole(tmp_path) -> None:
    path = tmp_path / "endless.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("start,end,service,charge,")
        for _ in range(40):  # 40 MB, no newline
            handle.write("z" * 1_000_000)
    tracemalloc.start()
    try:
        expect_error(path, 1, None, f"longer than {USAGE_LINE_MAX_CHARS:,} characters")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"peak {peak:,} bytes: the line was read whole"


def test_a_header_with_an_unclosed_quote_is_one_located_error(tmp_path) -> None:
    path = write_text(tmp_path / "q.csv", 'start,end,"service,charge\n')
    expect_error(path, 1, None, "malformed CSV header")


def test_every_usage_error_is_an_input_error_never_a_raw_exception(tmp_path) -> None:
    """The cases above, plus bytes that are not text: only InputError leaves the reader."""
    path = tmp_path / "binary.csv"
    path.write_bytes(b"start,end,service,charge\n\xff\xfe\x00\x00" * 3)
    expect_error(path, 2, None, "not UTF-8 text")
    with pytest.raises(Exception) as caught:
        list(open_usage(write_text(tmp_path / "n.csv", "\x00" * 10 + "\n")).calls())
    assert type(caught.value).__name__ == "InputError"


def test_a_data_line_of_millions_of_commas_is_refused_not_split(tmp_path) -> None:
    path = tmp_path / "commas.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(STREAM_HEADER + "2025-01-02T08:00:00Z,2025-01-02T08:01:00Z,x,1.00,USD\n")
        handle.write("," * 20_000_000 + "\n")
    tracemalloc.start()
    try:
        err = expect_error(path, 3, None, "the line is longer than 262,144 characters")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "USAGE_LINE_MAX_CHARS" in err.message
    assert peak < 8_000_000, f"peak {peak:,} bytes: the line was read or split whole"
