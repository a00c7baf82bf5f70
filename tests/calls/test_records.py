"""The records table: one call set gives one table in every format; exports joined without
counting their overlap twice; two currencies, an empty file and too many rows refused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.calls import records as records_module
from sim.calls.records import RECORD_COLUMNS, read_records
from sim.cli.commands import main
from sim.errors import InputError
from tests.calls.exports import TEAMS_FILE, export_zip, teams_rows
from tests.calls.test_graph_usage import write_graph_csv, write_json, write_teams, write_zip
from tests.paths import FIXTURES


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_one_call_set_gives_one_table_in_every_format(tmp_path: Path) -> None:
    teams = read_records([write_teams(tmp_path / "teams.csv")])
    assert list(teams.table.columns) == list(RECORD_COLUMNS)
    assert teams.table[["call_id", "service", "charge_minor", "fee_minor"]].values.tolist() == [
        ["r1", "domestic_outbound", 156, 0],
        ["r2", "international", 245, 5],  # the fee is part of the charge, as the backtest posts
        ["r3", "inbound", 0, 0],
        ["r4", "dial_out", 66, 0],
        ["r5", "direct_routing", 0, 0],
    ]
    assert teams.table["country"].tolist() == ["US", "GB", "US", "CA", "DE"]
    assert teams.table["direction"].tolist() == ["outbound"] * 2 + ["inbound"] + ["outbound"] * 2
    assert teams.table["credit_billed"].tolist() == [True, True, False, True, False]
    assert teams.rows_by_reason == {"calling_plan": 1, "direct_routing": 1}
    assert (teams.currency.code, teams.overlap_dropped, teams.duplicates_dropped) == ("USD", 0, 0)
    others = [
        write_zip(tmp_path / "Calls.Export.1.zip"),
        write_teams(tmp_path / "excel.csv", excel=True),
        write_graph_csv(tmp_path / "graph.csv"),
        *(write_json(tmp_path / f"{how}.json", how) for how in ("response", "array", "lines")),
    ]
    for path in others:
        found = read_records([path])
        pd.testing.assert_frame_equal(found.table, teams.table, obj=path.name)
        assert (found.start_us, found.end_us) == (teams.start_us, teams.end_us)
        assert found.rows_by_reason == teams.rows_by_reason


def test_overlapping_exports_are_joined_and_their_overlap_counted_once(tmp_path: Path) -> None:
    header, rows = teams_rows()
    whole = read_records([TEAMS_FILE])
    late = _write(tmp_path / "late.csv", header, rows[5:])  # given first, read second
    early = _write(tmp_path / "early.csv", header, rows[:9])  # rows 5-8 in both
    joined = read_records([late, early])
    assert joined.files == (early, late)
    assert joined.overlap_dropped == 4
    pd.testing.assert_frame_equal(joined.table, whole.table)
    assert joined.rows_by_reason == whole.rows_by_reason


def test_a_row_repeated_in_one_file_is_the_backtests_duplicate(tmp_path: Path) -> None:
    header, rows = teams_rows()
    twice = read_records([_write(tmp_path / "twice.csv", header, [*rows, rows[0]])])
    assert (twice.duplicates_dropped, twice.overlap_dropped) == (1, 0)
    assert len(twice.table) == len(rows)


def test_two_currencies_are_refused_naming_both_files(tmp_path: Path) -> None:
    header, rows = teams_rows()
    index = header.index("Currency")
    euro = _write(tmp_path / "euro.csv", header, [[*r[:index], "EUR", *r[index + 1 :]]
                                                  for r in rows[:3]])  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_records([TEAMS_FILE, euro])
    message = str(caught.value)
    assert f"{TEAMS_FILE} in USD" in message and f"{euro} in EUR" in message


def test_an_empty_file_or_one_without_calls_says_so(tmp_path: Path) -> None:
    header, _ = teams_rows()
    only_header = _write(tmp_path / "header.csv", header, [])
    with pytest.raises(InputError, match="holds no calls"):
        read_records([TEAMS_FILE, only_header])
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        read_records([empty])
    with pytest.raises(InputError, match="no usage file"):
        read_records([])


def test_more_rows_than_the_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_module, "USAGE_RECORDS_MAX", 20)
    read_records([TEAMS_FILE])  # 14 rows
    with pytest.raises(InputError, match="USAGE_RECORDS_MAX"):
        read_records([TEAMS_FILE, TEAMS_FILE])


@pytest.mark.parametrize(
    "name", ["teams_pstn_calls.csv", "skype_pstn_calls.csv", "stream_calls.csv", "export.zip"]
)
def test_the_table_holds_what_a_backtest_of_the_file_posts(name: str, tmp_path: Path) -> None:
    path = export_zip(tmp_path / name) if name == "export.zip" else FIXTURES / name
    result = CliRunner().invoke(main, ["backtest", str(path), "--json", "--initial", "100000"])
    assert result.exit_code == 0, result.stderr
    posted = json.loads(result.stdout)
    found = read_records([path])
    assert len(found.table) == posted["calls"] == posted["rows"]["replayed"]
    assert found.table["charge_minor"].sum() == round(posted["consumed"] * 100)
    assert int(found.table["credit_billed"].sum()) == posted["credit_billed_calls"]
    assert found.rows_by_reason == posted["rows"]["not_credit_billed"]
    assert found.duplicates_dropped == posted["rows"]["duplicates_dropped"]


def test_a_skype_report_gives_ids_number_types_and_directions() -> None:
    table = read_records([FIXTURES / "skype_pstn_calls.csv"]).table
    first = table.iloc[0]
    assert first["call_id"] == "3e4bc1c6-fe1e-5cb7-ad42-de218bcc3bbd"  # its Call ID
    assert (first["service"], first["number_type"], first["direction"]) == (
        "toll_free_dial_in", "toll_free", "inbound",
    )  # fmt: skip
    assert first["country"] == ""  # "No data"
    assert (table["fee_minor"] == 0).all()  # the Skype report has no connection fee
    second = table.iloc[1]  # dialled in on the toll ("Toll") bridge: free, a geographic number
    assert (second["service"], second["number_type"]) == ("inbound", "geographic")
