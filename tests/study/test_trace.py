"""One replication told in full, and the tables the charts draw from it."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from sim.account.ledger import Ledger, Source
from sim.account.money import currency
from sim.account.stream import CallStream
from sim.study.experiment import scenario_levers, with_overrides
from sim.study.runner import run_replications
from sim.study.stats import flatten
from sim.study.trace import lots_frame, thinned, traced_run
from sim.world.demand_summary import hour_weekday_counts
from sim.world.load import LoadedScenario


@pytest.mark.parametrize("index", [0, 3])
def test_a_traced_run_is_that_replication_of_credsim_run(index: int, tiny: LoadedScenario) -> None:
    loaded = tiny
    levers = with_overrides(scenario_levers(loaded.scenario), trigger=Decimal(0))
    results = run_replications(loaded, [levers], replications=index + 1, seed=7, engine="fast",
                               workers=1)  # fmt: skip
    trace = traced_run(loaded, levers, seed=7, index=index)
    metrics = flatten(
        {k: v for k, v in trace.outcome.to_dict().items() if k not in {"start", "end"}}
    )
    assert metrics == results.policies[0].replications[index].metrics
    assert trace.outcome.outage_episodes  # trigger 0 with 12 h recharges: outages to draw
    assert trace.entries[-1].balance_after_minor == trace.outcome.final_balance_minor


def test_thinning_keeps_every_bucket_extreme_and_both_ends() -> None:
    values = np.zeros(100_000)
    values[12_345] = -50.0  # one brief dip
    values[77_777] = 80.0
    keep = thinned(values, 400)
    assert len(keep) <= 400 and keep[0] == 0 and keep[-1] == len(values) - 1
    assert {12_345, 77_777} <= set(keep.tolist())
    assert np.all(np.diff(keep) > 0)
    assert thinned(values[:10], 400).tolist() == list(range(10))


def test_lots_frame_accounts_for_every_unit_of_each_lot() -> None:
    cents = currency("USD")
    ledger = Ledger()
    ledger.fund(0, 10_000, Source.INITIAL)
    ledger.consume(1, 12_500)  # lot 1 used up, 25.00 of deficit
    ledger.fund(2, 10_000, Source.AUTO_RECHARGE)  # repays 25.00 first
    ledger.expire(10**15)  # after both expiries: lot 2's 75.00 is forfeited
    frame = lots_frame(ledger.lots, currency=cents, timezone="UTC")
    assert frame["source"].tolist() == ["initial", "auto_recharge"]
    assert frame["repaid_deficit"].tolist() == [0.0, 25.0]
    assert frame["consumed"].tolist() == [100.0, 0.0]
    assert frame["forfeited"].tolist() == [0.0, 75.0]
    parts = frame[["repaid_deficit", "consumed", "forfeited", "remaining"]].sum(axis=1)
    assert parts.tolist() == frame["amount"].tolist()


def test_calls_by_hour_and_weekday_are_counted_in_the_calendar_zone() -> None:
    # 09:30 on Monday in New York, in winter (UTC-5) and in summer (UTC-4), and a Sunday night
    starts = np.array([1_799_073_000, 1_814_794_200, 1_815_362_100], dtype=np.int64) * 10**6
    stream = CallStream(
        start_us=starts, end_us=starts + 60_000_000, service=np.zeros(3, np.int16),
        services=("toll_free_dial_in",), charge_minor=np.array([5, 0, 5]),
        credit_billed=np.array([True, False, True]), billed_min=np.ones(3),
        pool=np.full(3, -1, np.int8), pool_min=np.zeros(3), pools=(),
    )  # fmt: skip
    counts = hour_weekday_counts(stream, "America/New_York")
    assert counts.shape == (7, 24) and int(counts.to_numpy().sum()) == 3
    assert counts.loc["Mon", 9] == 2 and counts.loc["Sun", 23] == 1
    charged = hour_weekday_counts(stream, "America/New_York", charged_only=True)
    assert int(charged.to_numpy().sum()) == 2
