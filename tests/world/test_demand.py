"""generate(): sources, bursts, horizon, determinism; summarize(): the monthly table."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from sim.account.clock import to_instant
from sim.account.stream import CallStream
from sim.world.arrivals import horizon
from sim.world.demand import generate, summarize
from sim.world.distributions import lognormal_params
from sim.world.rates import Rate, RateTable
from sim.world.rating import DIAL_OUT_POOL, NO_POOL
from sim.world.scenario import Scenario

D = Decimal
RATES = RateTable(
    Path("rates.csv"),
    {
        ("US", "toll_free", "inbound"): Rate(D("0.022")),
        ("GB", "toll_free", "inbound"): Rate(D("0.04")),
        ("US", "landline", "outbound"): Rate(D("0.013")),
        ("AE", "mobile", "outbound"): Rate(D("0.23")),
        ("GB", "landline", "outbound"): Rate(D("0.015")),
    },
)
START = "2027-01-01T00:00:00Z"


def scenario(months: int = 2, **sections: Any) -> Scenario:
    info = {"name": "t", "start": START, "horizon_months": months}
    return Scenario.model_validate({"scenario": info, **sections})


def meetings(**fields: Any) -> dict[str, Any]:
    base = {
        "per_user_per_day": 0.5,
        "dial_ins": {"dist": "poisson", "mean": 3},
        "toll_free_share": 0.4,
        "dial_in_countries": {"US": 3, "GB": 1},
        "duration_min": {"dist": "fixed", "value": 30},
    }
    return base | fields


def big_meeting(**fields: Any) -> dict[str, Any]:
    base = {
        "name": "all hands",
        "recurrence": "FREQ=MONTHLY;BYDAY=+1TH",
        "time": "10:00:00",
        "dial_ins": {"dist": "fixed", "value": 50},
        "toll_free_share": 1.0,
        "duration_min": {"dist": "fixed", "value": 45},
    }
    return base | fields


def stream(**fields: Any) -> dict[str, Any]:
    base = {
        "name": "queue",
        "service": "call_queue",
        "calls_per_day": 100,
        "duration_min": {"dist": "exponential", "mean": 3},
        "country": "US",
        "number_type": "toll_free",
    }
    return base | fields


def run(sc: Scenario, seed: int = 3) -> CallStream:
    return generate(sc, RATES, np.random.default_rng(seed))


def of(s: CallStream, service: str) -> np.ndarray:
    return s.service == s.services.index(service)


COLUMNS = ("start_us", "end_us", "service", "charge_minor", "credit_billed", "billed_min")
COLUMNS += ("pool", "pool_min")


def test_same_seed_gives_identical_arrays_and_another_seed_does_not() -> None:
    sc = scenario(
        users={"count": 40},
        meetings=meetings(
            dial_outs={"dist": "poisson", "mean": 0.5},
            dial_out_destinations=[{"country": "US", "share": 1}],
        ),
        big_meetings=[big_meeting()],
        streams=[stream()],
    )
    first, again, other = run(sc, 9), run(sc, 9), run(sc, 10)
    for name in COLUMNS:
        assert getattr(first, name).tobytes() == getattr(again, name).tobytes(), name
    assert first.services == again.services
    assert first.start_us.tobytes() != other.start_us.tobytes()


def test_adding_a_source_leaves_the_other_sources_draws_unchanged() -> None:
    alone = run(scenario(users={"count": 40}, streams=[stream()]))
    added = run(
        scenario(
            users={"count": 40},
            meetings=meetings(),
            big_meetings=[big_meeting()],
            streams=[stream()],
        )
    )
    queue = of(alone, "call_queue")
    np.testing.assert_array_equal(alone.start_us[queue], added.start_us[of(added, "call_queue")])
    np.testing.assert_array_equal(alone.end_us[queue], added.end_us[of(added, "call_queue")])
    assert of(added, "toll_free_dial_in").sum() > 0


def test_adding_dial_outs_to_meetings_leaves_their_dial_ins_unchanged() -> None:
    plain = run(scenario(users={"count": 40}, meetings=meetings()))
    dial_outs = meetings(
        dial_outs={"dist": "poisson", "mean": 1},
        dial_out_destinations=[{"country": "US", "share": 1}],
    )
    more = run(scenario(users={"count": 40}, meetings=dial_outs))
    for service in ("toll_free_dial_in", "inbound"):
        np.testing.assert_array_equal(
            plain.end_us[of(plain, service)], more.end_us[of(more, service)]
        )
    assert of(more, "dial_out").sum() > 0


def test_dial_ins_are_toll_free_with_the_given_share_and_toll_dial_ins_are_free() -> None:
    s = run(scenario(users={"count": 200}, meetings=meetings()))
    toll_free, toll = of(s, "toll_free_dial_in"), of(s, "inbound")
    share = toll_free.sum() / len(s)
    assert abs(share - 0.4) < 4 * np.sqrt(0.4 * 0.6 / len(s))
    assert np.all(s.charge_minor[toll] == 0) and not s.credit_billed[toll].any()
    assert np.all(s.billed_min[toll] == 0)
    # a 30-minute toll-free dial-in costs 30 x 2.2 cents (US) or 30 x 4 cents (GB)
    assert set(s.charge_minor[toll_free].tolist()) == {66, 120}
    assert s.credit_billed[toll_free].all()


def test_jittered_participants_stay_inside_their_meeting_for_at_least_a_second() -> None:
    jittery = big_meeting(
        recurrence="FREQ=DAILY",
        dial_ins={"dist": "fixed", "value": 40},
        join_jitter_min={"dist": "exponential", "mean": 20},
        leave_jitter_min={"dist": "exponential", "mean": 30},
    )
    s = run(scenario(months=1, big_meetings=[jittery]))
    meeting_us = 45 * 60 * 1_000_000
    day_start = s.start_us - (s.start_us - to_instant(datetime(2027, 1, 1, 10, tzinfo=UTC))) % (
        24 * 3600 * 1_000_000
    )
    assert np.all(s.start_us < day_start + meeting_us)  # nobody joins after the end
    assert np.all(s.end_us <= day_start + meeting_us)
    assert np.all(s.end_us - s.start_us >= 1_000_000)
    assert np.sum(s.end_us - s.start_us == 1_000_000) > 0  # leave jitter past the join: 1 s
    assert np.all((s.end_us - s.start_us) % 1_000_000 == 0)  # whole seconds


def test_dial_outs_draw_on_the_audio_conferencing_pool_only_in_zone_a() -> None:
    destinations = [
        {"country": "US", "share": 1},
        {"country": "AE", "number_type": "mobile", "share": 1},
    ]
    sc = scenario(
        users={"count": 100},
        meetings=meetings(
            dial_outs={"dist": "fixed", "value": 1}, dial_out_destinations=destinations
        ),
        plans={"audio_conferencing_licences": 10},
    )
    s = run(sc)
    dial_out = of(s, "dial_out")
    minutes = np.round(s.pool_min + s.billed_min, 6)
    us_calls = dial_out & (s.pool == DIAL_OUT_POOL)
    ae_calls = dial_out & (s.pool == NO_POOL)
    assert us_calls.any() and ae_calls.any()
    # AE mobile at 23 cents/min from the first minute; US at 1.3 cents beyond the pool
    np.testing.assert_array_equal(s.charge_minor[ae_calls], np.round(minutes[ae_calls] * 23))
    assert s.pool_min[ae_calls].sum() == 0 and s.credit_billed[ae_calls].all()


def test_big_meeting_bursts_land_at_the_rules_local_instants() -> None:
    sc = scenario(
        months=4,
        calendar={"timezone": "Europe/Berlin"},
        big_meetings=[big_meeting()],
    )
    s = run(sc)
    first_thursdays = [
        "2027-01-07T09:00",
        "2027-02-04T09:00",
        "2027-03-04T09:00",
        "2027-04-01T08:00",
    ]
    expected = [to_instant(datetime.fromisoformat(t).replace(tzinfo=UTC)) for t in first_thursdays]
    instants, counts = np.unique(s.start_us, return_counts=True)
    assert instants.tolist() == expected  # 10:00 Berlin: CET in winter, CEST from 28 March
    assert counts.tolist() == [50] * 4
    assert np.all(s.end_us - s.start_us == 45 * 60 * 1_000_000)


def test_big_meetings_outside_business_hours_still_happen() -> None:
    sc = scenario(
        months=1, big_meetings=[big_meeting(recurrence="FREQ=WEEKLY;BYDAY=SA", time="22:30:00")]
    )
    s = run(sc)
    assert sorted(set(s.start_us.tolist())) == [
        to_instant(datetime(2027, 1, day, 22, 30, tzinfo=UTC)) for day in (2, 9, 16, 23, 30)
    ]


def test_calls_ending_after_the_horizon_are_left_out() -> None:
    calendar = {
        "business_hours": ["00:00", "24:00"],
        "business_days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }
    long_calls = stream(calls_per_day=500, duration_min={"dist": "fixed", "value": 600})
    s = run(scenario(months=1, calendar=calendar, streams=[long_calls]))
    _, end = horizon(scenario(months=1, streams=[long_calls]).scenario)
    ten_hours = 600 * 60 * 1_000_000
    assert s.end_us.max() <= end
    assert np.sum(s.start_us > end - ten_hours) == 0
    assert np.sum(s.start_us > end - 2 * ten_hours) > 100  # the stream was busy until then


def test_the_stream_is_sorted_by_start() -> None:
    s = run(scenario(users={"count": 50}, meetings=meetings(), streams=[stream()]))
    assert np.all(np.diff(s.start_us) >= 0)


def test_durations_follow_their_distribution() -> None:
    lengths = stream(calls_per_day=300, duration_min={"dist": "lognormal", "mean": 6, "sd": 4})
    s = run(scenario(months=3, streams=[lengths]))
    minutes = (s.end_us - s.start_us) / 60e6
    mu, sigma = lognormal_params(6, 4)
    assert stats.kstest(minutes, stats.lognorm(s=sigma, scale=np.exp(mu)).cdf).pvalue > 0.001


def test_a_stream_declared_not_credit_billed_is_charged_but_never_blocked() -> None:
    s = run(
        scenario(
            streams=[stream(credit_billed=False, rate_per_min=D("0.10"), connection_fee=D("0.02"))]
        )
    )
    assert len(s) > 0 and not s.credit_billed.any()
    minutes = -(-(s.end_us - s.start_us) // 60_000_000)
    np.testing.assert_array_equal(s.charge_minor, 2 + 10 * minutes)


def test_a_missing_rate_names_the_key() -> None:
    with pytest.raises(LookupError, match="no rate for FR toll_free inbound"):
        run(scenario(users={"count": 5}, meetings=meetings(dial_in_countries={"FR": 1})))


def test_summary_tallies_every_call_by_month_and_service() -> None:
    sc = scenario(
        users={"count": 100},
        meetings=meetings(
            dial_outs={"dist": "fixed", "value": 1},
            dial_out_destinations=[{"country": "US", "share": 1}],
        ),
        plans={"audio_conferencing_licences": 20},
        streams=[stream()],
    )
    s = run(sc)
    summary = summarize(s, sc)
    assert summary.months == ("2027-01", "2027-02")
    assert summary.services == s.services and summary.pools == ("dial_out",)
    assert int(summary.calls.sum()) == len(s)
    assert int(summary.charge_minor.sum()) == int(s.charge_minor.sum())
    assert summary.pool_allotment_min.tolist() == [[1200.0], [1200.0]]  # month x pool
    assert summary.pool_used_min.max() <= 1200.0
    assert summary.pool_used_min.sum() == pytest.approx(s.pool_min.sum())
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["months"][0]["pools"]["dial_out"]["allotment_min"] == 1200.0
    assert data["totals"]["call_queue"]["calls"] == int(of(s, "call_queue").sum())
    text = summary.to_text()
    assert "2027-02" in text and "call_queue" in text and "Allotment" in text


def test_a_tenant_without_users_gives_an_empty_valid_stream_and_summary() -> None:
    sc = scenario(users={"count": 0}, meetings=meetings())
    s = run(sc)
    assert len(s) == 0 and s.services == ("toll_free_dial_in", "inbound", "dial_out")
    assert int(summarize(s, sc).calls.sum()) == 0


def test_a_rule_with_until_stops_the_bursts() -> None:
    rule = "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270120T235959"
    s = run(scenario(months=2, big_meetings=[big_meeting(recurrence=rule)]))
    days = sorted({datetime.fromtimestamp(t / 1e6, UTC).day for t in s.start_us.tolist()})
    assert days == [4, 11, 18]
