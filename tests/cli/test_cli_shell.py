"""The CLI's shell: bad input exit 2, a bug exit 70 with a log, Ctrl+C exit 130; one line each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sim.cli import commands, shell
from sim.errors import InputError
from sim.study import runner
from sim.views import scenario_text as scenario_views
from tests.paths import ROOT, TINY

BUG_LINE = (
    "credsim: internal error (a bug): {kind}: {message}; the details are in {log}; please report it"
)


@pytest.fixture
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Bug logs go to a temporary folder, not the user's state folder."""
    folder = tmp_path / "logs"
    monkeypatch.setattr(shell, "log_folders", lambda: [folder])
    return folder


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main_group(), [str(arg) for arg in args], prog_name="credsim")


def main_group():  # the group itself, looked up late so monkeypatches apply
    return commands.main


def raising(error: BaseException):
    def fail(*_args: object, **_kwargs: object) -> None:
        raise error

    return fail


def the_log(folder: Path) -> str:
    (log,) = folder.iterdir()
    return log.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "error",
    [ZeroDivisionError("forced"), MemoryError("forced"), RecursionError("forced")],
    ids=lambda error: type(error).__name__,
)
def test_a_bug_is_one_line_exit_70_and_a_log_with_the_traceback(
    error: BaseException, log_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenario_views, "scenario_text", raising(error))
    result = invoke("validate", TINY)
    assert result.exit_code == shell.EXIT_BUG
    (log,) = log_folder.iterdir()
    kind = type(error).__name__
    assert result.stderr == BUG_LINE.format(kind=kind, message="forced", log=log) + "\n"
    text = the_log(log_folder)
    assert "Traceback (most recent call last)" in text and f"{kind}: forced" in text
    assert "scenario_text" in text  # the line that failed, for whoever fixes it


def test_input_error_raised_anywhere_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        scenario_views,
        "scenario_text",
        raising(InputError("too many users", source="x.toml", line=3)),
    )
    result = invoke("validate", TINY)
    assert (result.exit_code, result.stderr) == (2, "credsim: error: x.toml:3: too many users\n")


def test_an_unreadable_file_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    error = PermissionError(13, "Permission denied", "secret.csv")
    monkeypatch.setattr(scenario_views, "scenario_text", raising(error))
    result = invoke("validate", TINY)
    assert (result.exit_code, result.stderr) == (
        2,
        "credsim: error: secret.csv: Permission denied\n",
    )


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scenario_views, "scenario_text", raising(KeyboardInterrupt()))
    result = invoke("validate", TINY)
    assert (result.exit_code, result.stderr) == (130, "credsim: interrupted\n")


