"""Run one broken-input case of the CLI, bounded in time and memory, and judge its output.

Why a fork per case: a case that breaks the CLI may loop for ever inside compiled
code (the recharge loop) or allocate gigabytes, where neither a Python signal nor
an exception can stop it. The test process is forked (cheap: everything is already
imported, no 1-2 s interpreter start as with a subprocess); the child lowers its
CPU-time and address-space limits, changes to the case's temporary folder and
invokes the click command in-process with ``CliRunner``; the parent reads the
child's result from a pipe. The time limit is CPU time (``RLIMIT_CPU``), so a
machine shared by several jobs slows a case down without failing it; a wall-clock
deadline, much longer, catches a child that sleeps (a lock, a socket).
"""

from __future__ import annotations

import os
import pickle
import re
import resource
import select
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sim.cli.commands import main
from tests.paths import ROOT

Setup = Callable[[Path], None]
"""Builds a case's input inside its temporary folder (large files are made, never committed)."""
Check = Callable[[Path], str]
"""Looks at the case's folder after an accepted run: what is wrong with the results, or ""."""

CPU_LIMIT_S = 1
"""CPU time a case may use (the kernel stops the case): a refusal needs a tenth of it, a
tiny run of the compiled engine a third."""

IMPORT_CPU_S = 10
"""CPU time a fresh ``python -m sim`` may add for its imports (about 4 s measured)."""

WALL_LIMIT_S = 120.0
"""Wall-clock time a case may take, for one that waits instead of computing (a backstop:
on a machine shared by a dozen jobs a fresh ``python -m sim`` took 25 s of wall time)."""

MEMORY_HEADROOM_BYTES = 1024**3
"""Address space a case may add to what the forked test process already maps."""

OUTPUT_KEEP_CHARS = 20_000
"""Characters of stdout and stderr sent back from a case (a runaway echo stays small)."""

ERROR_PREFIXES = ("credsim: error: ", "Error: ")
"""How an error line starts: the CLI's own, or click's for usage errors."""

NOISE_PREFIXES = ("credsim: warning: ", "Usage: ", "Try '", "regress: ", "  also: ")
"""Other stderr lines a refusal may carry: warnings, click's usage preamble, regress timings,
and the further problems of the same file (``sim.world.messages.combine`` indents them)."""

FOREIGN = ("root:x:0:0", "root:*:0:0", "PATH=", "HOME=", "CORPUS-CANARY")
"""Content of files outside the data (``/etc/passwd``, ``/proc/self/environ``, a canary
file next to the scenario's folder) that must never be echoed."""

_PROGRESS = re.compile(r"^[\w .-]+: \d+ replications to compute$")
"""The label ``sim.cli.progress`` prints when stderr is not a terminal (a run refused later)."""

CANARY = "CORPUS-CANARY-7f3a"
"""The content of the secret file that cases place just outside their data folder."""


@dataclass(frozen=True)
class Case:
    """One command line against one broken input, and what it must do.

    ``exit`` is 2 for a refusal (one error line naming ``names``), 0 for an input
    that is valid however odd, None when either is fine as long as the run ends
    within its limits; ``says`` is what the output of an accepted run must
    mention (a warning about what was dropped) and ``check`` what its files
    must hold (a resumed sweep's rows equal a clean one's). ``fails`` is the
    reason the case fails on main today ("issue 11 item N: ..."); such a case
    is a strict xfail until that item lands.
    """

    id: str
    args: tuple[str, ...]
    files: Mapping[str, bytes | str] = field(default_factory=dict)
    setup: Setup | None = None
    exit: int | None = 2
    names: str = ""
    says: str = ""
    check: Check | None = None
    fails: str = ""
    cpu_s: int = CPU_LIMIT_S


@dataclass(frozen=True)
class Outcome:
    """What a case did: exit code, output, a traceback if one escaped, elapsed time."""

    exit_code: int | None
    stdout: str
    stderr: str
    traceback: str
    elapsed_s: float
    killed: str = ""
    cpu_s: float = 0.0


def prepare(case: Case, folder: Path) -> None:
    """Write the case's files (and the canary outside ``data/``), then run its setup."""
    (folder / "secret.txt").write_text(f"{CANARY}\n", encoding="utf-8")
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    if case.setup is not None:
        case.setup(folder)


def run(case: Case, folder: Path) -> Outcome:
    """Run ``case`` in a forked child inside ``folder``; kill it at its time limit."""
    read_end, write_end = os.pipe()
    began = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        _child(case, folder, write_end)
    os.close(write_end)
    data, killed, cpu_s = _collect(read_end, pid, began + WALL_LIMIT_S)
    if killed == f"died of signal {signal.SIGXCPU}":
        killed = f"used more than its {case.cpu_s} s of CPU time: killed"
    elapsed = time.monotonic() - began
    if killed or not data:
        why = killed or "the case's process died without a result"
        return Outcome(None, "", "", "", elapsed, killed=why, cpu_s=cpu_s)
    result: dict[str, Any] = pickle.loads(data)
    return Outcome(elapsed_s=elapsed, cpu_s=cpu_s, **result)


