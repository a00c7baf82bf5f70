"""The admin-center export variants give the Teams CSV's backtest, and hostile ones are refused."""

from __future__ import annotations

import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.calls.capabilities import CAPABILITIES
from sim.calls.excel_dates import DateOrder, scan_order, to_iso
from sim.calls.export_zip import PSTN_MEMBERS, open_export
from sim.calls.usage import open_usage
from sim.cli.commands import main
from sim.errors import InputError
from tests.calls.exports import (
    DR_MEMBER,
    PSTN_MEMBER,
    TEAMS_FILE,
    direct_routing_csv,
    excel_resaved,
    export_zip,
    traversal_zip,
    zip_bomb,
)
from tests.paths import EXAMPLES, ROOT


def _backtest(path: Path, *options: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["backtest", str(path), "--json", *options])
    return result.exit_code, result.stdout, result.stderr


def _json(path: Path, *options: str) -> dict[str, object]:
    code, out, err = _backtest(path, *options)
    assert code == 0, err
    found: dict[str, object] = json.loads(out)
    return found


def test_every_variant_backtests_to_the_teams_csv_json(tmp_path: Path) -> None:
    reference = _json(TEAMS_FILE)
    rows = reference["rows"]
    assert isinstance(rows, dict) and rows["not_credit_billed"]["direct_routing"] == 2
    dmy, mdy = tmp_path / "dmy.csv", tmp_path / "mdy.csv"
    dmy.write_bytes(excel_resaved("dmy"))
    mdy.write_bytes(excel_resaved("mdy"))
    assert _json(export_zip(tmp_path / "Calls.Export.1.zip")) == reference
    # the fixture's dates all have day and month <= 12: the order must be given
    assert _json(dmy, "--date-order", "dmy") == reference
    assert _json(mdy, "--date-order", "mdy") == reference


@pytest.mark.parametrize("order", ["dmy", "mdy"])
def test_the_date_order_is_detected_from_the_file(tmp_path: Path, order: str) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(excel_resaved(order, EXAMPLES / "teams-pstn-report.csv"))
    assert _json(path) == _json(EXAMPLES / "teams-pstn-report.csv")


def test_a_direct_routing_report_alone_is_read_and_never_credit_billed(tmp_path: Path) -> None:
    path = tmp_path / "dr.csv"
    path.write_bytes(direct_routing_csv())
    usage = open_usage(path)
    calls = list(usage.calls())
    assert [call.credit_billed for call in calls] == [False, False]
    assert usage.not_credit_billed == {"direct_routing": 2}
    assert usage.format == "direct_routing"


def test_a_failed_direct_routing_call_lasts_from_invite_to_failure(tmp_path: Path) -> None:
    path = tmp_path / "dr.csv"
    header = "Correlation ID,SIP Address,Call Type,Invite time,Start time,End time,Failure time"
    row = "c1,sip:a@contoso.com,dr_out,2025-01-03T11:00:00Z,,,2025-01-03T11:00:09Z"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    (call,) = open_usage(path).calls()
    assert (call.end - call.start, call.charge_minor) == (9_000_000, 0)


@pytest.mark.parametrize(
    ("build", "says"),
    [(zip_bomb, "inflates 1,0"), (traversal_zip, "path outside the archive")],
)
def test_a_hostile_zip_is_refused_in_one_line(tmp_path: Path, build: object, says: str) -> None:
    path = build(tmp_path / "calls.zip")  # type: ignore[operator]
    code, out, err = _backtest(path)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and str(path) in err and says in err, err
    assert "sim/limits.py" in err or "traversal" not in says


def test_a_row_error_in_a_member_names_the_member_and_line(tmp_path: Path) -> None:
    bad = TEAMS_FILE.read_text(encoding="utf-8-sig").replace("2024-03-04T15:12:00Z", "soon", 1)
    assert "soon" in bad
    path = tmp_path / "calls.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(PSTN_MEMBER, bad)
    code, _, err = _backtest(path)
    assert code == 2 and f"calls.zip[{PSTN_MEMBER}]:" in err and "bad timestamp" in err, err


