"""Tests for loading scenario files: exact money, the bundled library, and every error path.

Error tests assert the key path exactly and the rule's important words, not whole sentences.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sim.errors import InputError
from sim.world.load import (
    LoadedScenario,
    checked,
    load_scenario,
    parse_scenario,
    required_rates,
)
from sim.world.rates import Rate
from tests.paths import ROOT

LIBRARY = ROOT / "scenarios"
HEAD = '[scenario]\nname = "t"\nstart = "2027-01-01T00:00:00Z"\n'
STREAM = """
[[streams]]
name = "s"
service = "toll_free_dial_in"
calls_per_day = 1
duration_min = { dist = "fixed", value = 1 }
rate_per_min = 0.05
"""
RATES = """country,number_type,direction,rate_per_min,connection_fee,currency
US,toll_free,inbound,0.022,,USD
US,landline,outbound,0.013,,USD
US,mobile,outbound,0.013,,USD
GB,landline,outbound,0.015,,USD
"""
POISSON_MANUAL = """[scenario]
name = "poisson-manual"
start = "2027-01-01T00:00:00Z"
horizon_months = 6
currency = "USD"

[calendar]
timezone = "UTC"
business_hours = ["00:00", "24:00"]
business_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

[[streams]]
name = "attendant toll-free"
service = "toll_free_dial_in"
calls_per_day = 20
duration_min = { dist = "fixed", value = 10 }
rate_per_min = 0.05

