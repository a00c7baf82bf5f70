"""``credsim fetch`` end to end against the fake Graph: file, progress, exit statuses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import sim.cli.fetch as fetch_cli
from sim.cli.commands import main
from tests.calls.graph_server import EXPIRED, Reply, fake_graph, page
from tests.calls.test_graph_fetch import PSTN, FakeCredential, record


def invoke(out: Path, url: str, *extra: str) -> tuple[int, str, str]:
    args = ["fetch", "--tenant", "contoso.onmicrosoft.com", "--client-id", "app-id"]
    args += ["--from", "2024-03-01", "--to", "2024-03-31", "-o", str(out), *extra]
    if url:
        args += ["--graph-url", url]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def fake_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_cli, "credential", lambda tenant, client_id: FakeCredential())


@pytest.mark.usefixtures("fake_login")
def test_fetch_writes_the_records_and_backtest_reads_them(tmp_path: Path) -> None:
    out = tmp_path / "calls.json"
    with fake_graph() as graph:
        graph.script = {PSTN: [Reply(200, page([record(1), record(2)]))]}
        status, stdout, stderr = invoke(out, graph.base_url)
    assert status == 0, stderr
    assert stdout == ""
    assert "window 1: 2024-03-01" in stderr and "wrote 2 records" in stderr
    result = CliRunner().invoke(main, ["backtest", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"calls": 2' in result.stdout


@pytest.mark.usefixtures("fake_login")
def test_an_expired_token_exits_2_with_one_line(tmp_path: Path) -> None:
    out = tmp_path / "calls.json"
    with fake_graph() as graph:
        graph.script = {PSTN: [Reply(401, EXPIRED)]}
        status, _, stderr = invoke(out, graph.base_url)
    assert status == 2
    errors = [line for line in stderr.splitlines() if line.startswith("credsim: error:")]
    assert len(errors) == 1 and "HTTP 401" in errors[0] and "Traceback" not in stderr
    assert not out.exists()


def test_the_secret_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(fetch_cli.SECRET_VARIABLE, raising=False)
    status, _, stderr = invoke(tmp_path / "calls.json", "")
    assert status == 2
    assert stderr.strip().splitlines() == [
        "credsim: error: set AZURE_CLIENT_SECRET to the app's client secret (getPstnCalls needs"
        " the application permission CallRecords.Read.All; see docs/cli.md)"
    ]


def test_without_the_graph_extra_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # import fails as if absent
    status, _, stderr = invoke(tmp_path / "calls.json", "")
    assert status == 2
    assert "pip install credsim[graph]" in stderr and len(stderr.strip().splitlines()) == 1
