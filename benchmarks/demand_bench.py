"""Time ``sim.world.demand.generate`` for a constructed 1,000- and 5,000-user tenant; print JSON.

Run: ``python benchmarks/demand_bench.py [--reps N]``. Each size is generated
once to warm up (grid cache, allocator), then ``N`` times with seeds 0..N-1;
the JSON gives calls (and charged calls) per replication, the median seconds
and calls per second. The timing is what a Monte Carlo replication pays: the
stream's charged calls rated and sorted, its free calls counted (their columns
are built only when read, which is not timed here).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from sim.world.demand import generate
from sim.world.rates import Rate, RateTable
from sim.world.scenario import Scenario

RATES = RateTable(
    Path("bench-rates"),
    {
        ("US", "toll_free", "inbound"): Rate(Decimal("0.022")),
        ("GB", "toll_free", "inbound"): Rate(Decimal("0.04")),
        ("US", "landline", "outbound"): Rate(Decimal("0.013")),
        ("US", "mobile", "outbound"): Rate(Decimal("0.013")),
        ("GB", "landline", "outbound"): Rate(Decimal("0.015")),
        ("AE", "mobile", "outbound"): Rate(Decimal("0.23")),
        ("BR", "mobile", "outbound"): Rate(Decimal("0.175")),
    },
)


def tenant(users: int) -> Scenario:
    """Every source at once, 24 months, New York business hours, 1 % monthly growth."""
    return Scenario.model_validate(
        {
            "scenario": {"name": f"bench-{users}", "start": "2027-01-01T05:00:00Z"},
            "calendar": {"timezone": "America/New_York", "holidays": ["2027-07-05"]},
            "users": {"count": users, "monthly_growth": 0.01},
            "meetings": _meetings(),
            "big_meetings": [
                {
                    "name": "all hands",
                    "recurrence": "FREQ=MONTHLY;BYDAY=+1TH",
                    "time": "11:00:00",
                    "dial_ins": {"dist": "negative_binomial", "mean": users / 6, "sd": users / 30},
                }
            ],
            "user_calling": _user_calling(),
            "streams": [
                {
                    "name": "service desk",
                    "service": "toll_free_dial_in",
                    "calls_per_day": users / 20,
                    "duration_min": {"dist": "exponential", "mean": 6},
                    "country": "US",
                    "number_type": "toll_free",
                }
            ],
            "plans": {
                "audio_conferencing_licences": users,
                "domestic_plan_users": users,
                "international_plan_users": users // 100,
            },
        }
    )


def _meetings() -> dict[str, Any]:
    return {
        "per_user_per_day": 0.05,
        "dial_ins": {"dist": "negative_binomial", "mean": 3, "sd": 3},
        "toll_free_share": 0.35,
        "dial_in_countries": {"US": 3, "GB": 1},
        "duration_min": {"dist": "lognormal", "mean": 40, "sd": 25},
        "join_jitter_min": {"dist": "exponential", "mean": 2},
        "leave_jitter_min": {"dist": "exponential", "mean": 3},
        "dial_outs": {"dist": "poisson", "mean": 0.4},
        "dial_out_destinations": [
            {"country": "US", "share": 3},
            {"country": "AE", "number_type": "mobile", "share": 1},
        ],
    }


def _user_calling() -> dict[str, Any]:
    return {
        "per_user_per_day": 1.5,
        "international_share": 0.04,
        "international_destinations": [
            {"country": "GB", "share": 2},
            {"country": "BR", "number_type": "mobile", "share": 1},
        ],
        "domestic_number_types": {"landline": 1, "mobile": 1},
        "duration_min": {"dist": "gamma", "mean": 5, "sd": 4},
    }


def measure(users: int, reps: int) -> dict[str, Any]:
    """Median wall time of ``reps`` replications after one warm-up."""
    scenario = tenant(users)
    generate(scenario, RATES, np.random.default_rng(10_000))
    seconds, calls, charged = [], [], []
    for seed in range(reps):
        began = time.perf_counter()
        stream = generate(scenario, RATES, np.random.default_rng(seed))
        seconds.append(time.perf_counter() - began)
        calls.append(len(stream))
        charged.append(len(stream.charged()))
    median = statistics.median(seconds)
    return {
        "users": users,
        "months": 24,
        "calls_per_replication": int(statistics.mean(calls)),
        "charged_per_replication": int(statistics.mean(charged)),
        "median_s": round(median, 4),
        "max_s": round(max(seconds), 4),
        "calls_per_s": int(statistics.mean(calls) / median),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=5)
    reps = parser.parse_args().reps
    result = {
        "benchmark": "demand.generate",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "runs": [measure(users, reps) for users in (1000, 5000)],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
