"""A row repeated in two members of one export zip is a duplicate, as within one file."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner

from sim.cli.commands import main
from tests.calls.exports import _csv, teams_rows

FIRST, SECOND = "PSTN.calls.2024-03-04.csv", "PSTN.calls.2024-03-05.csv"


def _pstn_rows(blank_usage_ids: bool = False) -> tuple[list[str], list[list[str]]]:
    """The fixture's PSTN rows (its Direct Routing ones left out); UsageIds blanked if asked."""
    header, rows = teams_rows()
    kind, usage_id = header.index("Call Type"), header.index("UsageId")
    rows = [row for row in rows if not row[kind].startswith("dr_")]
    if blank_usage_ids:
        for row in rows:
            row[usage_id] = ""
    return header, rows


def _overlapping_zip(path: Path, blank_usage_ids: bool = False) -> tuple[Path, Path, int]:
    """Two members sharing their middle rows, and one CSV of every row once: (zip, csv, shared)."""
    header, rows = _pstn_rows(blank_usage_ids)
    third = len(rows) // 3
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(FIRST, _csv(header, rows[: 2 * third]))
        archive.writestr(SECOND, _csv(header, rows[third:]))
    whole = path.with_suffix(".csv")
    whole.write_bytes(_csv(header, rows))
    return path, whole, third


def _backtest(path: Path, *options: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["backtest", str(path), "--json", *options])
    assert result.exit_code == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


def _without_row_counts(out: dict[str, object]) -> dict[str, object]:
    rows = out["rows"]
    assert isinstance(rows, dict)
    kept = {key: value for key, value in rows.items() if "duplicate" not in key and key != "read"}
    return {**out, "rows": kept}


def test_a_row_in_two_members_is_billed_once_and_counted(tmp_path: Path) -> None:
    archive, whole, shared = _overlapping_zip(tmp_path / "Calls.Export.zip")
    assert shared >= 2
    out, reference = _backtest(archive), _backtest(whole)
    assert _without_row_counts(out) == _without_row_counts(reference)  # the same money
    rows = out["rows"]
    assert isinstance(rows, dict)
    assert rows["read"] == reference["rows"]["read"] + shared  # type: ignore[index]
    assert (rows["duplicates"], rows["duplicates_dropped"]) == (shared, shared)
    assert (rows["first_duplicate_line"], rows["first_duplicate_member"]) == (2, SECOND)


def test_without_usage_ids_call_id_and_leg_match_across_members(tmp_path: Path) -> None:
    archive, whole, shared = _overlapping_zip(tmp_path / "Calls.Export.zip", blank_usage_ids=True)
    out = _backtest(archive)
    assert _without_row_counts(out) == _without_row_counts(_backtest(whole))
    assert out["rows"]["duplicates_dropped"] == shared  # type: ignore[index]


def test_keep_duplicates_bills_both_members_rows_and_the_text_names_the_member(
    tmp_path: Path,
) -> None:
    archive, whole, shared = _overlapping_zip(tmp_path / "Calls.Export.zip")
    kept = _backtest(archive, "--keep-duplicates")
    assert kept["rows"]["duplicates"] == shared  # type: ignore[index]
    assert kept["rows"]["duplicates_dropped"] == 0  # type: ignore[index]
    assert kept["consumed"] > _backtest(whole)["consumed"]  # type: ignore[operator]
    text = CliRunner().invoke(main, ["backtest", str(archive)]).stdout
    assert f"{shared} row(s) repeat a billed leg (first on line 2 of {SECOND})" in text, text
