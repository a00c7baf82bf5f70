"""The pre-flight's upper bound: never below the estimate, and never the reason for a refusal.

``workload.check_fits`` (what loading a scenario runs) skips the estimate, and
numpy with it, when ``calls_at_most`` is within the limits; so the bound must
be at least the estimate for every scenario, and a scenario between the two
must still be judged by the estimate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.world import workload
from sim.world.load import LoadedScenario, load_scenario
from sim.world.scenario import Scenario
from tests.paths import SCENARIOS

BUNDLED = sorted(SCENARIOS.glob("**/*.toml"))

_COUNTS = st.one_of(
    st.builds(lambda v: {"dist": "fixed", "value": v}, st.floats(0, 20)),
    st.builds(lambda m: {"dist": "poisson", "mean": m}, st.floats(0, 20)),
    st.builds(
        lambda values, weighted: {
            "dist": "empirical",
            "values": values,
            "weights": [index + 1.0 for index in range(len(values))] if weighted else None,
        },
        st.lists(st.floats(0, 30), min_size=1, max_size=4),
        st.booleans(),
    ),
)
_GROWTH = st.sampled_from([0.0, -0.2, -0.01, 0.01, 0.05, 0.3])


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario document with every kind of source the bound counts, in several calendars."""
    doc: dict[str, Any] = {
        "scenario": {
            "name": "bound",
            "start": draw(st.sampled_from(["2027-01-01T00:00:00Z", "2027-03-30T22:30:00+02:00"])),
            "horizon_months": draw(st.integers(1, 30)),
        },
        "calendar": {
            "timezone": draw(st.sampled_from(["UTC", "America/Chicago", "Australia/Sydney"])),
            "business_days": draw(st.sampled_from([["Mon", "Tue", "Wed"], ["Mon", "Sun"]])),
            "business_hours": draw(st.sampled_from([["08:00", "17:00"], ["00:00", "24:00"]])),
        },
        "users": {"count": draw(st.integers(0, 500)), "monthly_growth": draw(_GROWTH)},
        "meetings": {"per_user_per_day": draw(st.floats(0, 2)), "dial_ins": draw(_COUNTS)},
        "user_calling": {"per_user_per_day": draw(st.floats(0, 3))},
        "big_meetings": [
            {"name": "rule", "recurrence": "FREQ=WEEKLY;BYDAY=MO,TH", "time": "10:00:00"},
            {"name": "random", "per_month": draw(st.floats(0, 5)), "time": "23:30:00"},
        ],
        "streams": [
            {
                "name": "s",
                "service": "queue",
                "calls_per_day": draw(st.floats(0, 400)),
                "duration_min": {"dist": "fixed", "value": 1},
                "rate_per_min": 0.01,
                "monthly_growth": draw(_GROWTH),
            }
        ],
    }
    for event in doc["big_meetings"]:
        event["dial_ins"] = draw(_COUNTS)
    if draw(st.booleans()):
        doc["calendar"]["month_of_year"] = draw(st.lists(st.floats(0, 3), min_size=12, max_size=12))
    return doc


@given(worlds())
@settings(max_examples=60, deadline=None)
def test_the_bound_is_at_least_the_estimate(doc: dict[str, Any]) -> None:
    scenario = Scenario.model_validate(doc)
    bound = workload.calls_at_most(scenario)
    assert bound is not None
    assert bound >= workload.estimate(scenario).calls_per_replication


@pytest.mark.parametrize("path", BUNDLED, ids=[path.stem for path in BUNDLED])
def test_the_bound_is_at_least_the_estimate_of_every_bundled_scenario(path: Path) -> None:
    scenario = load_scenario(path).scenario
    bound = workload.calls_at_most(scenario)
    profiled = any(stream.hour_of_week is not None for stream in scenario.streams)
    assert (bound is None) == profiled
    if bound is not None:
        assert bound >= workload.estimate(scenario).calls_per_replication


def test_far_inside_the_limits_no_estimate_is_made(
    midsize: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_estimate(scenario: Scenario) -> workload.Workload:
        raise AssertionError("the estimate was made")

    monkeypatch.setattr(workload, "estimate", no_estimate)
    workload.check_fits(midsize.scenario)


def test_between_the_estimate_and_the_bound_the_estimate_decides(
    midsize: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    estimate = workload.estimate(midsize.scenario).calls_per_replication
    bound = workload.calls_at_most(midsize.scenario)
    assert bound is not None and bound > estimate * 1.2  # room for a limit between them
    monkeypatch.setenv("CREDSIM_MAX_CALLS", str(int(estimate * 1.1)))
    workload.check_fits(midsize.scenario)  # accepted: the estimate is within the limit
    monkeypatch.setenv("CREDSIM_MAX_CALLS", str(int(estimate * 0.9)))
    with pytest.raises(InputError) as fits:
        workload.check_fits(midsize.scenario, source="s.toml")
    with pytest.raises(InputError) as checks:
        workload.check(midsize.scenario, source="s.toml")
    assert str(fits.value) == str(checks.value)


def test_the_memory_limit_is_judged_by_the_estimate_too(
    midsize: LoadedScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_gb = workload.estimate(midsize.scenario).memory_bytes() / 1024**3
    monkeypatch.setenv("CREDSIM_MAX_MEMORY_GB", f"{need_gb * 0.9:.6f}")
    with pytest.raises(InputError, match=r"GB \(change it with the environment variable"):
        workload.check_fits(midsize.scenario)


def test_a_calendar_without_open_weight_is_left_to_the_estimate(midsize: LoadedScenario) -> None:
    calendar = midsize.scenario.calendar.model_copy(update={"hour_of_day": (0.0,) * 24})
    scenario = midsize.scenario.model_copy(update={"calendar": calendar})
    assert workload.calls_at_most(scenario) is None
    with pytest.raises(InputError, match=r"^calendar: hour_of_day gives zero weight"):
        workload.check_fits(scenario)
