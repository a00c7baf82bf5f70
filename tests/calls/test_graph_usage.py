"""Graph's PSTN call log read as usage (the JSON response three ways saved, the CSV); one
call set backtests alike as Teams CSV, admin-center zip, Graph CSV and JSON, Excel re-save."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sim.calls.usage import open_usage
from sim.calls.usage_layout import TEAMS_COLUMNS, UsageFormat
from sim.cli.commands import main
from sim.errors import InputError

D, INTL = "2024-03-1", "International"  # days 14-18: an Excel re-save is day-first
# One call set: (id, call type, scope, start, end, seconds, fee, charge, currency).
CALLS = [
    ("r1", "user_out", "Domestic", D + "4T09:00:00Z", D + "4T09:12:00Z", 720, "0", "1.56", "USD"),
    ("r2", "user_out", INTL, D + "5T15:00:00Z", D + "5T15:10:00Z", 600, "0.05", "2.40", "USD"),
    ("r3", "user_in", "Domestic", D + "6T10:00:00Z", D + "6T10:30:00Z", 1800, "0", "0", ""),
    ("r4", "conf_out", "Domestic", D + "7T11:00:00Z", D + "7T11:05:30Z", 330, "0", "0.66", "USD"),
    ("r5", "dr_out", INTL, D + "8T12:00:00Z", D + "8T12:04:00Z", 240, "", "", ""),
]  # fmt: skip


DIALLED = {"r1": "United States", "r2": "United Kingdom", "r3": "United States", "r4": "Canada",
           "r5": "Germany"}  # fmt: skip
"""Destination Dialed of each call (read into the records table, not by the backtest)."""


def capability(charge: str) -> str:
    """Charged rows paid from credits; a free row under the user's Calling Plan."""
    return "MCOPSTNPP" if charge not in ("", "0") else "MCOPSTN1"


def graph_record(call: tuple[Any, ...]) -> dict[str, Any]:
    """A pstnCallLogRow: amounts as JSON numbers, a blank currency as null."""
    rid, kind, scope, start, end, seconds, fee, charge, cur = call
    return {
        "id": rid, "callId": f"call-{rid}", "userId": "u-1", "userPrincipalName": "a@contoso.com",
        "callType": kind, "destinationContext": scope, "startDateTime": start,
        "endDateTime": end, "duration": seconds,
        "connectionCharge": json.loads(fee) if fee else None,
        "charge": json.loads(charge) if charge else None, "currency": cur or None,
        "licenseCapability": capability(charge), "inventoryType": "Subscriber",
        "destinationName": DIALLED[rid],
    }  # fmt: skip


def write_teams(path: Path, excel: bool = False) -> Path:
    """The Teams report; ``excel``: as Excel re-saves it (BOM, day-first dates, no zone)."""
    with path.open("w", newline="", encoding="utf-8-sig" if excel else "utf-8") as handle:
        writer = csv.DictWriter(handle, TEAMS_COLUMNS, restval="")
        writer.writeheader()
        for rid, kind, scope, start, end, seconds, fee, charge, cur in CALLS:
            writer.writerow({
                "UsageId": rid, "Call ID": f"call-{rid}", "AAD ObjectId": "u-1",
                "UPN": "a@contoso.com", "Call Type": kind, "Number Type": "Subscriber",
                "Domestic/International": scope, "Start Time": _excel(start) if excel else start,
                "End Time": _excel(end) if excel else end,
                "Duration Seconds": seconds, "Connection Fee": fee, "Charge": charge,
                "Currency": cur, "Capability": capability(charge),
                "Destination Dialed": DIALLED[rid],
            })  # fmt: skip
    return path


def _excel(instant: str) -> str:
    return datetime.fromisoformat(instant).strftime("%d/%m/%Y %H:%M:%S")


