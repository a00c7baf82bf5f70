"""The dashboard's demand bank: bytes kept and seconds a policy, engine arrays against compact.

    python benchmarks/bank_bench.py [--replications 10] [--scenarios midsize enterprise]
    python benchmarks/bank_bench.py --first-view [--replications 200] [--workers K] [--out FILE]

For each scenario, generates the replications once and keeps each both ways:
as the engine's arrays (``sim.engines.fast.Prepared``, the bank before issue
15) and as ``sim.engines.compact.CompactCalls`` (the bank now). Then replays
the scenario's own policy over every replication, alternately from each
(best of 3): from the compact form, each replication's arrays are rebuilt
first. Prints the bytes kept per replication and the seconds a policy takes
both ways, and checks that both give the same Outcomes.

``--first-view`` does what the dashboard's first view of each scenario does, in
this process with the dashboard's modules imported: build the bank (in worker
processes when it is big, as the server does; ``--workers 1``: here) while
replaying the scenario's policy on each replication as it arrives, show that
policy's figures, lay out replication 1's sample path from the kept calls (replayed
in a worker process of the fork server, as the server does: its CPU is neither this
process's nor ``workers_cpu_s``), then replay a second policy. It prints the seconds
and the resident memory of this process tree (sampled every 0.1 s) after
and at the peak of each step, the CPU seconds of this process, of its children
that ended (``workers_cpu_s``) and of every descendant as sampled
(``descendants_cpu_s``: the fork server's workers, which the former misses), and
the bytes kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from bench_out import emit, tree_rss

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sim first

import sim.dashboard.app  # noqa: F401  (the server's imports count in its memory)
from sim.account.outcome import Outcome
from sim.dashboard import explore
from sim.dashboard.demand_bank import DemandBank
from sim.engines.compact import CompactCalls
from sim.engines.fast import Prepared, replay_prepared
from sim.study.experiment import build_policy, run_spec, scenario_levers
from sim.study.runner import replication_seeds
from sim.world import bundled
from sim.world.demand import generate
from sim.world.load import load_scenario

SAMPLE_EVERY_S = 0.1
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


class TreeRss:
    """Resident memory of this process and its children, sampled on a thread: the peak since
    ``mark`` and the figure now, in MB; and the CPU seconds of the descendants, as last seen.

    Why the descendants' CPU from samples: the bank's workers are forked by the fork
    server, not by this process, so ``os.times``' children never count them (it read
    0.01 s for a bank that took the workers 20 s); each sample reads every descendant's
    user + system time, so a worker's last tenth of a second may be missed.
    """

    def __init__(self) -> None:
        self.root, self.peak = psutil.Process(), 0
        self._cpu_s: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def now(self) -> int:
        return tree_rss(self.root)

    def mark(self) -> None:
        self.peak = self.now()

    def descendants_cpu_s(self) -> float:
        """CPU seconds of every descendant seen so far (those ended: as last sampled)."""
        return sum(self._cpu_s.values())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            self.peak = max(self.peak, self.now())
            for child in self.root.children(recursive=True):
                try:
                    times = child.cpu_times()
                except psutil.Error:
                    continue
                self._cpu_s[child.pid] = times.user + times.system


def first_view(name: str, replications: int, workers: int | None) -> dict[str, Any]:
    """Seconds, CPU seconds and memory of each step of the dashboard's first view of ``name``."""
    loaded = load_scenario(bundled.scenarios()[name])
    scenario = loaded.scenario
    levers = scenario_levers(scenario)
    other = replace(levers, trigger=levers.trigger * 2 if levers.trigger else Decimal(1))
    rss, steps = TreeRss(), {}

    def step(label: str, work: Callable[[], Any]) -> Any:
        rss.mark()
        began, cpu = time.perf_counter(), time.process_time()
        children, descendants = _children_cpu(), rss.descendants_cpu_s()
        result = work()
        steps[label] = {
            "s": round(time.perf_counter() - began, 2),
            "cpu_s": round(time.process_time() - cpu, 2),
            "workers_cpu_s": round(_children_cpu() - children, 2),
            "descendants_cpu_s": round(rss.descendants_cpu_s() - descendants, 2),
            "rss_peak_mb": round(max(rss.peak, rss.now()) / 2**20),
            "rss_after_mb": round(rss.now() / 2**20),
        }
        return result

    steps["start"] = {"rss_after_mb": round(rss.now() / 2**20)}
    first = (build_policy(scenario, levers), run_spec(scenario))  # as the dashboard's state
    bank = step(
        "bank", lambda: DemandBank.build(loaded, 1, replications, workers=workers, first=first)
    )
    step("first_policy", lambda: explore.policy_view(bank, levers))
    calls = bank.sample_calls()  # replayed in a worker of the fork server, as the server does:
    step("sample_path", lambda: explore.policy_path(loaded, 1, levers, calls, check=_no_stop))
    step("second_policy", lambda: explore.policy_view(bank, other))
    rss.stop()
    return {
        "replications": replications,
        "steps": steps,
        "bank_mb": round(bank.nbytes / 2**20),
        "kept_engine_mb": round(bank.kept_bytes / 2**20),
        "kept_replications": len(bank.kept),
    }


def _no_stop(_workers: object) -> None:
    """The sample path's check (the page's stops on a closed tab; nothing stops this)."""


def _children_cpu() -> float:
    """CPU seconds of this process's children that ended (the bank's workers, once shut down)."""
    times = os.times()
    return times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--scenarios", nargs="+", default=["midsize", "enterprise"])
    parser.add_argument("--first-view", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.first_view:
        report: dict[str, Any] = {"load_average_1_5_15": [round(v, 2) for v in os.getloadavg()]}
        for name in args.scenarios:
            report[name] = first_view(name, args.replications or 200, args.workers)
        report["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
        emit(report, args.out)
        return
    for name in args.scenarios:
        got = measure(name, args.replications or 10)
        print(
            f"{name}: kept {got['arrays_mb']:.2f} MB -> {got['compact_mb']:.2f} MB a replication "
            f"({got['arrays_mb'] / got['compact_mb']:.1f}x smaller); a policy "
            f"{got['policy_kept_ms']:.1f} ms -> {got['policy_rebuilt_ms']:.1f} ms a replication "
            f"({got['policy_rebuilt_ms'] / got['policy_kept_ms']:.1f}x); generating "
            f"{got['generate_ms']:.0f} ms, compacting {got['encode_ms']:.1f} ms a replication"
        )


if __name__ == "__main__":
    main()
