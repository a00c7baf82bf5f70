"""Throughput of the skip, fast and SimPy engines on the same streams and policies.

    python benchmarks/engines_bench.py [midsize enterprise] [--repeats 7] [--simpy-policies 2]
        [--out benchmarks/results/engines.json]

For each scenario: one replication's stream (seed 1) and the sweep benchmark's
10 x 10 trigger x amount grid (``fast_engine_bench.GRIDS``). The skip and fast
engines evaluate the 100 policies (best of ``--repeats`` runs each, after
compilation, the two engines in turn round by round); the SimPy model
evaluates the first ``--simpy-policies`` of them once. Throughput is policy-call
evaluations per second: policies x charged calls / seconds of the ``evaluate``
call (its Python side counts too), on CPU seconds of this process (a shared
machine's waits excluded) and on the wall clock.
Prints and writes JSON with the ratios skip/fast and skip/simpy, the machine's
load average, the skip engine's time split into its parts (``skip_split``: the
replication's shared arrays, the policy table, the one compiled call over the
policies, the Outcomes, and the Outcomes with their deferred fields read), and
the bytes per charged call the compiled engines keep per replication
(``Prepared``, and the skip engine's prefix arrays).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_out import emit
from fast_engine_bench import SCENARIOS
from sweep_bench import grid_policies

from sim.account.payment_draws import PaymentDraws
from sim.engines.batch import evaluate
from sim.engines.fast import Prepared, _run_terms, policy_table
from sim.engines.fast_many import run_policies
from sim.engines.fast_outcomes import stacked_outcomes
from sim.engines.skip_layout import with_days
from sim.study.experiment import run_spec
from sim.study.runner import replication_seeds
from sim.world.demand import generate
from sim.world.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def timed(run: Any) -> tuple[float, float, Any]:
    """(CPU seconds, wall seconds, result) of ``run()``."""
    began, began_cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.process_time() - began_cpu, time.perf_counter() - began, result


def footprint(stream: Any) -> dict[str, float]:
    """Bytes per charged call of a ``Prepared`` replication, without and with its jumps."""
    prepared = Prepared(stream)
    charged = max(len(prepared.starts), 1)
    calls = sum(value.nbytes for value in prepared.calls if isinstance(value, np.ndarray))
    jumps = sum(value.nbytes for value in prepared.jumps() if isinstance(value, np.ndarray))
    return {
        "prepared_bytes_per_charged_call": round(calls / charged, 2),
        "jumps_bytes_per_charged_call": round(jumps / charged, 2),
    }


def skip_split(
    stream: Any, policies: list[Any], spec: Any, payment_seed: Any, repeats: int
) -> dict[str, float]:
    """Milliseconds (CPU, best of ``repeats``) of the skip engine's parts for the grid.

    The replication's shared arrays (``Prepared``, its jumps and day boundaries), the
    policy table, the one compiled call over the policies (payment draws grown first, as
    ``replay_many`` grows them on the first policy that runs out) and the Outcomes; then
    the Outcomes with every one's lots and end-of-day balances read (``outcomes_read``:
    the Outcomes leave those as arrays until they are read, ``Outcome.deferred``).
    """
    prepared = Prepared(stream)
    jumps = with_days(prepared.jumps(), spec.start, spec.end)
    draws, terms = PaymentDraws(payment_seed, spec.payments), _run_terms(spec)
    table = policy_table(policies, spec)

    def compiled() -> Any:
        return run_policies(
            prepared.calls, jumps, table, terms,
            draws.uniforms, draws.processing_us, draws.fix_us, 0,
        )  # fmt: skip

    while (results := compiled()).done < len(policies):
        draws.more(len(draws.uniforms), len(draws.processing_us), len(draws.fix_us))
    calls = len(prepared.starts) + prepared.free

    def shared() -> Any:
        return with_days(Prepared(stream).jumps(), spec.start, spec.end)

    parts = {
        "shared_arrays": shared,
        "policy_table": lambda: policy_table(policies, spec),
        "compiled_call": compiled,
        "outcomes": lambda: stacked_outcomes(
            results, prepared.services, calls, spec, with_lots=True
        ),
        "outcomes_read": lambda: [
            (outcome.lots, outcome.daily_balance_minor)
            for outcome in stacked_outcomes(results, prepared.services, calls, spec, with_lots=True)
        ],
    }
    return {
        f"{part}_ms": round(1e3 * min(timed(run)[0] for _ in range(repeats)), 2)
        for part, run in parts.items()
    }


def measure(name: str, repeats: int, simpy_policies: int) -> dict[str, Any]:
    """The three engines on one scenario's stream and grid (module docstring)."""
    loaded = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    scenario = loaded.scenario
    demand_seed, payment_seed = replication_seeds(1, 1)[0]
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    spec = run_spec(scenario)
    policies = grid_policies(scenario, name)
    charged = len(stream.charged())
    report: dict[str, Any] = {"policies": len(policies), "charged_calls": charged}
    engines = ("skip", "fast")
    for engine in engines:
        evaluate(engine, stream, policies[:1], spec, payment_seed=payment_seed)  # compile first
    runs: dict[str, list[tuple[float, float, Any]]] = {engine: [] for engine in engines}
    for _ in range(repeats):  # round by round: a change of the machine's load hits both alike
        for engine in engines:
            runs[engine].append(
                timed(
                    lambda e=engine: evaluate(e, stream, policies, spec, payment_seed=payment_seed)
                )
            )
    results = {engine: runs[engine][0][2] for engine in engines}
    for engine in engines:
        cpu_s, wall_s = min(run[0] for run in runs[engine]), min(run[1] for run in runs[engine])
        report[engine] = _rates(len(policies) * charged, cpu_s, wall_s)
    if results["skip"] != results["fast"]:
        raise SystemExit(f"{name}: the skip and fast engines disagree")
    chosen = policies[:simpy_policies]
    cpu_s, wall_s, outcomes = timed(
        lambda: evaluate("simpy", stream, chosen, spec, payment_seed=payment_seed)
    )
    if outcomes != results["skip"][: len(chosen)]:
        raise SystemExit(f"{name}: the skip engine and the SimPy model disagree")
    report["simpy"] = {"policies": len(chosen), **_rates(len(chosen) * charged, cpu_s, wall_s)}
    for clock in ("cpu", "wall"):
        skip = report["skip"][f"evaluations_per_{clock}_s"]
        for other in ("fast", "simpy"):
            ratio = skip / report[other][f"evaluations_per_{clock}_s"]
            report[f"skip_to_{other}_{clock}"] = round(ratio, 2)
    report["skip_split"] = skip_split(stream, policies, spec, payment_seed, max(repeats, 5))
    report.update(footprint(stream))
    return report


def _rates(evaluations: int, cpu_s: float, wall_s: float) -> dict[str, float]:
    return {
        "cpu_s": round(cpu_s, 4),
        "wall_s": round(wall_s, 4),
        "evaluations_per_cpu_s": round(evaluations / cpu_s),
        "evaluations_per_wall_s": round(evaluations / wall_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help=f"some of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--repeats", type=int, default=7, help="timed grids per engine")
    parser.add_argument("--simpy-policies", type=int, default=2, help="policies on SimPy")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    if unknown := set(args.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {', '.join(SCENARIOS)}")
    report: dict[str, Any] = {
        "benchmark": "engines",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_before": [round(value, 2) for value in os.getloadavg()],
    }
    for name in args.scenarios or SCENARIOS:
        report[name] = measure(name, args.repeats, args.simpy_policies)
    report["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    emit(report, args.out)


if __name__ == "__main__":
    main()
