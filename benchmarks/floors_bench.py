"""Floors benchmark: what issue 15's three unmet targets cannot go below on this machine.

    python benchmarks/floors_bench.py [--runs 7] [--out FILE]

Each unmet target is a wall time of which part is fixed by the project's rules (schema
validation with pydantic, the summary's quantiles from ``scipy.special``, the compiled engine
from numba's cache, the same random draws for the same seed) and part divides over the
cores. This measures both parts here and prints the floor each target cannot go below
with today's libraries and draws, beside the target:

1. ``credsim validate`` within 3x ``python -c "import click"``: the CPU time (user +
   system, medians of ``--runs`` fresh processes, in turn as ``startup_bench.py`` runs
   them) of the interpreter, of click, of click with pydantic and one model validated,
   of click with the scenario schema imported (its models built), and of
   ``credsim validate midsize``; each as a ratio to click.
2. Issue 15's sweep (``sweep_bench.py --end-to-end``: 10 x 10 policies of ``midsize``, 20
   replications) at 1,000x naive SimPy. Two lower bounds, each in CPU seconds: the chain
   that must run in order (the interpreter, click, numpy and the scenario schema; numba and
   the compiled engine's load from its cache before the first policy; the rule of thumb,
   whose policy needs every replication's spend; the summary and files), and all the CPU
   the sweep must spend (that chain, ``scipy.special`` for the summary's quantiles, the
   demand and the policies of the 20 replications) over ``os.cpu_count()`` cores. The
   floor is the larger: the wall time even if every other step overlapped perfectly and
   nothing were imported twice. Imports are measured in fresh processes; the stages from
   one run of the sweep through the CLI; the demand and the policies in this process, as
   ``sweep_bench.py`` times them. pandas, which today's sweep imports, is left out of the
   floor (``floor_wall_with_pandas_s`` keeps it).
3. ``enterprise``'s first view in the dashboard within 10 s at 200 replications: the CPU of
   one replication's generation as a bank worker makes it (``keep_free=False``; the median
   of three), times 200, over the cores. The floor leaves out everything else of the bank
   (compact calls, the server's compression and first replay) and the page.

A floor above its target says the target needs a change of those rules (or more cores),
not faster code of ours. Seconds move with the machine's hour: compare within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_out import as_installed_env, emit
from startup_bench import interleaved
from sweep_bench import end_to_end, warm_up
from sweep_floor import SweepSteps

from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
ONE_MODEL = "import click, pydantic\nclass M(pydantic.BaseModel):\n    x: int\nM(x=1)"
SWEEP_BASE = "import click, numpy, sim.world.scenario"
ENGINE_LOAD = """
import json, time, numpy as np
from sim.engines.batch import evaluate
from sim.study.experiment import build_policy, run_spec, scenario_levers
from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import load_scenario
loaded = load_scenario("scenarios/midsize.toml")
demand_seed, payment_seed = replication_seeds(1, 1)[0]
stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
policy = build_policy(loaded.scenario, scenario_levers(loaded.scenario))
spec = run_spec(loaded.scenario)
took = []
for _ in range(2):
    began = time.process_time()
    evaluate("skip", stream, [policy], spec, payment_seed=payment_seed)
    took.append(time.process_time() - began)
