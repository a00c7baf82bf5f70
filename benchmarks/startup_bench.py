"""Start-up benchmark: how long the command line takes before it answers.

    python benchmarks/startup_bench.py [--runs 7] [--out benchmarks/results/startup.json]

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
"""

from __future__ import annotations

import argparse
import os
import platform
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


def wall_s(command: list[str], env: dict[str, str]) -> float:
    """One run's wall time in seconds (it must succeed)."""
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    return time.perf_counter() - began


def measure(runs: int) -> dict[str, list[float]]:
    """Every command ``runs`` times, interleaved round by round, after one unmeasured round
    that writes the bytecode cache (and warms the file cache) as an install has it."""
    env = as_installed_env()
    for command in COMMANDS.values():
        wall_s(command, env)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            times[name].append(wall_s(command, env))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command [7]")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    load_before = os.getloadavg()
    times = measure(args.runs)
    yardstick = statistics.median(times[YARDSTICK])
    report: dict[str, object] = {
        "benchmark": "startup",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "load_average_1min": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "commands": {
            name: {
                "median_s": round(statistics.median(values), 3),
                "min_s": round(min(values), 3),
                "ratio_to_import_click": round(statistics.median(values) / yardstick, 2),
            }
            for name, values in times.items()
        },
    }
    for name, figures in report["commands"].items():  # type: ignore[attr-defined]
        print(
            f"{name:<30}{figures['median_s']:>8.3f} s median{figures['min_s']:>8.3f} s min"
            f"{figures['ratio_to_import_click']:>7.2f}x import click",
            file=sys.stderr,
        )
    emit(report, args.out)


if __name__ == "__main__":
    main()
