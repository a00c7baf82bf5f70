"""The Backtest view takes every format ``credsim backtest`` reads, through the same reader.

Run headless by AppTest (``tests/dashboard/test_dashboard.py`` says how); a
few replications keep the first run short, and the backtest itself is fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim.dashboard import usage_upload
from sim.errors import InputError
from sim.study.experiment import Levers
from tests.calls.exports import TEAMS_FILE, excel_resaved, export_zip, zip_bomb
from tests.calls.test_graph_usage import write_json, write_teams
from tests.dashboard.test_dashboard import clean, errors, main_module_restored, started

__all__ = ["main_module_restored"]  # the fixture, used here too
POLICY = "T400/A1000/I1000"
LEVERS = Levers(Decimal(1000), Decimal(400), Decimal(1000))


@pytest.fixture(scope="module")
def app() -> Iterator[AppTest]:
    """One app on the Backtest view, shared: each test uploads its own file."""
    yield started(view="Backtest")


def upload(app: AppTest, name: str, data: bytes, order: str = "Auto") -> AppTest:
    app.segmented_control(key="date_order").set_value(order)
    app.file_uploader(key="report_upload").set_value((name, data, "application/octet-stream"))
    return app.run()


def consumed(app: AppTest) -> str:
    clean(app)
    return str(app.table[0].value.loc["Consumed", POLICY])


def rows_by_reason(app: AppTest) -> dict[str, int]:
    table = app.table[1].value
    return {str(name): int(count) for name, count in table["rows"].items()}


def test_the_uploader_offers_every_format_the_cli_reads(app: AppTest) -> None:
    uploader = app.file_uploader(key="report_upload")
    assert {".csv", ".tsv", ".txt", ".zip", ".json"} <= set(uploader.proto.type)


def test_an_export_zip_backtests_as_its_csv_with_direct_routing_rows_by_reason(
    app: AppTest, tmp_path: Path
) -> None:
    reference = consumed(upload(app, "teams.csv", TEAMS_FILE.read_bytes()))
    zipped = export_zip(tmp_path / "Calls.Export.1.zip").read_bytes()
    assert consumed(upload(app, "Calls.Export.1.zip", zipped)) == reference
    found = rows_by_reason(app)
    assert found["not credit-billed: direct_routing"] == 2, found
    assert found["read"] == found["replayed"] > 0, found  # every row inside its own window


def test_graph_json_backtests_as_the_same_calls_in_teams_csv(app: AppTest, tmp_path: Path) -> None:
    reference = consumed(upload(app, "teams.csv", write_teams(tmp_path / "t.csv").read_bytes()))
    graph = write_json(tmp_path / "calls.json", "response").read_bytes()
    assert consumed(upload(app, "calls.json", graph)) == reference
    assert any(item.value.startswith("calls.json: graph-json format") for item in app.caption)


def test_ambiguous_excel_dates_name_the_choice_and_are_read_with_it(app: AppTest) -> None:
    reference = consumed(upload(app, "teams.csv", TEAMS_FILE.read_bytes()))
    resaved = excel_resaved("dmy")
    (message,) = errors(upload(app, "excel.csv", resaved))
    assert message.startswith("excel.csv:2: all ") and "ambiguous" in message, message
    assert '"Day first" or "Month first" under "Date order"' in message, message
    assert "--date-order" not in message and "\n" not in message
    assert consumed(upload(app, "excel.csv", resaved, "Day first")) == reference
    assert consumed(upload(app, "mdy.csv", excel_resaved("mdy"), "Month first")) == reference


def test_a_charged_calling_plan_row_is_warned_and_counted(app: AppTest, tmp_path: Path) -> None:
    header, first, *rest = TEAMS_FILE.read_text(encoding="utf-8-sig").splitlines()
    plan = "\n".join([header, first.replace("MCOPSTNPP", "MCOPSTN1"), *rest]) + "\n"
    upload(app, "plan.csv", plan.encode())
    clean(app)
    (warning,) = [item.value for item in app.warning if "Calling Plan" in item.value]
    assert warning.startswith("1 charged row(s) name a Calling Plan licence in Capability")
    assert rows_by_reason(app)["charged under a Calling Plan (billed; warning)"] == 1


def test_a_zip_bomb_is_one_line_naming_the_upload(app: AppTest, tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.zip").read_bytes()
    (message,) = errors(upload(app, "Calls.Export.2.zip", bomb))
    assert message.startswith("Calls.Export.2.zip: member ") and "zip bomb" in message, message
    assert str(tmp_path) not in message and "credsim-upload-" not in message


def test_an_upload_over_the_limit_names_the_limit_and_the_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(usage_upload, "MAX_REPORT_BYTES", 10)
    with pytest.raises(InputError) as caught:
        usage_upload.backtest_upload(b"start,end,service,charge\n", "calls.csv", [LEVERS])
    message = str(caught.value)
    assert message.startswith("calls.csv: the upload is 25 bytes; the dashboard takes at most 10")
    assert "USAGE_UPLOAD_MAX_BYTES in sim/limits.py" in message and "credsim backtest" in message