print(json.dumps({"first_s": took[0], "second_s": took[1]}))
"""
PROCESSES: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import click": [sys.executable, "-c", "import click"],
    "click, pydantic and one model": [sys.executable, "-c", ONE_MODEL],
    "click and the scenario schema": [sys.executable, "-c", "import click, sim.world.scenario"],
    "credsim validate midsize": [sys.executable, "-m", "sim", "validate", "midsize"],
    "click, numpy and the schema": [sys.executable, "-c", SWEEP_BASE],
    "... and scipy.special": [sys.executable, "-c", SWEEP_BASE + ", scipy.special"],
    "... and numba": [sys.executable, "-c", SWEEP_BASE + ", numba"],
    "... and pandas": [sys.executable, "-c", SWEEP_BASE + ", pandas"],
    "import sim.study.sweep (today's)": [sys.executable, "-c", "import sim.study.sweep"],
}
"""Fresh processes timed in turn; the first two are the interpreter and the yardstick."""
BANK_REPLICATIONS, FIRST_VIEW_TARGET_S = 200, 10.0
SWEEP_REPLICATIONS, SWEEP_POLICIES = 20, 100
VALIDATE_TARGET_RATIO = 3.0


def process_cpu_s(runs: int) -> dict[str, float]:
    """Median CPU seconds of each of ``PROCESSES``, in turn as ``startup_bench.py`` runs them."""
    times = interleaved({name: (command, ROOT) for name, command in PROCESSES.items()}, runs)
    return {name: statistics.median(cpu for _, cpu in values) for name, values in times.items()}


def engine_load_s(runs: int) -> float:
    """CPU seconds the skip engine's first call takes beyond its second, in a fresh process
    (numba's cache is warm after the first): the compiled code's load, median of ``runs``."""
    loads = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", ENGINE_LOAD],
            cwd=ROOT, env=as_installed_env(), capture_output=True, text=True, check=True,
        )  # fmt: skip
        took = json.loads(done.stdout)
        loads.append(took["first_s"] - took["second_s"])
    return statistics.median(loads)


def validate_floor(cpu: dict[str, float]) -> dict[str, Any]:
    """Each process's CPU as a ratio to ``import click``; the target is 3x."""
    click = cpu["import click"]
    names = list(PROCESSES)[:5]
    return {
        "target_ratio": VALIDATE_TARGET_RATIO,
        "cpu_s": {name: round(cpu[name], 3) for name in names},
        "ratio_to_click": {name: round(cpu[name] / click, 2) for name in names},
    }


def sweep_floor(cpu: dict[str, float], load_s: float, cores: int) -> dict[str, Any]:
    """The sweep's two lower bounds, against 1,000x naive SimPy (see the module docstring).

    Runs issue 15's sweep once through the CLI (``sweep_bench.end_to_end``) for today's
    wall time and its rule-of-thumb and summary stages; its demand, policies and naive
    SimPy come from the same call (timed in this process).
    """
    today = end_to_end(SWEEP_REPLICATIONS, "skip", None)
    split, work = today["split_s"], today["one_process_s"]
    naive_s = float(today["simpy_s_per_policy_replication"]) * SWEEP_POLICIES
    naive_s *= SWEEP_REPLICATIONS
    base = cpu["click, numpy and the schema"]
    more = {name: cpu[f"... and {name}"] - base for name in ("scipy.special", "numba", "pandas")}
    steps = SweepSteps(
        base_imports_s=base,
        special_s=more["scipy.special"],
        numba_s=more["numba"],
        engine_load_s=load_s,
        demand_and_policies_s=work["demand"] + work["policies"],
        after_demand_s=split["rule_of_thumb_stage"] + split["summary_and_files"],
    )
    floor_s = steps.floor_s(cores)
    return {
        "target_wall_s": round(naive_s / 1_000, 3),
        "today_wall_s": today["wall_s"],
        "today_ratio_to_naive_simpy": today["ratio_to_naive_simpy"],
        "imports_cpu_s": {"base": round(base, 3)} | {k: round(v, 3) for k, v in more.items()},
        "today_sweep_module_import_cpu_s": round(cpu["import sim.study.sweep (today's)"], 3),
        "engine_load_cpu_s": round(load_s, 3),
        "demand_and_policies_s": round(steps.demand_and_policies_s, 3),
        "rule_of_thumb_summary_and_files_s": round(steps.after_demand_s, 3),
        "chain_s": round(steps.chain_s(), 3),
        "total_cpu_s": round(steps.total_s(), 3),
        "floor_wall_s": round(floor_s, 3),
        "floor_wall_with_pandas_s": round(steps.floor_s(cores, extra_s=more["pandas"]), 3),
        "floor_ratio_to_naive_simpy": round(naive_s / floor_s),
        "floor_above_target": floor_s > naive_s / 1_000,
    }


def bank_floor(cores: int) -> dict[str, Any]:
    """Replications 2-4 of ``enterprise`` as a bank worker generates them (replication 1
    first, unmeasured), the median CPU of one; ``BANK_REPLICATIONS`` of them over the cores."""
    loaded = load_scenario(ROOT / "scenarios" / "enterprise.toml")
    took = []
    for demand_seed, _ in replication_seeds(1, 4):
        began = time.process_time()
        generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed), keep_free=False)
        took.append(time.process_time() - began)
    one_s = statistics.median(took[1:])
    floor_s = BANK_REPLICATIONS * one_s / cores
    return {
        "target_wall_s": FIRST_VIEW_TARGET_S,
        "generation_cpu_s_per_replication": round(one_s, 4),
        "floor_wall_s": round(floor_s, 2),
        "floor_above_target": floor_s > FIRST_VIEW_TARGET_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes of each [7]")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    warm_up("skip")
    cpu = process_cpu_s(args.runs)
    report = {
        "machine": {"python": platform.python_version(), "cores": cores},
        "load_average_1min": round(os.getloadavg()[0], 2),
        "validate": validate_floor(cpu),
        "sweep": sweep_floor(cpu, engine_load_s(args.runs), cores),
        "enterprise_first_view": bank_floor(cores),
    }
    report["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    emit(report, args.out)


if __name__ == "__main__":
    main()
