"""Sweep benchmark: the fast engine against the SimPy model, and whole sweeps.

    python benchmarks/sweep_bench.py [--out benchmarks/results/sweep.json]

For `midsize` and `enterprise`:

1. engine throughput on the same work: one replication's stream, the same
   policies (the 10 x 10 grid for the fast engine; its first few for SimPy,
   which is slow), timed in this process; policy-call evaluations per second
   = policies x charged calls / engine time, and the fast/SimPy ratio;
2. whole sweeps through the CLI (`credsim sweep ... --quiet` in a child
   process): wall time and peak resident memory (``wait4``: the largest
   process of the tree, and the sum over the sweep's processes sampled every
   0.2 s), with the fast engine at two replication counts (memory must not
   grow with them) and with SimPy at a few.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sim.engines.batch import evaluate
from sim.study.experiment import build_policy, run_spec, scenario_levers, with_overrides
from sim.study.grid import parse_values
from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = """
import os, subprocess, sys, time

def tree_rss_kb(root):
    # Sum VmRSS over root and its descendants (the process pool's workers).
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as handle:
                    parents[int(name)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    family, total = {root}, 0
    for _ in range(4):
        family |= {pid for pid, parent in parents.items() if parent in family}
    for pid in family:
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total

import resource

child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak_total = 0
while child.poll() is None:
    peak_total = max(peak_total, tree_rss_kb(child.pid))
    time.sleep(0.2)
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(largest, peak_total)
sys.exit(child.returncode)
"""
GRIDS = {
    "midsize": ("100:1000:100", "250:2500:250"),
    "enterprise": ("1000:10000:1000", "2500:25000:2500"),
}


def engine_throughput(name: str, simpy_policies: int) -> dict[str, object]:
    """Both engines on the same stream and policies; evaluations per second."""
    loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario = loaded.scenario
    demand_seed, payment_seed = replication_seeds(1, 1)[0]
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    charged = len(stream.charged())
    base = scenario_levers(scenario)
    triggers, amounts = (parse_values(text) for text in GRIDS[name])
    policies = [
        build_policy(scenario, with_overrides(base, trigger=trigger, amount=amount))
        for trigger in triggers
        for amount in amounts
    ]
    spec = run_spec(scenario)
    evaluate(
        "fast", stream, policies[:1], spec, payment_seed=payment_seed
    )  # compile (or load the cache) first
    report: dict[str, object] = {"calls": len(stream), "charged_calls": charged}
    for engine, chosen in (("fast", policies), ("simpy", policies[:simpy_policies])):
        began = time.perf_counter()
        outcomes = evaluate(engine, stream, chosen, spec, payment_seed=payment_seed)
        wall_s = time.perf_counter() - began
        report[engine] = {
            "policies": len(chosen),
            "engine_s": round(wall_s, 4),
            "per_policy_ms": round(1000 * wall_s / len(chosen), 3),
            "evaluations_per_s": round(len(chosen) * charged / wall_s),
        }
        if engine == "fast":
            fast_outcomes = outcomes
        else:
            assert outcomes == fast_outcomes[: len(chosen)], "the engines disagree"
    fast, simpy = report["fast"], report["simpy"]
    report["ratio_fast_to_simpy"] = round(
        fast["evaluations_per_s"] / simpy["evaluations_per_s"],
        1,  # type: ignore[index]
    )
    return report


def sweep(name: str, replications: int, engine: str, grid: tuple[str, str]) -> dict[str, object]:
    """A whole `credsim sweep` in a child process: wall time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="credsim-sweep-bench-") as folder:
        command = [
            sys.executable, "-m", "sim", "sweep", str(ROOT / "scenarios" / f"{name}.toml"),
            "--triggers", grid[0], "--amounts", grid[1], "--replications", str(replications),
            "--engine", engine, "--out", str(Path(folder) / "out"), "--quiet",
        ]  # fmt: skip
        began = time.perf_counter()
        # A small launcher process runs the sweep and reports its peak RSS (wait4):
        # forked straight from this large process, the child would count our pages.
        finished = subprocess.run(
            [sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, check=False
        )
        wall_s = time.perf_counter() - began
        if finished.returncode != 0:
            raise SystemExit(f"sweep failed: {finished.stderr}")
        largest_kb, total_kb = (int(value) for value in finished.stdout.split()[-2:])
    policies = len(parse_values(grid[0])) * len(parse_values(grid[1]))
    return {
        "engine": engine,
        "policies": policies,
        "replications": replications,
        "wall_s": round(wall_s, 2),
        "policy_replications_per_s": round(policies * replications / wall_s, 1),
        "peak_rss_mb_largest_process": round(largest_kb / 1024, 1),
        "peak_rss_mb_all_processes": round(total_kb / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--quick", action="store_true", help="fewer replications (a smoke run)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    report: dict[str, object] = {
        "benchmark": "sweep",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    for name in ("midsize", "enterprise"):
        first_policy = (GRIDS[name][0].split(":")[0], GRIDS[name][1].split(":")[0])
        report[name] = {
            "engine_throughput": engine_throughput(name, simpy_policies=3),
            "sweeps": [
                sweep(name, 200 // scale, "fast", GRIDS[name]),
                sweep(name, 50 // scale, "fast", GRIDS[name]),
                sweep(name, 2, "simpy", first_policy),
            ],
        }
        print(json.dumps({name: report[name]}), file=sys.stderr)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
