"""Scenario magnitudes beyond ``sim.limits`` are refused at load, with the key and the limit.

The issue's examples (users = 10^9, 1e9 calls a day, Poisson means of 1e12 or
inf, growth of 100 % a month, FREQ=SECONDLY) used to pass ``validate`` and fail
in ``run`` allocating GiB to PiB (issue 11, item 2).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest

from sim import limits
from sim.errors import InputError
from sim.world.bounds import recurrence_problems
from sim.world.load import load_scenario
from tests.world.test_scenario_load import HEAD, RATES, STREAM, only_problem, write

MEETING = "[meetings]\nper_user_per_day = 0.1\n"
BIG = '[[big_meetings]]\nname = "b"\ntime = 11:00:00\ndial_ins = {{ dist = "poisson", mean = 5 }}\n'
BIG += 'recurrence = "{rule}"\n'


@pytest.mark.parametrize(
    ("text", "start"),
    [
        (HEAD + STREAM + "[users]\ncount = 1_000_000_000\n", "users.count: 1,000,000,000 is more"),
        (
            HEAD + STREAM + "[users]\ncount = 1\nmonthly_growth = 1.0\n",
            "users.monthly_growth: 1 a month takes 1 users to about 16,777,216 after 24 months",
        ),
        (
            HEAD + STREAM.replace("calls_per_day = 1", "calls_per_day = 1e9"),
            "streams[0].calls_per_day: 1,000,000,000 is more than the limit of 1,000,000",
        ),
        (
            HEAD + MEETING + 'dial_ins = { dist = "poisson", mean = 1e12 }\n',
            "meetings.dial_ins.mean: 1,000,000,000,000 is more than the limit of 10,000",
        ),
        (
            HEAD + MEETING.replace("0.1", "1e6"),
            "meetings.per_user_per_day: 1,000,000 is more than the limit of 100",
        ),
        (
            HEAD + MEETING + 'duration_min = { dist = "lognormal", mean = 30, sd = 1e9 }\n',
            "meetings.duration_min.sd: 1,000,000,000 minutes is more than the limit of 10,080",
        ),
        (
            HEAD + STREAM.replace('"fixed", value = 1', '"empirical", values = [1, 20000]'),
            "streams[0].duration_min.values: 20,000 minutes is more",
        ),
        (
            HEAD + STREAM + "[payments]\nprocessing_delay_h = 1e20\n",
            "payments.processing_delay_h: 1e+20 is more than the limit of 8,784",
        ),
        (
            HEAD + STREAM + "[policy]\ninitial_balance = 1e30\n",
            "policy.initial_balance: 1E+30 is more than the limit of 100,000,000,000",
        ),
        (
            HEAD + STREAM.replace("rate_per_min = 0.05", "rate_per_min = 1e9"),
            "streams[0]: rate_per_min 1E+9 and connection_fee 0 would charge",
        ),
        (
            HEAD + STREAM + '[payments]\ncard_expires = "9999-01-01T00:00:00Z"\n',
            "payments.card_expires: 9999-01-01 is outside the supported dates",
        ),
        (HEAD.replace("2027", "1900") + STREAM, "scenario.start: 1900-01-01 is outside"),
        (HEAD + STREAM + BIG.format(rule="FREQ=SECONDLY"), "big_meetings[0].recurrence: FREQ=SEC"),
        (HEAD + STREAM + BIG.format(rule="FREQ=HOURLY"), "big_meetings[0].recurrence: FREQ=HOUR"),
        (
            HEAD + STREAM + BIG.format(rule="FREQ=DAILY;BYHOUR=9,10,11"),
            "big_meetings[0].recurrence: BYHOUR/BYMINUTE/BYSECOND give 3 times a day",
        ),
        (
            HEAD + STREAM + BIG.format(rule="FREQ=WEEKLY;BYMINUTE=0,30"),
            "big_meetings[0].recurrence: BYHOUR/BYMINUTE/BYSECOND give 2 times a day",
        ),
    ],
)
def test_magnitudes_beyond_the_limits_are_refused(tmp_path: Path, text: str, start: str) -> None:
    assert only_problem(tmp_path, text).startswith(start)


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "+inf"])
def test_infinite_and_nan_numbers_are_refused(tmp_path: Path, value: str) -> None:
    durations = HEAD + MEETING + f'duration_min = {{ dist = "exponential", mean = {value} }}\n'
    assert only_problem(tmp_path, durations).startswith("meetings.duration_min.mean: must be")
    means = HEAD + MEETING + f'dial_ins = {{ dist = "poisson", mean = {value} }}\n'
    assert only_problem(tmp_path, means).startswith("meetings.dial_ins.mean: must be")


def test_the_limits_themselves_are_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDSIM_MAX_CALLS", str(10**12))  # the estimate is tested elsewhere
    monkeypatch.setenv("CREDSIM_MAX_MEMORY_GB", str(10**6))
    from sim.world.load import load_scenario  # noqa: PLC0415
    from tests.world.test_scenario_load import write  # noqa: PLC0415

    text = (
        HEAD
        + STREAM.replace("calls_per_day = 1", f"calls_per_day = {limits.STREAM_CALLS_PER_DAY_MAX}")
        + f"[users]\ncount = {limits.USERS_MAX}\n"
        + f"[payments]\nprocessing_delay_h = {limits.DELAY_MAX_H}\n"
        + BIG.format(rule="FREQ=DAILY").replace("mean = 5", f"mean = {limits.PARTICIPANTS_MAX}")
    )
    assert load_scenario(write(tmp_path, text)).scenario.users.count == limits.USERS_MAX


def test_occurrences_are_counted_with_a_bound() -> None:
    start, end = datetime(2027, 1, 1, 11), datetime(2227, 1, 1)  # 200 years of days
    began = time.monotonic()
    (problem,) = recurrence_problems("r", "FREQ=DAILY", start, end)
    assert "occurs more than 10,000 times over the horizon" in problem
    assert recurrence_problems("r", "FREQ=DAILY;COUNT=50", start, end) == []
    assert recurrence_problems("r", "FREQ=DAILY;UNTIL=20270301T000000", start, end) == []
    # A rule that never occurs stops at the horizon, not at year 9999.
    assert recurrence_problems("r", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", start, end) == []
    assert time.monotonic() - began < 10  # about 2 s on an idle 2-core machine


def test_a_table_rate_that_would_overflow_a_charge_is_refused(tmp_path: Path) -> None:
    text = HEAD + STREAM.replace("rate_per_min = 0.05", 'country = "US"\nnumber_type = "landline"')
    text = text.replace('service = "toll_free_dial_in"', 'service = "x"\ndirection = "outbound"')
    rates = RATES.replace("US,landline,outbound,0.013,", "US,landline,outbound,1" + "0" * 20 + ",")
    problem = only_problem(tmp_path, text, rates=rates)
    assert problem.startswith("streams[0]: ")
    assert "US landline outbound: rate_per_min 1" + "0" * 20 in problem
    assert "more than the limit of 100,000,000 (CHARGE_MAX_MINOR)" in problem


def test_a_calendar_that_leaves_demand_nowhere_is_refused_at_load(tmp_path: Path) -> None:
    hours = ", ".join(["0"] * 24)
    text = HEAD + STREAM + f"[calendar]\nhour_of_day = [{hours}]\n"
    with pytest.raises(InputError, match="calendar: hour_of_day gives zero weight"):
        load_scenario(write(tmp_path, text))