def test_a_zip_without_reports_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "calls.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    code, _, err = _backtest(path)
    assert code == 2 and PSTN_MEMBERS in err


def test_ambiguous_dates_are_refused_with_the_knob_and_read_with_it(tmp_path: Path) -> None:
    header = TEAMS_FILE.read_text(encoding="utf-8-sig").splitlines()[0]
    row = (
        "u1,c1,,US,o1,a@contoso.com,A,+1,user_out,geographic,Domestic,United States,+1,"
        "03/04/2025 15:00,03/04/2025 15:10,600,0.00,1.00,USD,MCOPSTNPP"
    )
    path = tmp_path / "excel.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    code, _, err = _backtest(path)
    assert code == 2 and f"{path}:2:" in err and "--date-order" in err, err
    assert err.count("\n") == 1
    day_first = _json(path, "--date-order", "dmy")["start"]
    month_first = _json(path, "--date-order", "mdy")["start"]
    assert (day_first, month_first) == ("2025-04-03T15:00:00Z", "2025-03-04T15:00:00Z")


def test_a_file_mixing_date_orders_is_refused_at_the_second_proof() -> None:
    values = [(2, "13/01/2025 10:00"), (3, "01/02/2025 10:00"), (4, "01/13/2025 10:00")]
    with pytest.raises(InputError, match="mixes two date orders") as caught:
        scan_order(values, "x.csv")
    assert caught.value.line == 4


def test_slashed_times_with_am_pm_and_without_seconds() -> None:
    assert to_iso("3/4/2025 3:05 PM", DateOrder.MDY) == "2025-03-04T15:05:00"
    assert to_iso("03/04/2025 12:00 am", DateOrder.DMY) == "2025-04-03T00:00:00"
    with pytest.raises(ValueError, match="month 13"):
        to_iso("01/13/2025 10:00", DateOrder.DMY)


def test_memory_stays_flat_reading_a_big_zip(tmp_path: Path) -> None:
    lines = TEAMS_FILE.read_text(encoding="utf-8-sig").splitlines()
    header, row = lines[0], lines[1]
    usage_id = row.split(",")[0]
    body = "".join(f"{row.replace(usage_id, f'id-{n}', 1)}\r\n" for n in range(10_000))
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PSTN_MEMBER, f"{header}\r\n{body}")
        archive.writestr(DR_MEMBER, direct_routing_csv())
    member_bytes = len(body)
    export = open_export(path)
    tracemalloc.start()
    count = sum(1 for _ in export.calls())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (count, export.rows) == (10_002, 10_002)
    assert peak < member_bytes / 4, f"peak {peak:,} bytes for a {member_bytes:,}-byte member"


def test_the_capability_table_is_documented_row_for_row() -> None:
    model = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    for capability in CAPABILITIES:
        row = f"| `{capability.code}` | {capability.licence} |"
        assert row in model, f"docs/model.md lacks the row {row!r}"


def test_a_charged_calling_plan_row_is_billed_and_warned(tmp_path: Path) -> None:
    text = TEAMS_FILE.read_text(encoding="utf-8-sig")
    header, first, *rest = text.splitlines()
    assert first.endswith(",USD,MCOPSTNPP")
    path = tmp_path / "plan.csv"
    path.write_text("\n".join([header, first.replace("MCOPSTNPP", "MCOPSTN1"), *rest]) + "\n")
    assert _json(path)["rows"] != _json(TEAMS_FILE)["rows"]
    result = CliRunner().invoke(main, ["backtest", str(path)])
    assert "WARNING: 1 charged row(s) name a Calling Plan licence" in result.stdout
    assert "(first on line 2)" in result.stdout
    assert _json(path)["min_balance"] == _json(TEAMS_FILE)["min_balance"]
