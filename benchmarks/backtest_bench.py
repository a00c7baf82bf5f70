"""Backtest throughput and peak memory against the number of rows.

    python benchmarks/backtest_bench.py [--rows 100000 300000 1000000] [--out FILE.json]

For each size, writes a Teams PSTN usage report with that many rows (newest
first, as exports often are, so the bounded-memory sort has real work), runs
``python -m sim backtest FILE --json --journal /dev/null`` in a child process
and records wall time and the child's peak resident memory (``wait4``). Flat
memory means the peak does not grow with the number of rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from bench_out import emit

HEADER = [
    "UsageId", "Call ID", "Conference ID", "User Location", "AAD ObjectId", "UPN",
    "User Display Name", "Caller ID", "Call Type", "Number Type", "Domestic/International",
    "Destination Dialed", "Destination Number", "Start Time", "End Time", "Duration Seconds",
    "Connection Fee", "Charge", "Currency", "Capability",
]  # fmt: skip
KINDS = [
    ("conf_in", "toll_free", "Domestic", "0.022"),
    ("conf_out", "user", "International", "0.155"),
    ("user_out", "user", "International", "0.015"),
    ("user_in", "user", "Domestic", "0"),
    ("dr_out", "user", "Domestic", "0"),
]


def write_report(path: Path, rows: int, seed: int = 7) -> None:
    """A year of calls, newest first; charges are rate x whole minutes."""
    rng = np.random.default_rng(seed)
    year_s = 365 * 24 * 3600
    starts = np.sort(rng.integers(0, year_s, rows))[::-1]
    durations = rng.integers(5, 3600, rows)
    kinds = rng.choice(len(KINDS), rows, p=[0.55, 0.05, 0.05, 0.3, 0.05])
    base = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for index in range(rows):
            call_type, number_type, scope, rate = KINDS[kinds[index]]
            start = base + timedelta(seconds=int(starts[index]))
            seconds = int(durations[index])
            minutes = -(-seconds // 60)
            cents = round(float(rate) * minutes * 100)
            writer.writerow([
                index, f"call-{index}", "", "US", "", "user@contoso.com", "Doe, Jane", "",
                call_type, number_type, scope, "", "",
                start.isoformat().replace("+00:00", "Z"),
                (start + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z"),
                seconds, "0.00", f"{cents // 100}.{cents % 100:02d}", "USD", "MCOPSTNPP",
            ])  # fmt: skip


def measure(path: Path) -> dict[str, float]:
    """Run one backtest in a child process; wall time and its peak RSS."""
    command = [sys.executable, "-m", "sim", "backtest", str(path), "--json",
               "--journal", os.devnull]  # fmt: skip
    began = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = child.stdout.read() if child.stdout else b""
    stderr = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    wall_s = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"backtest failed: {stderr.decode()}")
    result = json.loads(stdout)
    return {
        "wall_s": round(wall_s, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "calls": result["calls"],
        "recharges": result["recharges"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[300_000, 1_000_000, 3_000_000])
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:  # child mode: only write the file
        write_report(args.write, args.rows[0])
        return
    runs = []
    with tempfile.TemporaryDirectory(prefix="credsim-bench-") as folder:
        for rows in args.rows:
            path = Path(folder) / f"PSTN.calls.{rows}.csv"
            # Written by a child process: a forked backtest child would otherwise
            # count this process's generator arrays in its own peak RSS.
            subprocess.run(
                [sys.executable, __file__, "--write", str(path), "--rows", str(rows)], check=True
            )
            run = {"rows": rows, "file_mb": round(path.stat().st_size / 2**20, 1)}
            run.update(measure(path))
            run["rows_per_s"] = round(rows / run["wall_s"])
            runs.append(run)
            print(json.dumps(run), file=sys.stderr)
    report = {
        "benchmark": "backtest",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "runs": runs,
        "peak_rss_ratio_largest_to_smallest": round(
            runs[-1]["peak_rss_mb"] / runs[0]["peak_rss_mb"], 2
        ),
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