@pytest.mark.parametrize(
    ("error", "status"),
    [(ValueError("boom in a worker"), shell.EXIT_BUG), (InputError("bad in a worker"), 2)],
    ids=["bug", "input"],
)
def test_a_pool_workers_exception_arrives_as_the_same_one_line(
    error: Exception, status: int, log_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, replicate = os.getpid(), runner.replicate

    def in_workers(*args: Any, **kwargs: Any) -> Any:
        """Raises in a worker only: a forked pool runs its first replication in this process
        (``LocalExecutor.first_here``), the others in the workers."""
        if os.getpid() == here:
            return replicate(*args, **kwargs)
        raise error

    monkeypatch.setattr(runner, "replicate", in_workers)  # forked workers inherit it
    result = invoke("run", TINY, "--replications", "4", "--workers", "2")
    assert result.exit_code == status
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert lines[-1].endswith("please report it" if status == shell.EXIT_BUG else str(error))
    if status == shell.EXIT_BUG:
        text = the_log(log_folder)
        assert "ValueError: boom in a worker" in text
        assert "_RemoteTraceback" in text and "in in_workers" in text  # the worker's own traceback


def test_no_log_folder_still_gives_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")  # a file where the folder should be
    monkeypatch.setattr(shell, "log_folders", lambda: [blocked / "logs"])
    monkeypatch.setattr(scenario_views, "scenario_text", raising(ZeroDivisionError("forced")))
    result = invoke("validate", TINY)
    assert result.exit_code == shell.EXIT_BUG
    assert result.stderr.count("\n") == 1 and "no log (it could not be written" in result.stderr


def test_the_log_folder_is_per_user_and_never_the_working_directory() -> None:
    folders = shell.log_folders()
    assert all(folder.is_absolute() for folder in folders)
    assert Path.cwd() not in folders and "credsim" in str(folders[0])


def _credsim(code: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_in_a_real_process_a_bug_prints_no_traceback(tmp_path: Path) -> None:
    code = (
        "import sys, sim.cli.commands as c, sim.views.scenario_text as v\n"
        "def boom(*a): raise ZeroDivisionError('forced for a test')\n"
        "v.scenario_text = boom\n"
        "c.main(prog_name='credsim')\n"
    )
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "HOME": str(tmp_path)}
    done = _credsim(code, "validate", str(TINY), env=env)
    assert done.returncode == 70, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "ZeroDivisionError: forced for a test" in done.stderr
    logs = list(tmp_path.rglob("crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in done.stderr
    assert "Traceback (most recent call last)" in logs[0].read_text(encoding="utf-8")


SIGINT_BIT = 1 << (signal.SIGINT - 1)
"""SIGINT's bit in the SigIgn mask of /proc/PID/status."""


def _wait_for_workers_ignoring_ctrl_c(pid: int, count: int, timeout_s: float = 60.0) -> None:
    """Wait until ``count`` pool workers run and have installed their SIGINT handler.

    The progress line is printed before the pool starts; Ctrl+C sent at that moment
    would test the pool's start, not a pooled run, so it waits for one (Linux /proc).
    (With 100,000 replications, drawing their seeds alone took 6 s before any worker ran.)
    """
    deadline = time.monotonic() + timeout_s
    children = Path(f"/proc/{pid}/task/{pid}/children")
    while time.monotonic() < deadline:
        ready = 0
        for child in children.read_text(encoding="ascii").split():
            try:
                status = Path(f"/proc/{child}/status").read_text(encoding="ascii")
            except FileNotFoundError:
                continue  # a child that has just ended
            mask = next(line for line in status.splitlines() if line.startswith("SigIgn:"))
            ready += bool(int(mask.split()[1], 16) & SIGINT_BIT)
        if ready >= count:
            return
        time.sleep(0.05)
    pytest.fail(f"no {count} pool workers ignoring SIGINT within {timeout_s} s")


FOREGROUND = (
    "import os, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])\n"
)
"""Run argv with Ctrl+C at its default, as in a terminal's foreground job.

A command started in the background by a non-interactive shell (``.ci/run &``,
nohup) inherits SIGINT ignored, and Python then installs no KeyboardInterrupt
handler: the run would rightly ignore the test's Ctrl+C and finish its work
(which once failed this test whenever the suite was started that way). A
disposition of SIG_DFL survives ``exec``; a handler would not."""


def test_ctrl_c_during_a_pooled_run_is_one_line_and_leaves_no_worker(tmp_path: Path) -> None:
    command = ["-m", "sim", "run", str(TINY), "--replications", "10000", "--workers", "2"]
    process = subprocess.Popen(  # 10,000 replications: some 25-50 s of work, stopped after 1
        [sys.executable, "-c", FOREGROUND, *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert process.stderr is not None
    process.stderr.readline()  # the progress line: the pool is starting
    _wait_for_workers_ignoring_ctrl_c(process.pid, count=2)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C sends: every process of the group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.splitlines()[-1] == "credsim: interrupted" and "Traceback" not in err
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # no worker of the group is left


def _takes_file(name: str) -> bool:
    return any(param.name == "file" for param in commands.main.commands[name].params)


BROKEN = [
    (name, broken)
    for name in sorted(commands.main.commands)
    for broken in (["--no-such-option"], ["no-such-file.toml"], ["/"], ["\x00"])
    if broken == ["--no-such-option"] or _takes_file(name)
]
"""Every command with an unknown option; every command that reads a FILE with a missing
one, a folder and a name no file system allows."""


@pytest.mark.parametrize(("name", "broken"), BROKEN, ids=repr)
def test_every_command_refuses_broken_input_in_one_line(name: str, broken: list[str]) -> None:
    result = invoke(name, *broken)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("credsim: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_usage_error_is_one_line_with_where_to_find_help() -> None:
    result = invoke("run", TINY, "--engine", "x")
    assert (result.exit_code, result.stderr) == (
        2,
        "credsim: error: Invalid value for '--engine': 'x' is not one of 'skip', 'fast', "
        "'simpy', 'replay'. (see 'credsim run --help')\n",
    )
    top = invoke("--no-such-option")
    assert top.exit_code == 2 and top.stderr.endswith("(see 'credsim --help')\n")
