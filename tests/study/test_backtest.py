"""Recording: a file read once, its window, and the account of every row."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.account.clock import MICROS_PER_HOUR
from sim.account.policy import AutoRecharge, Policy
from sim.errors import InputError
from sim.study.backtest import SHORT_WINDOW, Recording
from tests.strategies import at

HEADER = "start,end,service,charge\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_an_unsorted_file_is_replayed_in_stream_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2025-01-02T10:00:00Z,2025-01-02T10:10:00Z,dial_out,3.00\n"
        "2025-01-01T10:00:00Z,2025-01-01T10:10:00Z,dial_out,8.00\n",
    )
    with Recording(path) as recording:
        assert (recording.first_start, recording.last_end) == (
            at("2025-01-01T10:00"),
            at("2025-01-02T10:10"),
        )
        result = recording.backtest(Policy(1000, AutoRecharge(500, 1000)))
    # 10.00 - 8.00 = 2.00 < 5.00 on day 1 triggers the recharge before the 3.00 call
    assert result.outcome.recharges == 1 and result.outcome.final_balance_minor == 900


def test_calls_partly_outside_the_window_are_counted_not_replayed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2025-01-01T10:00:00Z,2025-01-01T10:10:00Z,dial_out,1.00\n"
        "2025-01-01T11:55:00Z,2025-01-01T12:05:00Z,dial_out,1.00\n"
        "2025-01-01T13:00:00Z,2025-01-01T13:10:00Z,dial_out,1.00\n",
    )
    with Recording(path) as recording:
        spec = recording.run_spec(start=at("2025-01-01T09:00"), end=at("2025-01-01T12:00"))
        result = recording.backtest(Policy(1000), spec)
    assert (result.rows.rows, result.rows.replayed, result.rows.outside_window) == (3, 1, 2)
    assert result.outcome.consumed_minor == 100


def test_a_file_without_calls_needs_an_explicit_window(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with Recording(path) as recording:
        with pytest.raises(InputError, match="no calls; give --start and --end"):
            recording.backtest(Policy(0))
        spec = recording.run_spec(start=at("2025-01-01"), end=at("2025-01-02"))
        result = recording.backtest(Policy(0), spec)
    assert result.outcome.outage_us == 24 * MICROS_PER_HOUR


def test_a_short_window_warns_and_reports_its_open_lots_and_their_projected_forfeit(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "2025-01-01T10:00:00Z,2025-01-01T10:10:00Z,dial_out,3.00\n"
        "2025-01-31T10:00:00Z,2025-01-31T10:10:00Z,dial_out,3.00\n",
    )
    with Recording(path) as recording:
        result = recording.backtest(Policy(10_00))
    assert result.short_window
    document = result.to_dict()
    assert document["warnings"] == [SHORT_WINDOW]
    assert document["open_lots"] == [
        {"purchased": "2025-01-01T10:00:00Z", "remaining": 4.0, "expires": "2026-01-01T10:00:00Z"}
    ]
    # 6.00 in 30 days: 0.20 a day for the 335 days to the expiry spends all 4.00 of it
    assert document["forfeit_projection"]["total"] == 0
    assert document["forfeit_projection"]["lots"][0]["forfeited"] == 0


def test_a_window_of_a_year_or_more_gives_no_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2025-01-01T10:00:00Z,2025-01-01T10:10:00Z,dial_out,3.00\n"
        "2026-01-01T10:00:00Z,2026-01-01T10:10:00Z,dial_out,3.00\n",
    )
    with Recording(path) as recording:
        result = recording.backtest(Policy(10_00))
    assert not result.short_window and result.to_dict()["warnings"] == []
    assert result.outcome.forfeited_minor == 7_00 and result.forfeits.lots == ()
