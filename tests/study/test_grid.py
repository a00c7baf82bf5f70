"""The sweep's policy grid: exact decimal lists and ranges, clear errors, run-identical levers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli.commands import main
from sim.study.experiment import scenario_levers, with_overrides
from sim.study.grid import MAX_VALUES, Grid, default_grid, parse_values
from sim.world.load import load_scenario
from tests.paths import ROOT

POISSON = ROOT / "scenarios" / "checks" / "poisson-manual.toml"
SMALL = ROOT / "scenarios" / "small-team.toml"


def decimals(*texts: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(text) for text in texts)


def test_a_list_is_sorted_and_each_value_kept_once() -> None:
    assert parse_values("300, 100,200,100.00") == decimals("100", "200", "300")


def test_a_range_includes_stop_when_it_lands_on_the_grid() -> None:
    values = parse_values("100:1000:100")
    assert len(values) == 10 and values[0] == 100 and values[-1] == 1000
    assert parse_values("100:950:300") == decimals("100", "400", "700")
    assert parse_values("100:100:7") == decimals("100")


def test_whole_numbers_are_read_as_plain_integers() -> None:
    assert [str(value) for value in parse_values("1E3,1000.0,12.50")] == ["12.50", "1000"]


def test_a_decimal_range_is_exact() -> None:
    values = parse_values("0.1:0.3:0.1")
    assert values == decimals("0.1", "0.2", "0.3")
    assert [str(value) for value in values] == ["0.1", "0.2", "0.3"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("100:50:10", "STOP (50) is below START (100)"),
        ("abc", "'abc' is not a decimal number"),
        ("", "the value is empty"),
        ("  ", "the value is empty"),
        ("100,,200", "'' is not a decimal number"),
        ("-5", "'-5' must be a number >= 0"),
        ("NaN", "'NaN' must be a number >= 0"),
        ("100:200", "must be START:STOP:STEP"),
        ("100:200:0", "STEP must be > 0"),
        (f"0:{MAX_VALUES}:1", "has 10,001 values; at most 10,000 are allowed"),
    ],
)
def test_bad_values_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_values(text)


def test_amounts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        parse_values("0,100", positive=True)
    assert parse_values("0,100") == decimals("0", "100")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--triggers", "100:50:10", "'100:50:10': STOP (50) is below START (100)"),
        ("--triggers", "abc", "'abc' is not a decimal number"),
        ("--amounts", "", "the value is empty"),
        ("--amounts", "0:100:50", "0 must be > 0"),
        ("--initials", "x:1:1", "'x' is not a decimal number"),
    ],
)
def test_the_cli_refuses_a_bad_grid_with_exit_2(
    option: str, value: str, message: str, tmp_path: Path
) -> None:
    args = {"--triggers": "50", "--amounts": "100", option: value}
    flat = [item for pair in args.items() for item in pair]
    result = CliRunner().invoke(
        main, ["sweep", str(POISSON), *flat, "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_cli_refuses_grid_values_finer_than_the_currency(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["sweep", str(POISSON), "--triggers", "50.001", "--amounts", "100",
         "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("credsim: error: policy: trigger:")
    assert "Traceback" not in result.output


def test_the_grid_nests_trigger_then_amount_then_initial_like_run_overrides() -> None:
    scenario = load_scenario(POISSON).scenario
    grid = Grid(decimals("50", "100"), decimals("200", "300"), decimals("1000"))
    levers = grid.levers(scenario_levers(scenario))
    assert len(grid) == 4
    assert [item.label() for item in levers] == [
        "T50/A200/I1000", "T50/A300/I1000", "T100/A200/I1000", "T100/A300/I1000",
    ]  # fmt: skip
    base = scenario_levers(scenario)
    assert levers[1] == with_overrides(
        base, trigger=Decimal(50), amount=Decimal(300), initial=Decimal(1000)
    )
    assert grid.to_dict() == {
        "triggers": ["50", "100"], "amounts": ["200", "300"], "initials": ["1000"],
    }  # fmt: skip


def test_an_empty_axis_or_a_zero_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="triggers must not be empty"):
        Grid((), decimals("100"), decimals("0"))
    with pytest.raises(ValueError, match="amounts must be > 0"):
        Grid(decimals("0"), decimals("0"), decimals("0"))


def test_the_default_grid_surrounds_the_scenarios_policy_within_the_portal() -> None:
    grid = default_grid(load_scenario(SMALL).scenario)  # trigger 50, amount 200, initial 200
    assert grid.triggers == (Decimal(50), Decimal(100), Decimal(200))  # 12.5 and 25: raised to 50
    assert grid.amounts == tuple(Decimal(v) for v in (50, 100, 200, 400, 800))
    assert grid.initials == (Decimal(200),)
    midsize = default_grid(load_scenario(ROOT / "scenarios" / "midsize.toml").scenario)
    assert midsize.triggers == tuple(Decimal(v) for v in (100, 200, 400, 800, 1600))


def test_the_default_grid_follows_the_currencys_portal_minimums() -> None:
    small = load_scenario(SMALL).scenario
    info = small.scenario.model_copy(update={"currency": "JPY"})
    policy = small.policy.model_copy(update={"trigger": Decimal(4000), "amount": Decimal(8000)})
    grid = default_grid(small.model_copy(update={"scenario": info, "policy": policy}))
    assert grid.triggers == tuple(Decimal(v) for v in (4000, 5000, 8000, 16000))  # not 50
    assert grid.amounts == tuple(Decimal(v) for v in (5000, 8000, 16000, 32000))