[policy]
initial_balance = 1850
auto_recharge = false
"""


def write(tmp_path: Path, text: str, rates: str | None = RATES) -> Path:
    """The scenario as tmp/scenario.toml with its table at the default tmp/rates/sample-usd.csv."""
    if rates is not None:
        (tmp_path / "rates").mkdir(exist_ok=True)
        (tmp_path / "rates" / "sample-usd.csv").write_text(rates, encoding="utf-8")
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, rates: str | None = RATES) -> InputError:
    path = write(tmp_path, text, rates)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert caught.value.source == str(path)
    return caught.value


def problems(error: InputError) -> list[str]:
    """The first problem and the "also" ones, without the prefix."""
    return [line.strip().removeprefix("also: ") for line in error.message.splitlines()]


def only_problem(tmp_path: Path, text: str, rates: str | None = RATES) -> str:
    found = problems(error_of(tmp_path, text, rates))
    assert len(found) == 1, found
    return found[0]


# -- good files -------------------------------------------------------------------------------


def test_poisson_manual_text_loads_exactly_as_written(tmp_path: Path) -> None:
    scenario = parse_scenario(POISSON_MANUAL, Path("poisson-manual.toml"))
    info, stream = scenario.scenario, scenario.streams[0]
    assert (info.name, info.start, info.horizon_months, info.currency) == (
        "poisson-manual",
        datetime(2027, 1, 1, tzinfo=UTC),
        6,
        "USD",
    )
    assert scenario.calendar.open_minutes == (0, 24 * 60)
    assert len(scenario.calendar.business_days) == 7
    assert (stream.calls_per_day, stream.duration_min.dist, stream.direction) == (
        20,
        "fixed",
        "inbound",
    )
    assert type(stream.rate_per_min) is Decimal and stream.rate_per_min == Decimal("0.05")
    assert scenario.policy.initial_balance == Decimal(1850)
    assert scenario.policy.auto_recharge is False
    # As a file, with no rate table next to it: it looks up no rates, so none is needed.
    loaded = load_scenario(write(tmp_path, POISSON_MANUAL, rates=None))
    assert loaded.scenario == scenario and loaded.rates.rates == {}


def test_bundled_poisson_manual_is_the_issue_text_below_its_comments() -> None:
    text = (LIBRARY / "checks" / "poisson-manual.toml").read_text(encoding="utf-8")
    body = text[text.index("[scenario]") :]
    assert body == POISSON_MANUAL
    assert all(line.startswith("#") for line in text[: text.index("[scenario]")].splitlines())


LIBRARY_FILES = sorted(LIBRARY.rglob("*.toml"))


def test_library_has_the_promised_scenarios() -> None:
    names = {path.relative_to(LIBRARY).as_posix() for path in LIBRARY_FILES}
    assert names >= {
        "small-team.toml",
        "midsize.toml",
        "enterprise.toml",
        "card-expiry.toml",
        "checks/poisson-manual.toml",
        "checks/instant-recharge.toml",
        "checks/business-hours-tokyo.toml",
    }


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda path: path.name)
def test_every_bundled_scenario_loads(path: Path) -> None:
    loaded = load_scenario(path)
    assert isinstance(loaded, LoadedScenario)
    assert loaded.path == path
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.content_hash)
    assert all(key in loaded.rates for key in required_rates(loaded.scenario))


def test_money_stays_exact(tmp_path: Path) -> None:
    exact = "0.12345678901234567891"  # more digits than a binary float holds
    text = HEAD + STREAM.replace("0.05", exact) + "[policy]\ntrigger = 400.10\namount = 0.3\n"
    scenario = parse_scenario(text, tmp_path / "s.toml")  # load refuses a rate this fine
    assert scenario.streams[0].rate_per_min == Decimal(exact)
    assert (scenario.policy.trigger, scenario.policy.amount) == (Decimal("400.10"), Decimal("0.3"))
    assert type(scenario.policy.amount) is Decimal


def test_rate_table_is_relative_to_the_scenario_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "mine.csv").write_text(RATES, encoding="utf-8")
    text = HEAD + '[user_calling]\nper_user_per_day = 1\n[rates]\ntable = "tables/mine.csv"\n'
    path = write(tmp_path, text, rates=None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = load_scenario(path)
    assert loaded.rates.path == tmp_path / "tables" / "mine.csv"
    assert loaded.rates.lookup("US", "landline", "outbound") == Rate(Decimal("0.013"))


# -- content hash -----------------------------------------------------------------------------


def test_content_hash_is_stable_and_tracks_both_files(tmp_path: Path) -> None:
    text = HEAD + STREAM
    first = load_scenario(write(tmp_path, text)).content_hash
    assert load_scenario(write(tmp_path, text)).content_hash == first
    changed_rates = load_scenario(write(tmp_path, text, RATES.replace("0.022", "0.023")))
    assert changed_rates.content_hash != first
    changed_toml = load_scenario(write(tmp_path, text + "\n# comment\n"))
    assert changed_toml.content_hash not in (first, changed_rates.content_hash)


# -- TOML and file errors ---------------------------------------------------------------------


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, HEAD + "[users]\ncount = = 3\n")
    assert error.line == 5
    assert "TOML syntax error at column" in error.message


def test_toml_error_at_the_end_names_the_last_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, HEAD + "[users]\ncount = [1,\n\n")
    assert error.line == 5
    assert "TOML syntax error at the end of the file" in error.message


def test_missing_scenario_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the scenario file"):
        load_scenario(tmp_path / "nope.toml")


def test_scenario_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(HEAD.encode() + b'description = "caf\xe9"\n')
    with pytest.raises(InputError, match="not UTF-8") as caught:
        load_scenario(path)
    assert caught.value.line == 4


# -- validation errors ------------------------------------------------------------------------


def test_unknown_top_level_key_suggests_a_section(tmp_path: Path) -> None:
    text = HEAD + STREAM + "[polcy]\ntrigger = 400\n"
    assert only_problem(tmp_path, text) == "unknown top-level key 'polcy'; did you mean 'policy'?"


def test_unknown_key_in_a_section_suggests_the_nearest(tmp_path: Path) -> None:
    text = HEAD + "[meetings]\nper_user_per_day = 0.1\nduraton_min = 5\n"
    problem = only_problem(tmp_path, text)
    assert problem == "meetings: unknown key 'duraton_min'; did you mean 'duration_min'?"


def test_unknown_key_without_a_near_one_lists_the_valid_keys(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, HEAD + STREAM + "[users]\npeople = 3\n")
    assert problem.startswith("users: unknown key 'people'; valid keys: count, monthly_growth")


def test_unknown_key_in_a_list_item(tmp_path: Path) -> None:
    text = HEAD + STREAM.replace("rate_per_min", "rate_per_minute")
    problem = only_problem(tmp_path, text)
    assert problem == "streams[0]: unknown key 'rate_per_minute'; did you mean 'rate_per_min'?"


def test_unknown_key_in_a_distribution_replaces_the_missing_one(tmp_path: Path) -> None:
    text = HEAD + STREAM.replace(
        '{ dist = "fixed", value = 1 }', '{ dist = "lognormal", mean = 3, sdev = 1 }'
    )
    # One problem, not also "missing required key 'streams[0].duration_min.sd'", and no tag.
    assert only_problem(tmp_path, text) == (
        "streams[0].duration_min: unknown key 'sdev'; did you mean 'sd'?"
    )


def test_wrong_type(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, HEAD + STREAM.replace("calls_per_day = 1", 'calls_per_day = "x"')
    )
    assert problem.startswith("streams[0].calls_per_day: must be a number")
    assert "'x'" in problem


def test_table_written_for_a_list_of_tables(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, HEAD + STREAM.replace("[[streams]]", "[streams]"))
    assert problem.startswith("streams: must be a list of tables")
    assert "[[streams]]" in problem


def test_out_of_range_value_states_the_rule(tmp_path: Path) -> None:
    text = HEAD + "[meetings]\nper_user_per_day = 0.1\ntoll_free_share = 1.5\n"
    assert only_problem(tmp_path, text) == "meetings.toll_free_share: must be <= 1 (got 1.5)"


def test_out_of_range_distribution_parameter_has_no_tag_in_its_path(tmp_path: Path) -> None:
    text = HEAD + STREAM.replace('dist = "fixed", value = 1', 'dist = "exponential", mean = 0')
    assert only_problem(tmp_path, text) == "streams[0].duration_min.mean: must be > 0 (got 0)"


def test_bad_distribution_name_suggests_the_nearest(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, HEAD + STREAM.replace('"fixed"', '"lognormall"'))
    assert problem.startswith("streams[0].duration_min.dist: unknown value 'lognormall'")
    assert "expected one of: fixed, exponential, lognormal, gamma, empirical" in problem
    assert problem.endswith("did you mean 'lognormal'?")


def test_distribution_without_dist(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, HEAD + STREAM.replace('dist = "fixed", ', ""))
    assert problem.startswith("missing required key 'streams[0].duration_min.dist'")
    assert "fixed, exponential" in problem


def test_bad_literal_value_suggests_the_nearest(tmp_path: Path) -> None:
    text = HEAD + STREAM.replace("rate_per_min = 0.05", 'country = "US"\nnumber_type = "mobil"')
    problem = only_problem(tmp_path, text)
    assert problem.startswith("streams[0].number_type: unknown value 'mobil'")
    assert "did you mean 'mobile'?" in problem


def test_bad_table_key_suggests_the_nearest(tmp_path: Path) -> None:
    text = HEAD + "[user_calling]\nper_user_per_day = 1\ndomestic_number_types = { mobil = 1 }\n"
    problem = only_problem(tmp_path, text)
    assert problem.startswith("user_calling.domestic_number_types: unknown key 'mobil'")
    assert "did you mean 'mobile'?" in problem


def test_bad_country_key(tmp_path: Path) -> None:
    text = HEAD + "[meetings]\nper_user_per_day = 0.1\ndial_in_countries = { us = 1 }\n"
    problem = only_problem(tmp_path, text)
    assert problem.startswith("meetings.dial_in_countries: key 'us'")
    assert "ISO 3166" in problem


def test_missing_scenario_section(tmp_path: Path) -> None:
    assert only_problem(tmp_path, STREAM) == "missing required section [scenario]"


def test_missing_start(tmp_path: Path) -> None:
    text = HEAD.replace('start = "2027-01-01T00:00:00Z"\n', "") + STREAM
    assert only_problem(tmp_path, text) == "missing required key 'scenario.start'"


def test_start_without_offset(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, HEAD.replace('"2027-01-01T00:00:00Z"', "2027-01-01T00:00:00") + STREAM
    )
    assert problem.startswith("scenario.start: needs a UTC offset")


def test_no_source_of_calls(tmp_path: Path) -> None:
    assert "at least one source of calls" in only_problem(tmp_path, HEAD)


def test_negative_binomial_needs_sd_squared_above_the_mean(tmp_path: Path) -> None:
    dial_ins = '{ dist = "negative_binomial", mean = 3, sd = 1 }'
    text = HEAD + f"[meetings]\nper_user_per_day = 0.1\ndial_ins = {dial_ins}\n"
    problem = only_problem(tmp_path, text)
    assert problem.startswith("meetings.dial_ins: ")
    assert "squared must exceed mean" in problem


def test_bad_time_zone(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, HEAD + STREAM + '[calendar]\ntimezone = "Europe/Berln"\n')
    assert problem.startswith("calendar.timezone: ")
    assert "IANA time zone" in problem


@pytest.mark.parametrize(
    ("hours", "words"),
    [('["17:00", "09:00"]', "must close after they open"), ('["9am", "17:00"]', "time of day")],
)
def test_bad_business_hours(tmp_path: Path, hours: str, words: str) -> None:
    problem = only_problem(tmp_path, HEAD + STREAM + f"[calendar]\nbusiness_hours = {hours}\n")
    assert problem.startswith("calendar.business_hours: ")
    assert words in problem


def test_bad_recurrence(tmp_path: Path) -> None:
    text = HEAD + (
        '[[big_meetings]]\nname = "all-hands"\nrecurrence = "FREQ=MONTHLY;BYDAY=+1THU"\n'
        'time = 11:00:00\ndial_ins = { dist = "poisson", mean = 800 }\n'
    )
    problem = only_problem(tmp_path, text)
    assert problem.startswith("big_meetings[0].recurrence: ")
    assert "RFC 5545" in problem


def test_several_problems_are_listed_with_also(tmp_path: Path) -> None:
    text = HEAD + STREAM + "[users]\ncount = -1\n[calendar]\ntimezone = 'Mars'\n"
    error = error_of(tmp_path, text)
    lines = error.message.splitlines()
    assert lines[0].startswith("calendar.timezone: ")
    assert lines[1].startswith("  also: users.count: must be >= 0")


def test_at_most_ten_further_problems(tmp_path: Path) -> None:
    keys = "".join(f"bad{index} = 1\n" for index in range(15))
    lines = error_of(tmp_path, HEAD + STREAM + "[users]\n" + keys).message.splitlines()
    assert len(lines) == 12
    assert sum(line.startswith("  also: ") for line in lines) == 10
    assert lines[-1] == "  ... and 4 more"


# -- checks after validation ------------------------------------------------------------------


def test_horizon_must_stay_within_the_supported_dates(tmp_path: Path) -> None:
    text = HEAD.replace("2027-01-01", "2199-06-01") + STREAM
    problem = only_problem(tmp_path, text)
    assert problem.startswith("scenario.horizon_months: 2199-06-01 + 24 months (+12 for lot")
    assert "ends 2202-06-01, after the last supported date 2200-12-31" in problem
    late = only_problem(tmp_path, HEAD.replace("2027-01-01", "9998-06-01") + STREAM)
    assert late.startswith("scenario.start: 9998-06-01 is outside the supported dates")


def test_policy_money_must_fit_the_currency(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, HEAD + STREAM + "[policy]\ntrigger = 400.125\n")
    assert problem.startswith("policy.trigger: 400.125 has more decimal places than USD")


MEETING = "[meetings]\nper_user_per_day = 0.1\ndial_in_countries = { US = 1, JP = 1 }\n"
DIAL_OUT = (
    '[meetings]\nper_user_per_day = 0.1\ndial_outs = { dist = "poisson", mean = 1 }\n'
    'dial_out_destinations = [{ country = "US", number_type = "mobile", share = 1 },'
    ' { country = "AE", number_type = "mobile", share = 1 }]\n'
)
BIG = (
    '[[big_meetings]]\nname = "b"\nrecurrence = "FREQ=MONTHLY"\ntime = 11:00:00\n'
    'dial_ins = { dist = "poisson", mean = 5 }\ndial_in_countries = { DE = 1 }\n'
)
DOMESTIC = "[user_calling]\nper_user_per_day = 1\ndomestic_number_types = { mobile = 1 }\n"
DOMESTIC += 'domestic_country = "GB"\n'
INTERNATIONAL = (
    "[user_calling]\nper_user_per_day = 1\ninternational_share = 0.1\n"
    'international_destinations = [{ country = "GB", share = 1 }, { country = "IN", share = 1 }]\n'
)
PRICED_STREAM = STREAM.replace(
    "rate_per_min = 0.05", 'country = "US"\nnumber_type = "geographic"\ndirection = "inbound"'
)


@pytest.mark.parametrize(
    ("section", "key_path", "rate_key"),
    [
        (MEETING, "meetings.dial_in_countries.JP", "JP toll_free inbound"),
        (DIAL_OUT, "meetings.dial_out_destinations[1]", "AE mobile outbound"),
        (BIG, "big_meetings[0].dial_in_countries.DE", "DE toll_free inbound"),
        (DOMESTIC, "user_calling.domestic_number_types.mobile", "GB mobile outbound"),
        (INTERNATIONAL, "user_calling.international_destinations[1]", "IN landline outbound"),
        (PRICED_STREAM, "streams[0]", "US geographic inbound"),
    ],
)
def test_missing_rate_names_the_key_path_table_and_key(
    tmp_path: Path, section: str, key_path: str, rate_key: str
) -> None:
    problem = only_problem(tmp_path, HEAD + section)
    assert problem.startswith(f"{key_path}: needs a rate for {rate_key}")
    assert str(tmp_path / "rates" / "sample-usd.csv") in problem


def test_toll_dial_ins_need_no_rate(tmp_path: Path) -> None:
    text = HEAD + MEETING + "toll_free_share = 0\n"
    assert load_scenario(write(tmp_path, text)).scenario.meetings is not None


def test_required_rates_maps_each_lookup_to_the_first_key_path_needing_it() -> None:
    text = HEAD + MEETING + "[user_calling]\nper_user_per_day = 1\n" + BIG + PRICED_STREAM
    needs = required_rates(parse_scenario(text, Path("s.toml")))
    assert needs == {
        ("US", "toll_free", "inbound"): "meetings.dial_in_countries.US",
        ("JP", "toll_free", "inbound"): "meetings.dial_in_countries.JP",
        ("DE", "toll_free", "inbound"): "big_meetings[0].dial_in_countries.DE",
        ("US", "landline", "outbound"): "user_calling.domestic_number_types.landline",
        ("US", "geographic", "inbound"): "streams[0]",
    }


def test_named_rate_table_that_is_missing(tmp_path: Path) -> None:
    text = HEAD + STREAM + '[rates]\ntable = "no/such.csv"\n'
    problem = only_problem(tmp_path, text, rates=None)
    assert problem.startswith("rates.table: cannot read the rate table 'no/such.csv'")


def test_default_rate_table_missing_when_rates_are_needed(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, HEAD + MEETING, rates=None)
    assert problem.startswith("rates.table: cannot read the rate table 'rates/sample-usd.csv'")


def test_bad_rate_table_row_is_reported_in_the_table(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + STREAM, rates=RATES + "JP,mobile,outward,0.1,,USD\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    error = caught.value
    assert (error.source, error.line, error.column) == (
        str(tmp_path / "rates" / "sample-usd.csv"),
        6,
        "direction",
    )


def test_a_scenario_in_another_currency_than_its_table_is_refused(tmp_path: Path) -> None:
    text = HEAD + 'currency = "GBP"\n[user_calling]\nper_user_per_day = 1\n'
    error = error_of(tmp_path, text)
    assert error.source == str(tmp_path / "scenario.toml")
    table = tmp_path / "rates" / "sample-usd.csv"
    assert error.message.startswith(
        f"scenario.currency is GBP but its rate table {table} is in USD"
    )


def test_the_default_table_a_scenario_never_consults_is_not_held_against_it(
    tmp_path: Path,
) -> None:
    loaded = load_scenario(write(tmp_path, HEAD + 'currency = "JPY"\n' + STREAM))
    assert (loaded.scenario.scenario.currency, loaded.rates.currency) == ("JPY", "USD")
    named = HEAD + 'currency = "JPY"\n' + STREAM + '[rates]\ntable = "rates/sample-usd.csv"\n'
    assert "is in USD" in error_of(tmp_path, named).message


def test_an_edited_scenario_is_checked_against_its_table_currency(tmp_path: Path) -> None:
    base = load_scenario(write(tmp_path, HEAD + "[user_calling]\nper_user_per_day = 1\n"))
    info = base.scenario.scenario.model_copy(update={"currency": "EUR"})
    edited = base.scenario.model_copy(update={"scenario": info})
    with pytest.raises(InputError, match=r"scenario\.currency is EUR but .* is in USD"):
        checked(edited, base, "dashboard edit")


def test_a_stream_rate_finer_than_rating_holds_is_refused_in_its_currency(
    tmp_path: Path,
) -> None:
    yen = HEAD + 'currency = "JPY"\n' + STREAM.replace("rate_per_min = 0.05", "rate_per_min = 1.5")
    fine = yen.replace("rate_per_min = 1.5", "rate_per_min = 1.000001")
    assert load_scenario(write(tmp_path, fine, rates=None)).scenario.streams[0].rate_per_min
    finer = yen.replace("rate_per_min = 1.5", "rate_per_min = 1.0000001")
    assert only_problem(tmp_path, finer, rates=None) == (
        "streams[0].rate_per_min: 1.0000001 has more than 6 decimal places, the finest rate JPY "
        "allows (RATE_SUBMINOR_DIGITS in sim/limits.py)"
    )
