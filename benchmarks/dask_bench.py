"""Dask benchmark: `credsim sweep --scheduler` on a LocalCluster of 1 and 2 workers.

    python benchmarks/dask_bench.py [--scenario enterprise] [--triggers 1000:10000:1000]
        [--amounts 2500:25000:2500] [--replications 4] [--engine fast]
        [--out benchmarks/results/dask.json]

For each worker count: a LocalCluster (one process a worker, one thread each)
is started here, the sweep runs in a child process (the client) against its
address, and the benchmark prints

- wall time and throughput: policy x replication evaluations a second of
  the grid stage (grid and documented example x replications / its seconds:
  demand generated and every policy replayed), and the client's summary
  seconds per policy;
- the client's peak RSS (``wait4`` of the child) and each worker's
  (``getrusage`` inside the worker, asked after the sweep);
- the files' digests, which must be the same at every worker count;

then a projection of 10,000 policies x 1,000 replications from the
throughput measured per worker (a replication's demand is generated once
whatever the number of policies, so the projection from a small grid is an
upper bound on the workers' time) and from the summary's seconds per policy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_out import emit
from distributed import Client, LocalCluster

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the workers (spawned: they inherit it) run this checkout's sim
FILES = ("runs.parquet", "summary.csv", "portal.json")
TARGET_POLICIES, TARGET_REPLICATIONS = 10_000, 1_000
LAUNCHER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


def _peak_rss_kb() -> int:
    """This process's peak RSS (run inside each worker)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(args: argparse.Namespace, workers: int) -> dict[str, object]:
    """The sweep on a fresh LocalCluster of ``workers`` single-threaded processes."""
    scenario = ROOT / "scenarios" / f"{args.scenario}.toml"
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
        tempfile.TemporaryDirectory(prefix="credsim-dask-bench-") as folder,
    ):
        out = Path(folder) / "out"
        command = [
            sys.executable, "-m", "sim", "sweep", str(scenario), "--triggers", args.triggers,
            "--amounts", args.amounts, "--replications", str(args.replications),
            "--engine", args.engine, "--no-widen", "--quiet", "--out", str(out),
            "--scheduler", cluster.scheduler_address,
        ]  # fmt: skip
        began = time.perf_counter()
        finished = subprocess.run(
            [sys.executable, "-c", LAUNCHER, *command],
            capture_output=True, text=True, check=False, cwd=ROOT,
        )  # fmt: skip
        wall_s = time.perf_counter() - began
        if finished.returncode != 0:
            raise SystemExit(f"sweep failed: {finished.stderr}")
        worker_kb = client.run(_peak_rss_kb)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        digests = {name: hashlib.sha256((out / name).read_bytes()).hexdigest()[:16]
                   for name in FILES}  # fmt: skip
    policies = int(manifest["policies"])
    timings = manifest["timings"]
    main_policies = policies + 1  # the grid and the documented example (not in these grids)
    return {
        "workers": workers,
        "policies": policies,
        "replications": args.replications,
        "wall_s": round(wall_s, 2),
        "evaluations_per_s": round(main_policies * args.replications / timings["main_s"], 3),
        "summary_s_per_policy": round(timings["summary_s"] / (policies + 2), 4),
        "client_peak_rss_mb": round(int(finished.stdout.split()[-1]) / 1024, 1),
        "worker_peak_rss_mb": sorted(round(kb / 1024, 1) for kb in worker_kb.values()),
        "timings": manifest["timings"],
        "digests": digests,
    }


def projection(result: dict[str, object]) -> dict[str, object]:
    """10,000 x 1,000 at the measured rates: the grid stage per worker (1 and 100 workers;
    the rule-of-thumb stage adds one policy a replication, and its demand again), and the
    client's summary at the measured seconds per policy."""
    per_worker = float(result["evaluations_per_s"]) / int(result["workers"])  # type: ignore[arg-type]
    hours = TARGET_POLICIES * TARGET_REPLICATIONS / per_worker / 3600
    summary_h = TARGET_POLICIES * float(result["summary_s_per_policy"]) / 3600  # type: ignore[arg-type]
    return {
        "evaluations": TARGET_POLICIES * TARGET_REPLICATIONS,
        "per_worker_evaluations_per_s": round(per_worker, 3),
        "grid_hours_on_1_worker": round(hours, 1),
        "grid_hours_on_100_workers": round(hours / 100, 2),
        "client_summary_hours": round(summary_h, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="enterprise")
    parser.add_argument("--triggers", default="1000:10000:1000")
    parser.add_argument("--amounts", default="2500:25000:2500")
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--engine", default="fast")
    parser.add_argument("--workers", default="1,2", help="Worker counts, comma separated.")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = [run(args, int(count)) for count in args.workers.split(",")]
    if len({json.dumps(result["digests"]) for result in results}) != 1:
        raise SystemExit("the files differ between worker counts")
    report = {
        "machine": {
            "python": platform.python_version(),
            "cores": os.cpu_count(),
            "load_before": os.getloadavg(),
        },
        "scenario": args.scenario,
        "engine": args.engine,
        "runs": results,
        "ratio_2_to_1_workers": round(
            float(results[-1]["evaluations_per_s"]) / float(results[0]["evaluations_per_s"]),
            2,  # type: ignore[arg-type]
        ),
        "projection_10000x1000": projection(results[-1]),
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