def run_process(case: Case, folder: Path) -> Outcome:
    """Run ``case`` as ``python -m sim`` in a real process with the same limits.

    For the few cases where the entry point itself matters (how an escaped
    exception is printed, the exit status the shell sees). About a second each.
    """
    memory = _mapped_bytes() + MEMORY_HEADROOM_BYTES

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu_s = case.cpu_s + IMPORT_CPU_S
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))

    began = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sim", *case.args],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's sim, not another
            capture_output=True,
            text=True,
            errors="replace",
            timeout=WALL_LIMIT_S,
            preexec_fn=limits,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(None, "", "", "", time.monotonic() - began, killed="wall limit: killed")
    elapsed = time.monotonic() - began
    if done.returncode < 0:
        return Outcome(None, "", "", "", elapsed, killed=f"died of signal {-done.returncode}")
    stdout, stderr = done.stdout[:OUTPUT_KEEP_CHARS], done.stderr[-OUTPUT_KEEP_CHARS:]
    return Outcome(done.returncode, stdout, stderr, "", elapsed)


def _child(case: Case, folder: Path, pipe: int) -> None:
    status = 0
    try:
        _limit_memory()
        resource.setrlimit(resource.RLIMIT_CPU, (case.cpu_s, case.cpu_s + 1))
        os.chdir(folder)
        result = CliRunner().invoke(main, list(case.args), catch_exceptions=True)
        escaped = ""
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            escaped = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
        payload = {
            "exit_code": result.exit_code,
            "stdout": result.stdout[:OUTPUT_KEEP_CHARS],
            "stderr": result.stderr[:OUTPUT_KEEP_CHARS],
            "traceback": escaped[-OUTPUT_KEEP_CHARS:],
        }
        with os.fdopen(pipe, "wb") as handle:
            handle.write(pickle.dumps(payload))
    except BaseException:  # the parent reports a child that gave no result
        status = 1
    finally:
        os._exit(status)


def _limit_memory() -> None:
    """Cap the address space at what is mapped now plus the headroom."""
    cap = _mapped_bytes() + MEMORY_HEADROOM_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _mapped_bytes() -> int:
    """The address space this process maps now (a fresh interpreter with sim maps less)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return 1024 * next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))


def _collect(pipe: int, pid: int, deadline: float) -> tuple[bytes, str, float]:
    """The child's pickled result, why it was stopped ("" if it was not), its CPU seconds."""
    chunks: list[bytes] = []
    killed = ""
    with os.fdopen(pipe, "rb", buffering=0) as handle:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                killed = f"still running after {WALL_LIMIT_S:.0f} s: killed"
                break
            ready, _, _ = select.select([handle], [], [], remaining)
            if ready:
                chunk = handle.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    _, status, usage = os.wait4(pid, 0)
    if not killed and os.WIFSIGNALED(status):
        killed = f"died of signal {os.WTERMSIG(status)}"
    return b"".join(chunks), killed, usage.ru_utime + usage.ru_stime


def problems(case: Case, outcome: Outcome, folder: Path) -> list[str]:
    """Every way ``outcome`` falls short of what ``case`` expects (empty: it held)."""
    if outcome.killed:
        return [f"{outcome.killed} after {outcome.elapsed_s:.1f} s"]
    found = []
    everything = outcome.stdout + outcome.stderr + outcome.traceback
    if outcome.traceback or "Traceback" in everything:
        last = (outcome.traceback or everything).strip().splitlines()[-1:]
        found.append(f"a traceback escaped: {last}")
    leaked = [marker for marker in FOREIGN if marker in everything]
    if leaked:
        found.append(f"output quotes a file outside the data ({leaked})")
    if case.exit is not None and outcome.exit_code != case.exit:
        found.append(f"exit {outcome.exit_code}, expected {case.exit}")
    if outcome.exit_code == 2:
        found += _message_problems(case, outcome.stderr)
    elif case.exit is None and outcome.exit_code != 0:
        found.append(f"exit {outcome.exit_code}, expected 0 or 2")
    if outcome.exit_code == 0 and case.says and case.says not in everything:
        found.append(f"the output does not mention {case.says!r}")
    if outcome.exit_code == 0 and case.check is not None and (wrong := case.check(folder)):
        found.append(wrong)
    return found


def _message_problems(case: Case, stderr: str) -> list[str]:
    """One error line, nothing else but known noise, naming what the case expects."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(ERROR_PREFIXES)]
    other = [
        line
        for line in lines
        if not line.startswith(ERROR_PREFIXES + NOISE_PREFIXES) and not _PROGRESS.match(line)
    ]
    found = []
    if len(errors) != 1 or other:
        found.append(f"expected one error line on stderr, got {lines[:6]}")
    if errors and len(errors[0]) > 2000:
        found.append(f"the error line is {len(errors[0]):,} characters long")
    message = "\n".join(line for line in lines if line.startswith((*ERROR_PREFIXES, "  also: ")))
    if case.names and case.names not in message:
        found.append(f"the message does not name {case.names!r}: {errors[:1]}")
    return found
