"""A usage report given where a scenario is expected is named as one, with what to run on it
(issue 14: "credsim sweep teams-export.csv" said "TOML syntax error at column 8")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.calls.sniff import is_usage_file
from sim.cli.commands import main
from tests.calls.test_graph_usage import write_json, write_zip
from tests.paths import EXAMPLES, SCENARIOS

GRID = ("--triggers", "100", "--amounts", "500")


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def usage_line(result: Result, path: Path) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"credsim: error: {path} is a usage report: use `credsim plan {path}` (or `credsim "
        f"calibrate {path} -o tenant.toml`) to fit a scenario to it"
    ]


@pytest.mark.parametrize("command", ["sweep", "report"])
def test_sweep_and_report_name_a_usage_report(command: str, tmp_path: Path) -> None:
    out = ("--out", tmp_path / "out") if command == "sweep" else ("-o", tmp_path / "r.html")
    path = EXAMPLES / "tenant-usage.csv"
    usage_line(invoke(command, path, *GRID, *out), path)
    # before any other complaint: without its grid, sweep still says what the file is
    usage_line(invoke(command, path), path)
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.html").exists()


def test_usage_is_told_by_its_content_not_its_name(tmp_path: Path) -> None:
    formats = {
        "export.toml": shutil.copy(EXAMPLES / "teams-pstn-report.csv", tmp_path / "export.toml"),
        "graph.toml": write_json(tmp_path / "graph.toml", "array"),
        "Calls.Export.1.toml": write_zip(tmp_path / "Calls.Export.1.toml"),
    }
    for path in formats.values():
        usage_line(invoke("sweep", path, *GRID, "--out", tmp_path / "out"), Path(path))
    scenario = shutil.copy(SCENARIOS / "small-team.toml", tmp_path / "small-team.csv")
    shutil.copytree(SCENARIOS / "rates", tmp_path / "rates")
    assert invoke("validate", scenario).exit_code == 0  # a scenario named .csv is one


def test_toml_tables_and_other_files_are_not_usage(tmp_path: Path) -> None:
    table = tmp_path / "s.toml"
    table.write_text('[scenario]\nname = "x"\n', encoding="utf-8")
    nested = tmp_path / "t.toml"
    nested.write_text('[[streams]]\nname = "x"\n', encoding="utf-8")
    binary = tmp_path / "b.bin"
    binary.write_bytes(bytes(range(256)))
    for path in (table, nested, binary, tmp_path / "missing.csv", SCENARIOS / "midsize.toml"):
        assert not is_usage_file(path), path
    json_array = write_json(tmp_path / "pages.json", "array")
    assert json_array.read_text(encoding="utf-8").startswith("[")
    assert is_usage_file(json_array)
