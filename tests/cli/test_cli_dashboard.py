"""``credsim dashboard``: the packaged page, the clone's Streamlit settings, any folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import dashboard
from sim.cli.commands import main
from sim.cli.dashboard import DEFAULT_ADDRESS, SETTINGS, child_environment, streamlit_args
from tests.paths import ROOT

START_TIMEOUT_S = 60


def flags(args: list[str]) -> dict[str, str]:
    """``--section.key value`` pairs after ``run APP``."""
    pairs = args[2:]
    assert all(name.startswith("--") for name in pairs[::2])
    return dict(zip([name.removeprefix("--") for name in pairs[::2]], pairs[1::2], strict=True))


def test_the_arguments_run_the_packaged_page_on_the_port_and_address() -> None:
    app = ROOT / "sim" / "dashboard" / "app.py"
    args = streamlit_args(app, 8123, "127.0.0.1")
    assert args[:2] == ["run", str(app)]
    given = flags(args)
    assert (given["server.port"], given["server.address"]) == ("8123", "127.0.0.1")
    assert given["server.headless"] == "true"
    assert given["browser.gatherUsageStats"] == "false"


def test_the_settings_are_the_clones_streamlit_config() -> None:
    """The installed command behaves like ``streamlit run`` in the clone (which reads this file)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    expected = {
        f"{section}.{key}": value
        for section, table in config.items()
        for key, value in table.items()
    }
    flagged = {**SETTINGS, "server.address": DEFAULT_ADDRESS}
    assert flagged == expected


def test_the_command_becomes_streamlit_on_the_packaged_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []

    def execve(program: str, argv: list[str], env: dict[str, str]) -> None:
        calls.append((program, argv, env))
        raise SystemExit(0)

    monkeypatch.setattr(dashboard.os, "execve", execve)
    result = CliRunner().invoke(main, ["dashboard", "--port", "8124"])
    assert result.exit_code == 0, result.output
    ((program, argv, _),) = calls
    assert program == sys.executable
    assert argv[:4] == [sys.executable, "-P", "-m", "streamlit"]
    assert argv[4:] == streamlit_args(ROOT / "sim" / "dashboard" / "app.py", 8124, "localhost")


def test_the_page_runs_the_same_sim_as_the_command(tmp_path: Path) -> None:
    home = tmp_path / "checkout"
    environ = {"PYTHONPATH": "/elsewhere", "HOME": "/root"}
    # `python -m sim` in a checkout: sim comes from path[0], which -P would drop.
    from_cwd = child_environment(home, [str(home), "/usr/lib/python3.11"], environ)
    assert from_cwd == {**environ, "PYTHONPATH": f"{home}{os.pathsep}/elsewhere"}
    assert child_environment(home, [str(home)], {})["PYTHONPATH"] == str(home)
    # An installed credsim: sim's folder (site-packages) is on the path anyway.
    site = tmp_path / "site-packages"
    assert child_environment(site, ["/venv/bin", str(site)], environ) == environ


def test_the_cli_does_not_import_streamlit_or_the_dashboard() -> None:
    code = (
        "import sys, sim.cli.commands\n"
        "print(sorted({'streamlit', 'sim.dashboard'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(url: str, server: subprocess.Popen[str]) -> bool:
    """Poll Streamlit's health endpoint until it answers ok, the server exits, or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def test_the_command_serves_the_page_from_another_working_directory(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's sim, not an installed one
    command = [sys.executable, "-m", "sim", "dashboard", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert healthy(f"http://localhost:{port}", server), server.poll()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"URL: http://localhost:{port}" in output
    assert "Traceback" not in output
