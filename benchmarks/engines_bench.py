"""Throughput of the two engines on one replication of a bundled scenario.

    python benchmarks/engines_bench.py [scenarios/midsize.toml] [--seed 1]

Generates one replication's demand, then replays it under the scenario's
policy with the SimPy model, the exact replay and the compiled fast engine,
and prints JSON: calls, SimPy events processed, wall time and rates for each.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import simpy

from sim.engines.batch import evaluate
from sim.study.experiment import build_policy, run_spec, scenario_levers
from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path, nargs="?", default=Path("scenarios/midsize.toml"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    loaded = load_scenario(args.scenario)
    scenario = loaded.scenario
    demand_seed, payment_seed = replication_seeds(args.seed, 1)[0]
    began = time.perf_counter()
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    demand_s = time.perf_counter() - began
    policy = build_policy(scenario, scenario_levers(scenario))
    spec = run_spec(scenario)
    charged = int((~stream.free_mask).sum())
    steps = [0]
    original_step = simpy.Environment.step

    def counting_step(env: simpy.Environment) -> None:
        steps[0] += 1
        original_step(env)

    report: dict[str, object] = {
        "scenario": scenario.scenario.name,
        "calls": len(stream),
        "charged_calls": charged,
        "demand_s": round(demand_s, 3),
    }
    evaluate("fast", stream, [policy], spec, payment_seed=payment_seed)  # compile first
    for name in ("simpy", "replay", "fast"):
        simpy.Environment.step = counting_step  # type: ignore[method-assign]
        began = time.perf_counter()
        evaluate(name, stream, [policy], spec, payment_seed=payment_seed)  # type: ignore[arg-type]
        wall_s = time.perf_counter() - began
        simpy.Environment.step = original_step  # type: ignore[method-assign]
        report[name] = {
            "wall_s": round(wall_s, 4),
            "charged_calls_per_s": round(charged / wall_s),
            **(
                {"events": steps[0], "events_per_s": round(steps[0] / wall_s)}
                if name == "simpy"
                else {}
            ),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
