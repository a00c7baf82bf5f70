"""The dashboard's demand bank: bytes kept and seconds a policy, engine arrays against compact.

    python benchmarks/bank_bench.py [--replications 10] [--scenarios midsize enterprise]

For each scenario, generates the replications once and keeps each both ways:
as the engine's arrays (``sim.engines.fast.Prepared``, the bank before issue
15) and as ``sim.engines.compact.CompactCalls`` (the bank now). Then replays
the scenario's own policy over every replication, alternately from each
(best of 3): from the compact form, each replication's arrays are rebuilt
first. Prints the bytes kept per replication and the seconds a policy takes
both ways, and checks that both give the same Outcomes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sim first

from sim.account.outcome import Outcome
from sim.engines.compact import CompactCalls
from sim.engines.fast import Prepared, replay_prepared
from sim.study.experiment import build_policy, run_spec, scenario_levers
from sim.study.runner import replication_seeds
from sim.world import bundled
from sim.world.demand import generate
from sim.world.load import load_scenario

ARRAYS = ("starts", "ends", "service", "charges", "billed", "billed_before", "post_order")
ROUNDS = 3


def measure(name: str, replications: int) -> dict[str, float]:
    """Bytes a replication and seconds a policy, both ways, for one bundled scenario."""
    loaded = load_scenario(bundled.scenarios()[name])
    scenario = loaded.scenario
    spec, policy = run_spec(scenario), build_policy(scenario, scenario_levers(scenario))
    prepared, compact, seeds = [], [], []
    generating = encoding = 0.0
    for demand_seed, payment_seed in replication_seeds(1, replications):
        began = time.perf_counter()
        stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
        generating += time.perf_counter() - began
        prepared.append(Prepared(stream))
        began = time.perf_counter()
        compact.append(CompactCalls.of(stream))
        encoding += time.perf_counter() - began
        seeds.append(payment_seed)

    def kept() -> list[Outcome]:
        return [replay_prepared(item, policy, spec, payment_seed=seed, with_lots=False)
                for item, seed in zip(prepared, seeds, strict=True)]  # fmt: skip

    def rebuilt() -> list[Outcome]:
        return [replay_prepared(Prepared(item.stream()), policy, spec, payment_seed=seed,
                                with_lots=False)
                for item, seed in zip(compact, seeds, strict=True)]  # fmt: skip

    assert kept() == rebuilt(), "the compact bank changed an Outcome"
    best = {"kept": float("inf"), "rebuilt": float("inf")}
    for _ in range(ROUNDS):
        for label, run in (("kept", kept), ("rebuilt", rebuilt)):
            began = time.perf_counter()
            run()
            best[label] = min(best[label], time.perf_counter() - began)
    arrays = sum(getattr(item, array).nbytes for item in prepared for array in ARRAYS)
    return {
        "arrays_mb": arrays / replications / 1e6,
        "compact_mb": sum(item.nbytes for item in compact) / replications / 1e6,
        "policy_kept_ms": best["kept"] / replications * 1e3,
        "policy_rebuilt_ms": best["rebuilt"] / replications * 1e3,
        "generate_ms": generating / replications * 1e3,
        "encode_ms": encoding / replications * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--scenarios", nargs="+", default=["midsize", "enterprise"])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name in args.scenarios:
        got = measure(name, args.replications)
        print(
            f"{name}: kept {got['arrays_mb']:.2f} MB -> {got['compact_mb']:.2f} MB a replication "
            f"({got['arrays_mb'] / got['compact_mb']:.1f}x smaller); a policy "
            f"{got['policy_kept_ms']:.1f} ms -> {got['policy_rebuilt_ms']:.1f} ms a replication "
            f"({got['policy_rebuilt_ms'] / got['policy_kept_ms']:.1f}x); generating "
            f"{got['generate_ms']:.0f} ms, compacting {got['encode_ms']:.1f} ms a replication"
        )


if __name__ == "__main__":
    main()
