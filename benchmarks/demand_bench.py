"""Time ``sim.world.demand.generate`` a replication, and its peak memory; here or against a tree.

    python benchmarks/demand_bench.py [--reps 7] [--rounds 3] [--out FILE] [WORKLOAD ...]
    python benchmarks/demand_bench.py --compare /tmp/before [--out FILE]

Workloads: the bundled ``small-team``, ``midsize`` and ``enterprise``, and two
constructed tenants (``tenant-1000``, ``tenant-5000``: every source at once, 24
months). Each child process generates a workload once to warm up (grid cache,
allocator), then ``--reps`` replications with seeds 0..reps-1, and reports per
replication the median CPU and wall seconds, the calls and charged calls, and
the peak of memory allocated while generating one more (``tracemalloc``, which
numpy reports its arrays to; not timed). What is timed is what a Monte Carlo
replication pays: the charged calls rated and sorted, the free ones counted
(their columns are built only when read).

``--compare OTHER`` runs the same children on ``OTHER`` (a checkout, or a copy of
its ``sim/``: it comes first on ``PYTHONPATH``) and on this checkout, alternating
round after round (ABBA), and gives the after/before ratio of the medians; both
must generate the same charged calls (a checksum of every replication's columns).
CPU seconds are the headline on a shared machine (see ``fast_engine_bench``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from bench_out import emit
from fast_engine_bench import describe

from sim.world.demand import generate
from sim.world.load import load_scenario
from sim.world.rates import Rate, RateTable
from sim.world.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ("small-team", "midsize", "enterprise")
WORKLOADS = (*BUNDLED, "tenant-1000", "tenant-5000")
COLUMNS = ("start_us", "end_us", "service", "charge_minor", "credit_billed", "billed_min")


def tenant(users: int) -> Scenario:
    """Every source at once, 24 months, New York business hours, 1 % monthly growth."""
    return Scenario.model_validate(
        {
            "scenario": {"name": f"bench-{users}", "start": "2027-01-01T05:00:00Z"},
            "calendar": {"timezone": "America/New_York", "holidays": ["2027-07-05"]},
            "users": {"count": users, "monthly_growth": 0.01},
            "meetings": _meetings(),
            "big_meetings": [
                {
                    "name": "all hands",
                    "recurrence": "FREQ=MONTHLY;BYDAY=+1TH",
                    "time": "11:00:00",
                    "dial_ins": {"dist": "negative_binomial", "mean": users / 6, "sd": users / 30},
                }
            ],
            "user_calling": _user_calling(),
            "streams": [
                {
                    "name": "service desk",
                    "service": "toll_free_dial_in",
                    "calls_per_day": users / 20,
                    "duration_min": {"dist": "exponential", "mean": 6},
                    "country": "US",
                    "number_type": "toll_free",
                }
            ],
            "plans": {
                "audio_conferencing_licences": users,
                "domestic_plan_users": users,
                "international_plan_users": users // 100,
            },
        }
    )


def _rates() -> RateTable:
    prices = {
        ("US", "toll_free", "inbound"): "0.022",
        ("GB", "toll_free", "inbound"): "0.04",
        ("US", "landline", "outbound"): "0.013",
        ("US", "mobile", "outbound"): "0.013",
        ("GB", "landline", "outbound"): "0.015",
        ("AE", "mobile", "outbound"): "0.23",
        ("BR", "mobile", "outbound"): "0.175",
    }
    return RateTable(Path("bench-rates"), {key: Rate(Decimal(v)) for key, v in prices.items()})


def _meetings() -> dict[str, Any]:
    return {
        "per_user_per_day": 0.05,
        "dial_ins": {"dist": "negative_binomial", "mean": 3, "sd": 3},
        "toll_free_share": 0.35,
        "dial_in_countries": {"US": 3, "GB": 1},
        "duration_min": {"dist": "lognormal", "mean": 40, "sd": 25},
        "join_jitter_min": {"dist": "exponential", "mean": 2},
        "leave_jitter_min": {"dist": "exponential", "mean": 3},
        "dial_outs": {"dist": "poisson", "mean": 0.4},
        "dial_out_destinations": [
            {"country": "US", "share": 3},
            {"country": "AE", "number_type": "mobile", "share": 1},
        ],
    }


def _user_calling() -> dict[str, Any]:
    return {
        "per_user_per_day": 1.5,
        "international_share": 0.04,
        "international_destinations": [
            {"country": "GB", "share": 2},
            {"country": "BR", "number_type": "mobile", "share": 1},
        ],
        "domestic_number_types": {"landline": 1, "mobile": 1},
        "duration_min": {"dist": "gamma", "mean": 5, "sd": 4},
    }


def workload(name: str) -> tuple[Scenario, RateTable]:
    """(scenario, rate table) of a workload."""
    if name in BUNDLED:
        loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
        return loaded.scenario, loaded.rates
    return tenant(int(name.removeprefix("tenant-"))), _rates()


def measure(name: str, reps: int) -> dict[str, Any]:
    """One workload in this process: warm-up, ``reps`` timed replications, one traced."""
    scenario, rates = workload(name)
    generate(scenario, rates, np.random.default_rng(10_000))
    cpu_s, wall_s, calls, charged = [], [], [], []
    digest = hashlib.sha256()
    for seed in range(reps):
        began_cpu, began_wall = time.process_time(), time.perf_counter()
        stream = generate(scenario, rates, np.random.default_rng(seed))
        cpu_s.append(time.process_time() - began_cpu)
        wall_s.append(time.perf_counter() - began_wall)
        calls.append(len(stream))
        charged.append(len(stream.charged()))
        for column in COLUMNS:
            digest.update(np.ascontiguousarray(getattr(stream.charged(), column)).tobytes())
        del stream
    tracemalloc.start()
    generate(scenario, rates, np.random.default_rng(reps))
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "calls_per_replication": int(statistics.mean(calls)),
        "charged_per_replication": int(statistics.mean(charged)),
        "cpu_s": round(statistics.median(cpu_s), 4),
        "wall_s": round(statistics.median(wall_s), 4),
        "peak_mb": round(peak_bytes / 2**20, 1),
        "checksum": digest.hexdigest()[:16],
    }


def run_tree(tree: Path, names: list[str], reps: int) -> dict[str, dict[str, Any]]:
    """``measure`` every workload in a child process that imports ``sim`` from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, __file__, "--worker", "--reps", str(reps), *names]
    finished = subprocess.run(
        command, cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise SystemExit(f"the measurement in {tree} failed:\n{finished.stderr}")
    return json.loads(finished.stdout.splitlines()[-1])


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median over rounds of each round's median seconds; the rest from the first round."""
    first = runs[0]
    report = {key: first[key] for key in ("calls_per_replication", "charged_per_replication")}
    for clock in ("cpu_s", "wall_s"):
        report[clock] = round(statistics.median(run[clock] for run in runs), 4)
        report[f"{clock}_per_round"] = [run[clock] for run in runs]
    report["peak_mb"] = max(run["peak_mb"] for run in runs)
    report["checksum"] = first["checksum"]
    return report


def compare(trees: dict[str, Path], names: list[str], rounds: int, reps: int) -> dict[str, Any]:
    """Alternate the trees round after round (ABBA); each workload's sides and ratios."""
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
    labels = list(trees)
    for index in range(rounds):
        for label in labels if index % 2 == 0 else labels[::-1]:
            runs[label].append(run_tree(trees[label], names, reps))
            print(f"round {index + 1}/{rounds} {label}: done", file=sys.stderr)
    report: dict[str, Any] = {}
    for name in names:
        sides = {label: summary([run[name] for run in runs[label]]) for label in labels}
        if len({side["checksum"] for side in sides.values()}) > 1:
            raise SystemExit(f"{name}: the trees generated different charged calls")
        if len(sides) == 2:
            before, after = sides["before"], sides["after"]
            for clock in ("cpu_s", "wall_s"):
                sides[f"speed-up_{clock}"] = round(before[clock] / after[clock], 2)
        report[name] = sides
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", help=f"some of {', '.join(WORKLOADS)} (all)")
    parser.add_argument("--compare", type=Path, metavar="TREE", help="the 'before' tree")
    parser.add_argument("--rounds", type=int, default=3, help="child runs per tree")
    parser.add_argument("--reps", type=int, default=7, help="timed replications per child run")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if unknown := set(args.workloads) - set(WORKLOADS):
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {', '.join(WORKLOADS)}")
    names = args.workloads or list(WORKLOADS)
    if args.worker:
        print(json.dumps({name: measure(name, args.reps) for name in names}))
        return
    trees = {"after": ROOT} if args.compare is None else {"before": args.compare, "after": ROOT}
    report: dict[str, Any] = {
        "benchmark": "demand.generate",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "rounds": args.rounds,
        "reps": args.reps,
        **{label: f"{tree} at {describe(tree)}" for label, tree in trees.items()},
    }
    report.update(compare(trees, names, args.rounds, args.reps))
    report["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    emit(report, args.out)


if __name__ == "__main__":
    main()