def write_zip(path: Path) -> Path:
    """The admin center's export: the PSTN report as its member, beside parameters.json."""
    report = write_teams(path.with_suffix(".member.csv"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(report, "PSTN.calls.2024-03-19.csv")
        archive.writestr("parameters.json", '{"from": "2024-03-01", "to": "2024-03-19"}')
    return path


def write_graph_csv(path: Path) -> Path:
    records = [graph_record(call) for call in CALLS]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(reversed(records[0])))  # any column order
        writer.writeheader()
        writer.writerows(records)
    return path


def write_json(path: Path, how: str) -> Path:
    records = [graph_record(call) for call in CALLS]
    pages = [{"value": records[:2], "@odata.nextLink": "x"}, {"value": records[2:]}]
    if how == "response":
        text = json.dumps({"@odata.context": "c", "value": records}, indent=2)
    elif how == "array":
        text = json.dumps(pages, indent=1)
    else:
        text = "".join(json.dumps(p) + "\n" for p in pages)
    path.write_text(text, encoding="utf-8")
    return path


def backtest(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["backtest", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_one_call_set_backtests_alike_in_every_format(tmp_path: Path) -> None:
    teams = backtest(write_teams(tmp_path / "teams.csv"))
    files = {
        "teams zip": write_zip(tmp_path / "Calls.Export.1.zip"),
        "teams excel": write_teams(tmp_path / "excel.csv", excel=True),
        "graph-csv": write_graph_csv(tmp_path / "graph.csv"),
        **{f"graph-json {how}": write_json(tmp_path / f"{how}.json", how) for how in
           ("response", "array", "lines")},
    }  # fmt: skip
    assert teams["rows"]["format"] == "teams"
    assert teams["calls"] == 5 and teams["rows"]["not_credit_billed"] == {
        "calling_plan": 1,  # r3: no charge, its Capability a Calling Plan (MCOPSTN1)
        "direct_routing": 1,
    }
    for label, path in files.items():
        found = backtest(path)
        assert found["rows"].pop("format") == label.split()[0]
        assert found == {**teams, "rows": {k: v for k, v in teams["rows"].items() if k != "format"}}


def test_graph_records_become_the_same_calls_as_teams_rows(tmp_path: Path) -> None:
    teams = open_usage(write_teams(tmp_path / "teams.csv"))
    graph = open_usage(write_json(tmp_path / "lines.json", "lines"))
    assert graph.format is UsageFormat.GRAPH_JSON
    calls = list(graph.calls())
    assert [c[:5] for c in calls] == [c[:5] for c in teams.calls()]
    assert [c.charge_minor for c in calls] == [156, 245, 0, 66, 0]  # fee added to r2


def test_a_record_repeated_across_pages_is_a_duplicate(tmp_path: Path) -> None:
    record = graph_record(CALLS[0])
    path = tmp_path / "twice.json"
    path.write_text(json.dumps({"value": [record]}) + "\n" + json.dumps({"value": [record]}))
    usage = open_usage(path)
    assert len(list(usage.calls())) == 1 and usage.duplicates == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"value": [{"callType": "user_out"}]}', "x.json: $.value[0]: lacks the property"),
        ('{"value": []}\n{"value": [7]}\n', "x.json:2: $.value[0]: expected a call record"),
        ('{\n "value": [\n', "x.json:3: not valid JSON"),
        ('[{"nope": []}]', "x.json: $[0]: expected a getPstnCalls response"),
        ('{"value": [{"id": true}]}', "x.json: $.value[0].id: expected a string or a number"),
    ],
)
def test_bad_json_is_refused_at_its_json_path(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        list(open_usage(path).calls())
    assert str(caught.value).replace(str(tmp_path) + "/", "").startswith(expected)


def test_a_bad_value_names_the_record_and_property(tmp_path: Path) -> None:
    record = graph_record(CALLS[1]) | {"charge": -2.4}
    path = tmp_path / "x.json"
    path.write_text(json.dumps([{"value": [graph_record(CALLS[0])]}, {"value": [record]}]))
    with pytest.raises(InputError, match=r"\$\[1\]\.value\[0\]\.charge: '-2.4' must be >= 0"):
        list(open_usage(path).calls())


def test_a_graph_csv_without_a_required_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("id,callType,startDateTime,endDateTime,duration,charge,currency\n")
    with pytest.raises(InputError, match="Graph PSTN call log header lacks column"):
        open_usage(path)
