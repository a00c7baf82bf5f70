"""Throughput of the compiled engine, and the same measurement on two trees at once.

    python benchmarks/fast_engine_bench.py [--rounds 5] [--repeats 5]
    python benchmarks/fast_engine_bench.py --compare /tmp/before [--out FILE]

The work is the sweep benchmark's (``benchmarks/sweep_bench.py``): one replication's
stream of ``midsize`` and ``enterprise``, the 10 x 10 trigger x amount grid, on the
fast engine after compilation. Throughput is policy-call evaluations per second:
policies x charged calls / engine seconds (the ``evaluate`` call, so the Python
side of the engine counts too).

Why subprocesses: a tree is measured by running this file with that tree first on
``PYTHONPATH``, so ``--compare OTHER`` times ``OTHER`` ("before") and this
checkout ("after") in alternating child processes, round after round (ABBA order),
on the same machine at the same moments. On a small shared machine single timings
drift by tens of percent; medians over interleaved rounds and the after/before
ratio do not. The child adapts to the tree's layout (flat ``sim.engines`` before
the layout change, ``sim.engines.batch`` after it, with or without ``RunSpec``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_out import emit

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("midsize", "enterprise")
GRIDS = {  # the sweep benchmark's grids: 10 triggers x 10 amounts
    "midsize": ("100:1000:100", "250:2500:250"),
    "enterprise": ("1000:10000:1000", "2500:25000:2500"),
}
Evaluate = Callable[[Any, list[Any]], list[Any]]


def _first(*names: str) -> Any:
    """The first of ``names`` (``module:attribute``) that this tree has."""
    for name in names:
        module, _, attribute = name.partition(":")
        try:
            return getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"none of {names} in this tree")


def prepared_work(name: str) -> tuple[Evaluate, Any, list[Any], int]:
    """(evaluate on the fast engine, stream, policies, charged calls) in this tree."""
    np = importlib.import_module("numpy")
    load = _first("sim.world.load:load_scenario", "sim.scenario_load:load_scenario")
    generate = _first("sim.world.demand:generate", "sim.demand:generate")
    seeds = _first("sim.study.runner:replication_seeds", "sim.runner:replication_seeds")
    experiment = _first("sim.study.experiment:build_policy", "sim.experiment:build_policy")
    study = importlib.import_module(experiment.__module__)
    parse_values = _first("sim.study.grid:parse_values", "sim.grid:parse_values")
    evaluate = _first("sim.engines.batch:evaluate", "sim.engines:evaluate")

    loaded = load(ROOT / "scenarios" / f"{name}.toml")
    scenario = loaded.scenario
    demand_seed, payment_seed = seeds(1, 1)[0]
    stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    base = study.scenario_levers(scenario)
    triggers, amounts = (parse_values(text) for text in GRIDS[name])
    policies = [
        study.build_policy(scenario, study.with_overrides(base, trigger=trigger, amount=amount))
        for trigger in triggers
        for amount in amounts
    ]
    if hasattr(study, "run_spec"):  # one RunSpec for currency, window and payments
        spec = study.run_spec(scenario)

        def run(stream: Any, chosen: list[Any]) -> list[Any]:
            return evaluate("fast", stream, chosen, spec, payment_seed=payment_seed)
    else:
        start, end = study.horizon(scenario)
        kwargs = {
            "currency": study.scenario_currency(scenario), "start": start, "end": end,
            "payments": study.build_payments(scenario), "payment_seed": payment_seed,
        }  # fmt: skip

        def run(stream: Any, chosen: list[Any]) -> list[Any]:
            return evaluate("fast", stream, chosen, **kwargs)

    return run, stream, policies, len(stream.charged())


def measure(names: list[str], repeats: int) -> dict[str, dict[str, Any]]:
    """Engine seconds of the 100-policy grid, ``repeats`` times per scenario, in this tree."""
    report: dict[str, dict[str, Any]] = {}
    for name in names:
        run, stream, policies, charged = prepared_work(name)
        outcomes = run(stream, policies[:1])  # compile (or load the cache) first
        wall_s, cpu_s = [], []
        for _ in range(repeats):
            began, began_cpu = time.perf_counter(), time.process_time()
            outcomes = run(stream, policies)
            cpu_s.append(time.process_time() - began_cpu)
            wall_s.append(time.perf_counter() - began)
        report[name] = {
            "policies": len(policies),
            "charged_calls": charged,
            "wall_s": wall_s,
            "cpu_s": cpu_s,
            # a digest of the results, so both trees are seen to compute the same numbers
            "checksum": sum(
                o.consumed_minor + o.forfeited_minor + o.recharges + o.balance_integral
                for o in outcomes
            ),
        }
    return report


def describe(tree: Path) -> str:
    """The tree's commit (and ``+changes`` when its checkout differs from it)."""

    def git(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = ["git", "-C", str(tree), *arguments]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    commit = git("rev-parse", "--short", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    if commit.returncode != 0:
        return "not a git checkout"
    return commit.stdout.strip() + ("+changes" if status.stdout.strip() else "")


def run_tree(tree: Path, names: list[str], repeats: int, cache: Path) -> dict[str, dict[str, Any]]:
    """``measure`` in a child process that imports ``sim`` from ``tree`` (left unwritten)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "PYTHONDONTWRITEBYTECODE": "1",  # leave the compared tree as it is
        "NUMBA_CACHE_DIR": str(cache / tree.resolve().as_posix().strip("/").replace("/", "_")),
    }
    command = [sys.executable, __file__, "--worker", "--repeats", str(repeats), *names]
    finished = subprocess.run(
        command, cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise SystemExit(f"the measurement in {tree} failed:\n{finished.stderr}")
    return json.loads(finished.stdout.splitlines()[-1])


def throughput(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over runs of each run's best engine seconds; evaluations per second from them.

    CPU seconds of the measuring process are the headline: on a shared machine
    they count this process's work, not the time it waited for a core; wall
    seconds are reported too.
    """
    first = runs[0]
    work = first["policies"] * first["charged_calls"]
    report: dict[str, Any] = {"checksum": first["checksum"]}
    for clock in ("cpu_s", "wall_s"):
        best = [min(run[clock]) for run in runs]
        median_s = statistics.median(best)
        report[clock] = {
            "best_per_round": [round(value, 5) for value in best],
            "median": round(median_s, 5),
            "evaluations_per_s": round(work / median_s),
        }
    return report


def compare(before: Path, names: list[str], rounds: int, repeats: int) -> dict[str, Any]:
    """Interleave child runs of ``before`` and this tree; medians and after/before ratios."""
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    trees = {"before": before, "after": ROOT}
    with tempfile.TemporaryDirectory(prefix="credsim-fast-bench-") as cache:
        for index in range(rounds):
            order = ("before", "after") if index % 2 == 0 else ("after", "before")  # ABBA
            for label in order:
                runs[label].append(run_tree(trees[label], names, repeats, Path(cache)))
                print(f"round {index + 1}/{rounds} {label}: done", file=sys.stderr)
    report: dict[str, Any] = {}
    for name in names:
        sides = {label: throughput([run[name] for run in runs[label]]) for label in runs}
        if sides["before"]["checksum"] != sides["after"]["checksum"]:
            raise SystemExit(f"{name}: the two trees computed different outcomes")
        ratios = {
            f"ratio_after_to_before_{clock}": round(
                sides["after"][clock]["evaluations_per_s"]
                / sides["before"][clock]["evaluations_per_s"],
                3,
            )
            for clock in ("cpu_s", "wall_s")
        }
        report[name] = {**sides, **ratios}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help=f"some of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--compare", type=Path, metavar="TREE", help="the 'before' checkout")
    parser.add_argument("--rounds", type=int, default=5, help="child runs per tree")
    parser.add_argument("--repeats", type=int, default=5, help="timed grids per child run")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if unknown := set(args.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {', '.join(SCENARIOS)}")
    args.scenarios = args.scenarios or list(SCENARIOS)
    if args.worker:
        print(json.dumps(measure(args.scenarios, args.repeats)))
        return
    report: dict[str, Any] = {
        "benchmark": "fast_engine",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "rounds": args.rounds,
        "repeats": args.repeats,
    }
    report["after"] = f"{ROOT} at {describe(ROOT)}"
    if args.compare is not None:
        report["before"] = f"{args.compare} at {describe(args.compare)}"
        report.update(compare(args.compare, args.scenarios, args.rounds, args.repeats))
    else:
        with tempfile.TemporaryDirectory(prefix="credsim-fast-bench-") as cache:
            folder = Path(cache)
            runs = [
                run_tree(ROOT, args.scenarios, args.repeats, folder) for _ in range(args.rounds)
            ]
        report.update({name: throughput([run[name] for run in runs]) for name in args.scenarios})
    emit(report, args.out)


if __name__ == "__main__":
    main()
