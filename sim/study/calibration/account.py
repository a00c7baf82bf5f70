"""The account held when a fitted scenario starts: ``--balance`` or ``--lots`` at its start.

Why here: ``credsim calibrate``, ``credsim plan`` and the dashboard's "Your
tenant" all take the balance today as one lot or a file of lots, and all must
date it the same way: at the fitted scenario's start (local midnight after the
data's last day, ``scenario_start``), which only the calibration knows.
"""

from __future__ import annotations

from pathlib import Path

from sim.account.clock import to_instant
from sim.account.opening import Opening
from sim.errors import InputError
from sim.study.calibration.fit import RecordsLike, scenario_start
from sim.world.opening import read_lots_csv


def opening_at_start(
    records: RecordsLike,
    *,
    timezone: str | None = None,
    country: str | None = None,
    balance_minor: int | None = None,
    lots: Path | None = None,
) -> Opening | None:
    """One lot of ``balance_minor`` bought at the start, or the lots file; neither: None.

    InputError (one line) when both are given, the balance is not positive, or a
    lot in the file is refused (expired by the start, bought after it, ...).
    """
    if balance_minor is not None and lots is not None:
        raise InputError("give the balance today or the lots held, not both")
    if balance_minor is None and lots is None:
        return None
    start = scenario_start(records, timezone=timezone, country=country)
    at_us = to_instant(start)
    if lots is not None:
        return read_lots_csv(lots, records.currency, timezone=str(start.tzinfo), start=at_us)
    assert balance_minor is not None
    if balance_minor <= 0:
        raise InputError("the balance today must be > 0 (leave it out for an empty account)")
    return Opening.single(balance_minor, at_us)
