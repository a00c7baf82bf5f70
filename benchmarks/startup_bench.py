"""Start-up benchmark: how long the command line takes before it answers.

    python benchmarks/startup_bench.py [--runs 7] [--compare TREE] [--out FILE]

Each command runs ``--runs`` times in a child process, in turn (one run of
each, then the next round), so that a change in the machine's load during the
benchmark falls on every command alike; the median wall time of each is
reported with its ratio to ``python -c "import click"``, the yardstick of
issue 15 (``credsim --help`` and ``credsim validate`` within 3x of it). The
commands run as ``python -m sim`` from the repository root, so they measure
this checkout's ``sim``; the load average is printed with the figures, since
on a shared machine it moves them (compare ratios measured in one run).

The children run as a user's install does, with Python's bytecode cache on
(``bench_out.as_installed_env``), after one unmeasured round that writes that
cache: a machine that sets ``PYTHONDONTWRITEBYTECODE`` (this project's does)
would otherwise compile credsim's modules from source at every start, which a
pip install never does (it added about 0.3 s to ``validate``).

Each child's CPU time (user + system) is reported beside its wall time: on a
machine other jobs share, the wall time of a 0.1 s command moves with their
load far more than its CPU time does. ``--compare TREE`` also runs each
``credsim`` command in another checkout (``before: ...``, its ``sim`` found
from its own root), in the same rounds, for a before/after in one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_out import as_installed_env, emit

ROOT = Path(__file__).resolve().parents[1]
YARDSTICK = "import click"
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    YARDSTICK: [sys.executable, "-c", "import click"],
    "credsim --help": [sys.executable, "-m", "sim", "--help"],
    "credsim sweep --help": [sys.executable, "-m", "sim", "sweep", "--help"],
    "credsim validate small-team": [sys.executable, "-m", "sim", "validate", "small-team"],
    "credsim validate midsize": [sys.executable, "-m", "sim", "validate", "midsize"],
}
"""What is timed; the first two are the interpreter alone and the yardstick."""


def timed_s(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """One run's wall time and its child's CPU time (user + system), in seconds; it must
    succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def jobs(compare: Path | None) -> dict[str, tuple[list[str], Path]]:
    """Every command with the folder it runs in: this checkout, and ``compare``'s for the
    ``credsim`` commands (named ``before: ...``)."""
    here = {name: (command, ROOT) for name, command in COMMANDS.items()}
    if compare is None:
        return here
    there = {
        f"before: {name}": (command, compare.resolve())
        for name, command in COMMANDS.items()
        if name.startswith("credsim")
    }
    return {**here, **there}


def measure(runs: int, compare: Path | None) -> dict[str, list[tuple[float, float]]]:
    """Every command ``runs`` times, interleaved round by round, after one unmeasured round
    that writes the bytecode cache (and warms the file cache) as an install has it."""
    return interleaved(jobs(compare), runs)


def interleaved(
    todo: dict[str, tuple[list[str], Path]], runs: int
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each of ``todo``'s commands (run in its folder) ``runs`` times,
    round by round, after one unmeasured round; as an install runs them (``as_installed_env``)."""
    env = as_installed_env()
    for command, cwd in todo.values():
        timed_s(command, cwd, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in todo}
    for _ in range(runs):
        for name, (command, cwd) in todo.items():
            times[name].append(timed_s(command, cwd, env))
    return times


def figures(values: list[tuple[float, float]], yardstick: tuple[float, float]) -> dict[str, float]:
    """Median and least wall time, median CPU time, and both medians' ratios to the yardstick's."""
    wall = statistics.median(wall for wall, _ in values)
    cpu = statistics.median(cpu for _, cpu in values)
    return {
        "median_s": round(wall, 3),
        "min_s": round(min(wall for wall, _ in values), 3),
        "ratio_to_import_click": round(wall / yardstick[0], 2),
        "median_cpu_s": round(cpu, 3),
        "cpu_ratio_to_import_click": round(cpu / yardstick[1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command [7]")
    parser.add_argument("--compare", type=Path, metavar="TREE", help="a 'before' checkout")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    load_before = os.getloadavg()
    times = measure(args.runs, args.compare)
    yardstick = (
        statistics.median(wall for wall, _ in times[YARDSTICK]),
        statistics.median(cpu for _, cpu in times[YARDSTICK]),
    )
    report: dict[str, object] = {
        "benchmark": "startup",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "load_average_1min": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "commands": {name: figures(values, yardstick) for name, values in times.items()},
    }
    if args.compare is not None:
        report["before"] = str(args.compare)
    for name, shown in report["commands"].items():  # type: ignore[attr-defined]
        print(
            f"{name:<38}{shown['median_s']:>7.3f} s median{shown['min_s']:>7.3f} s min"
            f"{shown['ratio_to_import_click']:>7.2f}x import click"
            f"{shown['median_cpu_s']:>7.3f} s CPU{shown['cpu_ratio_to_import_click']:>6.2f}x",
            file=sys.stderr,
        )
    emit(report, args.out)


if __name__ == "__main__":
    main()
