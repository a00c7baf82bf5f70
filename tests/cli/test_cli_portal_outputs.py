"""The admin portal's findings in the machine-readable and HTML outputs, in the warnings' words.

``credsim run --json``, ``backtest --json``, a sweep's portal.json and the HTML
report list exactly what the text output warns about (``sim.account.portal``).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from markupsafe import escape

from sim.cli.commands import main
from tests.paths import FIXTURES, SCENARIOS, WALKTHROUGH

SMALL = SCENARIOS / "small-team.toml"
TINY_SWEEP = FIXTURES / "sweep-tiny.toml"  # USD, T50/A100/I100, 3 months
WARNING = "credsim: warning: "


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result


def warnings(result: Result) -> list[str]:
    return [line.removeprefix(WARNING) for line in result.stderr.splitlines() if WARNING in line]


def test_run_json_lists_the_findings_it_warns_about() -> None:
    args = ("run", SMALL, "--replications", "2", "--json")
    result = invoke(*args, "--trigger", "50.5", "--amount", "20")
    found = json.loads(result.stdout)["portal"]
    assert [item["message"] for item in found] == warnings(result) != []
    assert found[0] == {
        "lever": "trigger",
        "value": "50.5",
        "currency": "USD",
        "rule": "whole",
        "message": "trigger 50.5 is not a whole amount: the admin portal takes whole USD amounts;"
        " the portal would refuse it",
    }
    assert json.loads(invoke(*args, "--trigger", "50", "--amount", "50").stdout)["portal"] == []


def test_backtest_json_lists_the_findings_it_warns_about() -> None:
    args = ("backtest", WALKTHROUGH, "--trigger", "50", "--amount", "100", "--json")
    result = invoke(*args, "--initial", "1000.5", "--monthly-topup", "10")
    found = json.loads(result.stdout)["portal"]
    assert [item["message"] for item in found] == warnings(result)
    assert [(item["lever"], item["rule"]) for item in found] == [
        ("initial", "whole"),
        ("monthly_top_up", "minimum"),
    ]
    assert json.loads(invoke(*args).stdout)["portal"] == []


def test_a_sweep_writes_portal_json_beside_an_unchanged_summary(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = invoke("sweep", TINY_SWEEP, "--triggers", "10,50", "--amounts", "100",
                    "--replications", "2", "--workers", "1", "--quiet",
                    "--out", out)  # fmt: skip
    portal = json.loads((out / "portal.json").read_text(encoding="utf-8"))
    assert portal["warnings"] == warnings(result) != []
    assert portal["currency"] == "USD"
    assert [item["message"] for item in portal["policies"]["T10/A100/I100"]] == [
        "trigger 10 is below the admin portal's minimum of 50 USD; the portal would refuse it"
    ]
    assert "T50/A100/I100" not in portal["policies"]
    assert "portal" not in json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert str(out / "portal.json") in result.stdout  # "Wrote ..."


def test_the_html_report_lists_what_the_report_command_warns_about(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = invoke("report", TINY_SWEEP, "-o", out, "--triggers", "10,50", "--amounts", "100",
                    "--replications", "2", "--workers", "1",
                    "--quiet")  # fmt: skip
    html = out.read_text(encoding="utf-8")
    assert warnings(result) != []
    section = html[html.index('<section id="portal">') : html.index('<section id="assumptions">')]
    for line in warnings(result):
        assert f'<li class="warning">{escape(line)}</li>' in section
    assert section.count("<li") == len(warnings(result))
