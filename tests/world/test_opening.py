"""``[opening]`` and the ``--lots`` file: parsed, checked against the start, converted exactly."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sim.account.money import currency
from sim.account.opening import Opening
from sim.errors import InputError
from sim.limits import OPENING_LOTS_MAX
from sim.study.experiment import run_spec
from sim.world.load import load_scenario
from sim.world.opening import from_opening, opening_text, read_lots_csv, to_opening
from tests.paths import TINY
from tests.strategies import at

USD = currency("USD")
START = at("2027-01-01")  # the tiny scenario's start
OPENING = """
[opening]
lots = [
    { purchased = 2026-03-15, remaining = 420.50 },
    { purchased = 2026-11-20T14:05:00Z, remaining = 500 },
]
pending_recharge = { at = 2027-01-01T15:00:00Z, amount = 100 }
"""


def with_opening(tmp_path: Path, *edits: tuple[str, str], zone: str = "UTC") -> Path:
    """The tiny scenario in ``zone`` with ``OPENING`` appended, each (old, new) replaced once."""
    text = TINY.read_text(encoding="utf-8").replace('timezone = "UTC"', f'timezone = "{zone}"')
    text += OPENING
    for old, new in edits:
        text = text.replace(old, new, 1)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_date_is_local_midnight_and_a_datetime_is_itself(tmp_path: Path) -> None:
    spec = run_spec(load_scenario(with_opening(tmp_path, zone="Asia/Tokyo")).scenario)
    assert spec.opening == Opening(
        ((at("2026-03-14 15:00"), 420_50), (at("2026-11-20 14:05"), 500_00)),
        (at("2027-01-01 15:00"), 100_00),
    )  # 2026-03-15 00:00 in Tokyo is 15:00 UTC the day before


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("420.50", "420.505", "opening.lots[0].remaining: 420.505 has more decimal places"),
        ("2026-03-15", "2025-12-31", "opening.lots[0]: purchased 2025-12-31T00:00:00Z expired"),
        ("2026-11-20T14:05:00Z", "2027-01-02T00:00:00Z", "opening.lots[1]: purchased 2027-01-02"),
        ("2027-01-01T15:00:00Z", "2026-12-31T00:00:00Z", "opening.pending_recharge: at 2026-12-31"),
        ("2027-01-01T15:00:00Z", "2027-05-01T00:00:00Z", "after the run's end"),
        ("amount = 100 }", "amount = 0 }", "opening.pending_recharge.amount"),
        ("remaining = 500", "remaining = -1", "opening.lots[1].remaining"),
        ("2026-11-20T14:05:00Z", "2026-11-20T14:05:00", "needs a UTC offset"),
        ("remaining = 500", "remaining = 1e13", "MONEY_MAX_MINOR"),
        ("remaining = 500", "left = 500", "left"),
    ],
)
def test_a_bad_opening_is_refused_naming_the_key(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    path = with_opening(tmp_path, (old, new))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert says in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_the_section_and_the_model_round_trip_exactly() -> None:
    held = Opening(((at("2026-03-15 09:30"), 420_50),), (at("2027-01-02"), 1))
    settings = from_opening(held, USD)
    assert to_opening(settings, ZoneInfo("UTC"), USD) == held
    assert to_opening(None, ZoneInfo("UTC"), USD) == Opening()


def test_the_text_names_the_balance_the_lots_and_their_expiry() -> None:
    assert opening_text(Opening.single(800_00, at("2026-12-01")), USD) == (
        "opening balance: $800.00 in 1 lot (expires 2027-12-01)"
    )
    assert opening_text(Opening(), USD) is None


def lots_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "lots.csv"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_lots_file_reads_dates_and_datetimes(tmp_path: Path) -> None:
    path = lots_file(
        tmp_path, "purchased,remaining\n2026-03-15,420.50\n\n2026-11-20T14:05:00Z,500\n"
    )
    assert read_lots_csv(path, USD, timezone="UTC", start=START) == Opening(
        ((at("2026-03-15"), 420_50), (at("2026-11-20 14:05"), 500_00))
    )


@pytest.mark.parametrize(
    ("body", "where", "says"),
    [
        ("when,amount\n2026-03-15,1\n", ":1:", "header purchased,remaining"),
        ("", ":1:", "header"),
        ("purchased,remaining\n2026-03-15,1,2\n", ":2:", "expected 2 fields"),
        ("purchased,remaining\nyesterday,1\n", ":2:", "column 'purchased'"),
        ("purchased,remaining\n2026-03-15T10:00,1\n", ":2:", "needs a UTC offset"),
        ("purchased,remaining\n2026-03-15,0\n", ":2:", "must be > 0"),
        ("purchased,remaining\n2026-03-15,1.001\n", ":2:", "whole USD minor units"),
        ("purchased,remaining\n2026-03-15,lots\n", ":2:", "column 'remaining'"),
        ("purchased,remaining\n2026-03-15,1\n2025-06-01,1\n", ":3:", "expired 2026-06-01"),
        ("purchased,remaining\n2027-02-01,1\n", ":2:", "after the start"),
    ],
)
def test_a_bad_lots_file_is_refused_at_its_line(
    tmp_path: Path, body: str, where: str, says: str
) -> None:
    path = lots_file(tmp_path, body)
    with pytest.raises(InputError) as caught:
        read_lots_csv(path, USD, start=START)
    message = str(caught.value)
    assert message.startswith(f"{path}{where}") and says in message


def test_a_lots_file_with_too_many_lots_names_the_limit(tmp_path: Path) -> None:
    path = lots_file(tmp_path, "purchased,remaining\n" + "2026-12-01,1\n" * (OPENING_LOTS_MAX + 1))
    with pytest.raises(InputError, match="OPENING_LOTS_MAX"):
        read_lots_csv(path, USD)


def test_an_opening_beyond_the_supported_dates_leaves_the_date_problem_to_the_bounds(
    tmp_path: Path,
) -> None:
    path = with_opening(tmp_path, ('"2027-01-01T00:00:00Z"', '"9998-06-01T00:00:00Z"'))
    with pytest.raises(InputError, match=r"scenario.start: 9998-06-01 is outside"):
        load_scenario(path)
