"""Tests for reading rate tables: exact values, flexible headers, a located error per bad row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sim.errors import InputError
from sim.world.rates import Rate, load_rates

HEADER = "country,number_type,direction,rate_per_min,connection_fee,currency,note\n"


def write(tmp_path: Path, text: str, name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def error_of(tmp_path: Path, text: str) -> InputError:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_rates(path)
    assert caught.value.source == str(path)
    return caught.value


# -- reading good tables ----------------------------------------------------------------------


def test_values_are_exact_decimals_keyed_by_country_type_direction(tmp_path: Path) -> None:
    table = load_rates(
        write(
            tmp_path,
            HEADER
            + "US,toll_free,inbound,0.022,0,USD,x\nUS,geographic,inbound,0.0085,0.10,USD,y\n",
        )
    )
    assert table.rates == {
        ("US", "toll_free", "inbound"): Rate(Decimal("0.022"), Decimal(0)),
        ("US", "geographic", "inbound"): Rate(Decimal("0.0085"), Decimal("0.10")),
    }
    assert isinstance(table.lookup("US", "geographic", "inbound").rate_per_min, Decimal)
    assert ("US", "toll_free", "inbound") in table
    assert table.currency == "USD"


def test_header_in_any_order_any_case_with_bom_comments_and_blank_fee(tmp_path: Path) -> None:
    text = (
        "\ufeff# a comment before the header\n"
        "Direction,RATE_PER_MIN,Country,Connection_Fee,Number_Type,Currency\n"
        "# a comment between rows\n"
        "\n"
        "outbound, 0.013 ,US,,mobile, usd\n"
    )
    table = load_rates(write(tmp_path, text))
    assert table.rates == {("US", "mobile", "outbound"): Rate(Decimal("0.013"), Decimal(0))}


def test_note_column_is_optional_free_text(tmp_path: Path) -> None:
    text = HEADER + 'GB,mobile,outbound,0.015,0,USD,"quoted, with a comma"\n'
    table = load_rates(write(tmp_path, text))
    assert table.lookup("GB", "mobile", "outbound") == Rate(Decimal("0.015"))


def test_lookup_of_a_missing_key_names_the_table(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "US,mobile,outbound,0.013,0,USD,x\n")
    with pytest.raises(LookupError, match=r"rates\.csv: no rate for JP mobile outbound"):
        load_rates(path).lookup("JP", "mobile", "outbound")


# -- errors: file and header ------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the rate table") as caught:
        load_rates(tmp_path / "nope.csv")
    assert caught.value.source == str(tmp_path / "nope.csv")


def test_empty_file(tmp_path: Path) -> None:
    assert "expected a header line" in error_of(tmp_path, "# only a comment\n").message


def test_header_without_rows(tmp_path: Path) -> None:
    assert "no rates" in error_of(tmp_path, HEADER).message


def test_missing_column_names_it_and_the_header_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, "# comment\ncountry,number_type,direction,rate_per_min\n")
    assert error.line == 2
    assert "lacks column(s) 'connection_fee'" in error.message


def test_a_table_without_a_currency_says_how_to_declare_one(tmp_path: Path) -> None:
    text = "# no currency\ncountry,number_type,direction,rate_per_min,connection_fee\n"
    error = error_of(tmp_path, text + "US,mobile,outbound,0.013,0\n")
    assert error.line == 2
    assert "declares no currency: add a column 'currency'" in error.message
    assert "(e.g. USD) on every row" in error.message


def test_rows_in_two_currencies_name_both_and_the_first_line(tmp_path: Path) -> None:
    text = (
        HEADER + "US,mobile,outbound,0.013,0,USD,x\n# comment\nGB,mobile,outbound,0.015,0,GBP,y\n"
    )
    error = error_of(tmp_path, text)
    assert (error.line, error.column) == (4, "currency")
    assert "currency GBP differs from USD on line 2" in error.message


def test_a_yen_table_keeps_rates_finer_than_a_yen_exactly(tmp_path: Path) -> None:
    text = HEADER + "JP,landline,outbound,1.275,0,JPY,x\nJP,mobile,outbound,20.999999,3,jpy,y\n"
    table = load_rates(write(tmp_path, text))
    assert table.currency == "JPY"
    assert table.lookup("JP", "landline", "outbound") == Rate(Decimal("1.275"))
    assert table.lookup("JP", "mobile", "outbound") == Rate(Decimal("20.999999"), Decimal(3))
    error = error_of(tmp_path, HEADER + "JP,mobile,outbound,1.0000001,0,JPY,x\n")
    assert (error.line, error.column) == (2, "rate_per_min")
    assert "more than 6 decimal places" in error.message


def test_unknown_column_suggests_the_nearest(tmp_path: Path) -> None:
    error = error_of(tmp_path, HEADER.replace("note", "notes"))
    assert error.line == 1
    assert "unknown column 'notes'; did you mean 'note'?" in error.message


def test_column_named_twice(tmp_path: Path) -> None:
    error = error_of(tmp_path, HEADER.replace(",note", ",Country"))
    assert "column 'Country' appears twice" in error.message


def test_empty_column_name(tmp_path: Path) -> None:
    error = error_of(tmp_path, HEADER.replace(",note", ","))
    assert "empty column name" in error.message


# -- errors: rows -----------------------------------------------------------------------------

GOOD = ["US", "mobile", "outbound", "0.013", "0", "USD", "x"]
COLUMNS = ["country", "number_type", "direction", "rate_per_min", "connection_fee", "currency"]


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("country", "us", "write 'US'"),
        ("country", "UK", "use 'GB'"),
        ("country", "USA", "two-letter ISO 3166"),
        ("country", "XY", "not an ISO 3166 country code"),
        ("country", "EU", "not an ISO 3166 country code"),
        ("country", "", "two-letter ISO 3166"),
        ("number_type", "toll-free", "did you mean 'toll_free'?"),
        ("number_type", "fixed", "expected one of: landline, mobile, toll_free, geographic"),
        ("direction", "in", "expected one of: inbound, outbound"),
        ("direction", "Outbound", "did you mean 'outbound'?"),
        ("rate_per_min", "", "is empty"),
        ("rate_per_min", "abc", "not a decimal number"),
        ("rate_per_min", "1e-3", "not a decimal number"),
        ("rate_per_min", "$0.01", "not a decimal number"),
        ("rate_per_min", "NaN", "not a decimal number"),
        ("rate_per_min", "-0.013", "must be >= 0"),
        ("connection_fee", "-1", "must be >= 0"),
        ("connection_fee", "x", "not a decimal number"),
        ("rate_per_min", "0.000000001", "more than 8 decimal places"),
        ("connection_fee", "0.123456789", "more than 8 decimal places"),
        ("currency", "", "currency is empty"),
        ("currency", "USDD", "not an ISO 4217 currency code"),
        ("currency", "EUR", "currency EUR differs from USD on line 2"),
    ],
)
def test_bad_cell_names_line_column_and_rule(
    tmp_path: Path, column: str, value: str, words: str
) -> None:
    row = list(GOOD)
    row[COLUMNS.index(column)] = value
    text = HEADER + "GB,landline,outbound,0.015,0,USD,x\n" + ",".join(row) + "\n"
    error = error_of(tmp_path, text)
    assert (error.line, error.column) == (3, column)
    assert words in error.message


def test_column_reported_as_written_in_the_header(tmp_path: Path) -> None:
    error = error_of(
        tmp_path,
        "Country,Number_Type,Direction,Rate_Per_Min,Connection_Fee,Currency\nUS,x,y,1,0,USD\n",
    )
    assert (error.line, error.column) == (2, "Number_Type")


def test_duplicate_rate_names_both_lines(tmp_path: Path) -> None:
    text = HEADER + "US,mobile,outbound,0.013,0,USD,a\n# comment\n"
    text += "GB,mobile,outbound,0.015,0,USD,b\n"
    text += "US,mobile,outbound,0.014,0,USD,c\n"
    error = error_of(tmp_path, text)
    assert error.line == 5
    assert "duplicate rate for US mobile outbound: line 2 and line 5" in error.message


def test_wrong_number_of_fields(tmp_path: Path) -> None:
    error = error_of(tmp_path, HEADER + "US,mobile,outbound,0.013,0,USD,a, b\n")
    assert error.line == 2
    assert "expected 7 fields as in the header, found 8" in error.message


def test_line_numbers_count_multiline_quoted_notes(tmp_path: Path) -> None:
    text = HEADER + 'US,mobile,outbound,0.013,0,USD,"two\nlines"\nUS,landline,outbound,-1,0,USD,x\n'
    assert error_of(tmp_path, text).line == 4


def test_malformed_csv(tmp_path: Path) -> None:
    error = error_of(tmp_path, HEADER + 'US,"mobile"x,outbound,0.013,0,USD,a\n')
    assert error.line == 2
    assert "malformed CSV" in error.message


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes(HEADER.encode() + b"US,mobile,outbound,0.013,0,USD,caf\xe9\n")
    with pytest.raises(InputError, match="not UTF-8") as caught:
        load_rates(path)
    assert caught.value.line == 2


def test_error_prints_as_one_located_line(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "US,mobile,outbound,-1,0,USD,x\n")
    with pytest.raises(InputError) as caught:
        load_rates(path)
    assert str(caught.value) == f"{path}:2: column 'rate_per_min': '-1' must be >= 0"
