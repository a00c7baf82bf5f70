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
   grow with them) and with SimPy at a few;
3. ``--end-to-end``: issue 15's sweep (midsize, 10 x 10, 20 replications) through
   the CLI, its wall time split (``end_to_end``) and its ratio to a naive per-call
   SimPy loop over the same policies and replications.
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
from typing import Any

import numpy as np
from bench_out import as_installed_env, emit
from fast_engine_bench import GRIDS

from sim.engines.batch import DEFAULT_ENGINE, evaluate
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


def grid_policies(scenario: Any, name: str) -> list[Any]:
    """The benchmark grid's policies for scenario ``name`` (``GRIDS``), trigger-major."""
    base = scenario_levers(scenario)
    triggers, amounts = (parse_values(text) for text in GRIDS[name])
    return [
        build_policy(scenario, with_overrides(base, trigger=trigger, amount=amount))
        for trigger in triggers
        for amount in amounts
    ]


def engine_throughput(name: str, simpy_policies: int) -> dict[str, object]:
    """Both engines on the same stream and policies; evaluations per second."""
    loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario = loaded.scenario
    demand_seed, payment_seed = replication_seeds(1, 1)[0]
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    charged = len(stream.charged())
    policies = grid_policies(scenario, name)
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


def warm_up(engine: str) -> None:
    """One small sweep through the CLI on both workers, unmeasured: compiles and caches."""
    with tempfile.TemporaryDirectory(prefix="credsim-sweep-warm-") as folder:
        command = [
            sys.executable, "-m", "sim", "sweep", str(ROOT / "scenarios" / "midsize.toml"),
            "--triggers", "100,200", "--amounts", "250", "--replications", "2", "--engine",
            engine, "--out", str(Path(folder) / "out"), "--quiet", "--no-widen",
        ]  # fmt: skip
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=as_installed_env())


def end_to_end(replications: int, engine: str, workers: int | None) -> dict[str, object]:
    """Issue 15's sweep through the CLI, split into its costs, against naive SimPy.

    The child process's wall time is split by the stage timings its manifest
    records (``sim.study.sweep``): start-up (interpreter, imports, loading the
    scenario: the wall time the manifest does not cover), the grid stage, the
    rule-of-thumb stage, the summary and files; and how many replications each
    stage generated and replayed from the demand kept (``sim.study.kept_demand``).
    The rule of thumb stays a stage of its own, reported under its name: its policy
    is known only once the grid stage has generated every replication; it replays
    the kept demand, in the sweep's process when that is cheaper than a pool
    (``sim.study.sweep_stages.replay_here``).
    Inside the stages, demand and policies are split by timing the same
    replications here (one process):
    ``generate`` and then ``evaluate`` of the sweep's 100 policies and the
    documented example. The SimPy figure replays two policies of replication 1
    on the reference model and scales to every policy x replication.
    """
    name = "midsize"
    triggers, amounts = GRIDS[name]
    with tempfile.TemporaryDirectory(prefix="credsim-sweep-bench-") as folder:
        out = Path(folder) / "out"
        command = [
            sys.executable, "-m", "sim", "sweep", str(ROOT / "scenarios" / f"{name}.toml"),
            "--triggers", triggers, "--amounts", amounts, "--replications", str(replications),
            "--engine", engine, "--out", str(out), "--quiet", "--no-widen",
            *(["--workers", str(workers)] if workers else []),
        ]  # fmt: skip
        began = time.perf_counter()
        # as a user's install runs it (bytecode cached by the warm-up): bench_out's docstring
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=as_installed_env())
        wall_s = time.perf_counter() - began
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        timings = manifest["timings"]
        demand = manifest["invocations"][-1].get("demand", {}).get("stages")
    demand_s, policies_s, simpy_s, evaluations = work_split(name, replications, engine)
    policies = len(parse_values(triggers)) * len(parse_values(amounts))
    simpy_total_s = simpy_s * policies * replications
    return {
        "command": " ".join(command[2:]).replace(str(ROOT) + "/", ""),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "wall_s": round(wall_s, 2),
        "split_s": {
            "start_up": round(wall_s - timings["wall_s"], 2),
            "grid_stage": round(timings["main_s"], 2),
            "rule_of_thumb_stage": round(timings.get("rule_of_thumb_s", 0.0), 2),
            "summary_and_files": round(timings["summary_s"], 2),
            "other": round(
                timings["wall_s"]
                - timings["main_s"]
                - timings.get("rule_of_thumb_s", 0.0)
                - timings["summary_s"],
                2,
            ),
        },
        "one_process_s": {"demand": round(demand_s, 2), "policies": round(policies_s, 2)},
        "replications_generated_and_replayed": demand,
        "evaluations_per_s": round(evaluations * replications / wall_s),
        "simpy_s_per_policy_replication": round(simpy_s, 3),
        "ratio_to_naive_simpy": round(simpy_total_s / wall_s, 1),
    }


def work_split(name: str, replications: int, engine: str) -> tuple[float, float, float, int]:
    """(demand s, policies s) of the sweep's replications in this process, SimPy s per
    policy-replication, and policy-call evaluations per replication (policies x charged)."""
    loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario = loaded.scenario
    policies = grid_policies(scenario, name)
    spec = run_spec(scenario)
    demand_s = policies_s = 0.0
    charged = 0
    seeds = replication_seeds(1, replications)
    for index, (demand_seed, payment_seed) in enumerate(seeds):
        began = time.perf_counter()
        stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
        generated = time.perf_counter()
        evaluate(engine, stream, policies, spec, payment_seed=payment_seed)  # type: ignore[arg-type]
        if index > 0:  # replication 0 loads the compiled engine: not a per-replication cost
            demand_s += generated - began
            policies_s += time.perf_counter() - generated
        charged = len(stream.charged())
    scale = replications / max(replications - 1, 1)
    demand_seed, payment_seed = seeds[0]
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    began = time.perf_counter()
    evaluate("simpy", stream, policies[:2], spec, payment_seed=payment_seed)
    simpy_s = (time.perf_counter() - began) / 2
    return demand_s * scale, policies_s * scale, simpy_s, charged * len(policies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--quick", action="store_true", help="fewer replications (a smoke run)")
    parser.add_argument(
        "--end-to-end", action="store_true", help="only issue 15's sweep, split (part 3)"
    )
    parser.add_argument(
        "--engine", default=DEFAULT_ENGINE, help=f"engine of --end-to-end [{DEFAULT_ENGINE}]"
    )
    args = parser.parse_args()
    if args.end_to_end:
        # "once compiled code is cached": a first run fills numba's cache (a cold compile
        # takes a minute in each worker process) and is not measured
        warm_up(args.engine)
        split = {
            f"workers_{workers or 'default'}": end_to_end(20, args.engine, workers)
            for workers in (None, 1)
        }
        emit(split, args.out)
        return
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
    emit(report, args.out)


if __name__ == "__main__":
    main()
