"""Honest payment defaults: applied without ``[payments]``, listed by validate and run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from sim.account.clock import MICROS_PER_HOUR
from sim.cli.commands import main
from sim.study.experiment import build_payments, horizon
from sim.world.assumptions import assumption_lines, assumptions
from sim.world.load import parse_scenario
from sim.world.office_hours import office_hours
from sim.world.scenario import (
    ADMIN_FIX_DELAY_DEFAULT_H,
    FAILURE_PROBABILITY_DEFAULT,
    PROCESSING_DELAY_DEFAULT_H,
    Calendar,
)
from tests.strategies import at

SOURCE = Path("no-payments.toml")
NO_PAYMENTS = """
[scenario]
name = "no-payments"
start = "2027-01-01T00:00:00Z"
horizon_months = 1

[[streams]]
name = "line"
service = "toll_free_dial_in"
calls_per_day = 20
duration_min = { dist = "fixed", value = 10 }
rate_per_min = 0.05

[policy]
initial_balance = 60
trigger = 50
amount = 50
"""


def test_without_payments_the_documented_defaults_apply() -> None:
    scenario = parse_scenario(NO_PAYMENTS, SOURCE)
    payments = build_payments(scenario)
    assert payments.processing_delay.total_seconds() == PROCESSING_DELAY_DEFAULT_H * 3600
    assert payments.failure_probability == FAILURE_PROBABILITY_DEFAULT > 0
    assert payments.admin_fix_delay.total_seconds() == ADMIN_FIX_DELAY_DEFAULT_H * 3600
    assert payments.office_hours is not None  # 09:00-17:00 UTC, Mon-Fri by default
    assert payments.needs_draws
    assert {item.source for item in assumptions(scenario)} == {"default"}


def test_a_stated_key_is_listed_as_stated_and_the_others_as_defaults() -> None:
    scenario = parse_scenario(NO_PAYMENTS + "\n[payments]\nfailure_probability = 0.0\n", SOURCE)
    sources = {item.key: item.source for item in assumptions(scenario)}
    assert sources["payments.failure_probability"] == "scenario"
    assert sources["payments.processing_delay_h"] == "default"
    assert sources["payments.admin_fix_delay_h"] == "default"
    line = next(text for text in assumption_lines(scenario) if "processing_delay_h" in text)
    assert line.startswith("payments.processing_delay_h = 1 h: ")
    assert line.endswith("(default: assumed, see docs/model.md#payment-defaults)")


def test_office_hours_follow_the_zone_the_weekdays_and_the_holidays() -> None:
    calendar = Calendar(
        timezone="America/New_York",
        business_hours=("09:00", "17:00"),
        holidays=(date(2027, 3, 15),),
    )
    hours = office_hours(calendar, at("2027-03-12 06:00"), at("2027-03-16 06:00"))
    # Fri 12 March (EST, UTC-5); Mon 15 a holiday; Tue 16 and Wed 17 (EDT, UTC-4: the
    # clocks changed on Sunday 14), the list reaching past the end
    assert hours.opens_us[:2] == (at("2027-03-12 14:00"), at("2027-03-16 13:00"))
    assert hours.closes_us[:2] == (at("2027-03-12 22:00"), at("2027-03-16 21:00"))
    assert hours.next_open(at("2027-03-12 22:30")) == at("2027-03-16 13:00")


def test_a_calendar_open_around_the_clock_is_one_interval() -> None:
    calendar = Calendar(
        business_hours=("00:00", "24:00"),
        business_days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    )
    hours = office_hours(calendar, at("2027-01-01 00:00"), at("2027-02-01 00:00"))
    assert len(hours.opens_us) == 1
    assert hours.next_open(at("2027-01-09 03:00")) == at("2027-01-09 03:00")


def test_the_scenario_builds_the_office_hours_of_its_own_window() -> None:
    scenario = parse_scenario(NO_PAYMENTS, SOURCE)
    payments = build_payments(scenario)
    start, end = horizon(scenario)
    assert payments.office_hours == office_hours(scenario.calendar, start, end)
    # Friday 1 January 2027 + 4 h is 04:00, before opening: the fix falls at 09:00
    assert (
        payments.resumes_at(at("2027-01-01 00:00")) == at("2027-01-01 00:00") + 9 * MICROS_PER_HOUR
    )


def test_validate_and_run_list_the_assumptions_in_force(tmp_path: Path) -> None:
    path = tmp_path / "no-payments.toml"
    path.write_text(NO_PAYMENTS, encoding="utf-8")
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(path)])
    assert validated.exit_code == 0, validated.output
    lines = assumption_lines(parse_scenario(NO_PAYMENTS, SOURCE))
    assert "Assumptions in force:" in validated.output
    assert all(f"  - {line}" in validated.output for line in lines)
    ran = runner.invoke(main, ["run", str(path), "--replications", "3", "--workers", "1"])
    assert ran.exit_code == 0, ran.output
    assert all(f"  - {line}" in ran.output for line in lines)
    as_json = runner.invoke(
        main, ["run", str(path), "--replications", "3", "--workers", "1", "--json"]
    )
    listed = json.loads(as_json.stdout)["assumptions"]
    assert [item["source"] for item in listed] == ["default"] * len(lines)
    assert listed[0]["key"] == "payments.processing_delay_h"
