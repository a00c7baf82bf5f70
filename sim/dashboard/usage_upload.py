"""An uploaded usage report, replayed under a few policies through the CLI's own reader.

Why a module of its own: the Backtest view takes every format ``credsim
backtest`` reads (stream, Teams, Skype, Direct Routing, Graph JSON and CSV, the
admin-center export zip, Excel re-saved dates), so the upload is written to a
scratch file under its own name and opened by ``sim.study.backtest.Recording``,
exactly as the command opens a path: there is no second parser to drift. What
differs is the knob a message names: the CLI's ``--date-order`` is the view's
"Date order" choice, and the size limit is the upload's (the CLI streams any size).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from sim import limits
from sim.account.ledger import JournalEntry
from sim.account.money import Currency, major_to_minor
from sim.account.policy import AutoRecharge, Policy
from sim.calls.excel_dates import DATE_ORDER_KNOB, DateOrder
from sim.errors import InputError
from sim.study.backtest import Backtest, Recording, RowAccount
from sim.study.experiment import Levers
from sim.views.summary import capability_lines

MAX_REPORT_BYTES = limits.USAGE_UPLOAD_MAX_BYTES
REPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".zip", ".json")
"""What the uploader offers: every kind of file ``credsim backtest`` reads."""
DATE_ORDERS: dict[str, DateOrder | None] = {
    "Auto": None,
    "Day first": DateOrder.DMY,
    "Month first": DateOrder.MDY,
}
"""The view's "Date order" choice: the CLI's ``--date-order`` (absent, ``dmy``, ``mdy``)."""
DATE_ORDER_CHOICE = 'choose "Day first" or "Month first" under "Date order"'


def backtest_upload(
    data: bytes,
    name: str,
    levers: Sequence[Levers],
    check: Callable[[], None] | None = None,
    date_order: DateOrder | None = None,
) -> list[tuple[Levers, Backtest, list[JournalEntry]]]:
    """Replay an uploaded usage report (size-limited) under several policies.

    Amounts are in the file's currency, known once the file is read; each
    policy's journal comes back too. ``check`` (a budget) is called before each
    policy; ``date_order`` reads Excel's slashed dates (None: found in the file).
    """
    check_upload(data, name)
    with tempfile.TemporaryDirectory(prefix="credsim-upload-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        results = []
        try:
            with Recording(path, date_order=date_order) as recording:
                for item in levers:
                    if check is not None:
                        check()
                    policy = _plain_policy(item, recording.currency)
                    journal: list[JournalEntry] = []
                    backtest = recording.backtest(policy, on_entry=journal.append)
                    results.append((item, backtest, journal))
        except InputError as error:  # name the upload, not the scratch file; the view's knob
            message = error.message.replace(str(path), name)
            message = message.replace(DATE_ORDER_KNOB, DATE_ORDER_CHOICE)
            source = name if error.source is None else str(error.source).replace(str(path), name)
            raise InputError(message, source=source, line=error.line, column=error.column) from None
        return results


def check_upload(data: bytes, name: str) -> None:
    """The upload's size and kind, before anything is written or read."""
    if len(data) > MAX_REPORT_BYTES:
        raise InputError(
            f"the upload is {len(data):,} bytes; the dashboard takes at most {MAX_REPORT_BYTES:,}"
            " (USAGE_UPLOAD_MAX_BYTES in sim/limits.py); `credsim backtest` reads any size",
            source=name,
        )
    suffix = Path(name).suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        kinds = ", ".join(REPORT_SUFFIXES)
        raise InputError(f"upload a usage report ({kinds}), not {suffix or 'this file'}")


def _plain_policy(levers: Levers, cur: Currency) -> Policy:
    """Initial balance and auto-recharge in the file's currency (what a backtest varies)."""
    try:
        auto = None
        if levers.trigger is not None and levers.amount is not None:
            auto = AutoRecharge(
                major_to_minor(levers.trigger, cur), major_to_minor(levers.amount, cur)
            )
        return Policy(major_to_minor(levers.initial, cur), auto)
    except ValueError as error:
        raise InputError(f"policy {levers.label()}: {error}") from None


def rows_table(rows: RowAccount) -> pd.DataFrame:
    """Where every row of the upload went, one line each (the CLI's ``Rows:`` and JSON ``rows``).

    Rows not paid from credits are listed by reason (``calling_plan``,
    ``audio_conferencing``, ``direct_routing``, ``zero_charge``...), as in
    ``credsim backtest --json``; duplicates and charged Calling Plan rows only when found.
    """
    lines: list[tuple[str, int]] = [
        ("read", rows.rows),
        ("replayed", rows.replayed),
        ("outside the window", rows.outside_window),
    ]
    lines += [(f"not credit-billed: {why}", n) for why, n in sorted(rows.not_credit_billed.items())]
    if rows.duplicates:
        lines.append(("duplicates (repeat a billed leg)", rows.duplicates))
        lines.append(("duplicates dropped", rows.duplicates_dropped))
    if rows.charged_under_plan:
        lines.append(("charged under a Calling Plan (billed; warning)", rows.charged_under_plan))
    return pd.DataFrame({"rows": [n for _, n in lines]}, index=[what for what, _ in lines])


def row_warnings(rows: RowAccount) -> list[str]:
    """The CLI's warning about charged rows under a Calling Plan licence, word for word."""
    return [line.removeprefix("WARNING: ") for line in capability_lines(rows)]
