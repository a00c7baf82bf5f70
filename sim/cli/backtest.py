"""``credsim backtest``: replay a recorded usage file under one policy.

Kept apart from ``sim/cli/commands.py`` (which registers it on the ``credsim``
group), thin like the rest of the CLI; the usage files are read by
``sim.study.backtest``, loaded only when the command runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import click

from sim.account.clock import MICROS_PER_HOUR, MICROS_PER_MINUTE, Instant, span
from sim.account.ledger import JournalSink
from sim.account.money import Currency, major_to_minor
from sim.account.payments import CardExpiry, Payments
from sim.account.policy import AutoRecharge, ManualTopUp, Policy, ScheduledTopUp
from sim.account.portal import findings
from sim.calls.excel_dates import DateOrder
from sim.calls.journal_csv import journal_writer
from sim.cli.options import (
    AMOUNT,
    CALLS,
    HOURS,
    ISO,
    MINUTES,
    BadInput,
    CardWindowType,
    bad_input,
    build,
    portal,
    strict_option,
)
from sim.errors import InputError
from sim.limits import check_minor
from sim.study.experiment import EXAMPLE_AMOUNT, EXAMPLE_INITIAL, EXAMPLE_TRIGGER


@click.command()
@click.argument("file", type=CALLS)
@click.option("--trigger", type=AMOUNT, help="Recharge when the balance is below this [400].")
@click.option("--amount", type=AMOUNT, help="Amount bought by each auto-recharge [1000].")
@click.option("--no-auto-recharge", is_flag=True, help="Switch auto-recharge off.")
@click.option(
    "--initial",
    type=AMOUNT,
    default=EXAMPLE_INITIAL,
    show_default=True,
    help="Balance bought at --start.",
)
@click.option("--start", type=ISO, help="Run start and initial purchase [earliest call start].")
@click.option("--end", type=ISO, help="Run end [latest call end].")
@click.option(
    "--recharge-delay-min",
    type=MINUTES,
    default=Decimal(0),
    show_default=True,
    help="Minutes from a recharge request to its completion.",
)
@click.option(
    "--card-expired",
    type=CardWindowType(),
    multiple=True,
    help="Card unusable FROM/UNTIL (repeatable); recharges then fail.",
)
@click.option(
    "--admin-fix-delay-h",
    type=HOURS,
    default=Decimal(0),
    show_default=True,
    help="Hours for the admin to fix payment after a failure email.",
)
@click.option("--manual-topup", type=AMOUNT, help="Admin adds this after each below-zero email.")
@click.option(
    "--manual-delay-h",
    type=HOURS,
    default=Decimal(24),
    show_default=True,
    help="Hours the admin takes to react to a below-zero email.",
)
@click.option(
    "--monthly-topup", type=AMOUNT, help="Scheduled top-up on the 1st of each month, 00:00 UTC."
)
@click.option(
    "--currency", "currency_code", help="Currency of a stream file that names none [USD]."
)
@click.option(
    "--journal",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write every journal entry to this CSV.",
)
@click.option(
    "--keep-duplicates",
    is_flag=True,
    help="Bill rows that repeat a billed leg (same Call ID, user, type, start, charge) "
    "as written; by default each is counted once.",
)
@click.option(
    "--date-order",
    type=click.Choice([order.value for order in DateOrder]),
    help="Day or month first in dates re-saved by Excel (03/04/2024 15:00) when the file "
    "cannot tell [detected].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@strict_option
def backtest(
    file: Path,
    trigger: Decimal | None,
    amount: Decimal | None,
    no_auto_recharge: bool,
    initial: Decimal,
    start: Instant | None,
    end: Instant | None,
    recharge_delay_min: Decimal,
    card_expired: tuple[CardExpiry, ...],
    admin_fix_delay_h: Decimal,
    manual_topup: Decimal | None,
    manual_delay_h: Decimal,
    monthly_topup: Decimal | None,
    currency_code: str | None,
    journal: Path | None,
    keep_duplicates: bool,
    date_order: str | None,
    as_json: bool,
    strict: bool,
) -> None:
    """Replay a recorded call FILE under one policy.

    FILE is a canonical stream CSV (start,end,service,charge), a Teams PSTN
    usage report, a Direct Routing report, the admin center's export zip, a
    Skype for Business PSTN report, or Graph's PSTN call log (CSV, or JSON as
    `credsim fetch` writes it); the format is detected (or a bundled example:
    calls, walkthrough, teams-pstn-report).
    Amounts are in the file's currency. Without --trigger/--amount the
    documented example applies: trigger 400, amount 1,000, initial 1,000.
    """
    # Reading usage files and describing the result: loaded when the command runs.
    from sim.study.backtest import Recording  # noqa: PLC0415  (numpy)
    from sim.views.scenario_text import policy_text  # noqa: PLC0415  (pydantic)
    from sim.views.summary import backtest_text  # noqa: PLC0415  (scipy, pandas)

    auto = _auto_amounts(trigger, amount, no_auto_recharge)
    payments = build(
        "payments",
        lambda: Payments(
            processing_delay=span(recharge_delay_min, MICROS_PER_MINUTE),
            admin_fix_delay=span(admin_fix_delay_h, MICROS_PER_HOUR),
            card_expiries=card_expired,
        ),
    )
    with (
        bad_input(),
        Recording(
            file,
            currency_code=currency_code,
            keep_duplicates=keep_duplicates,
            date_order=None if date_order is None else DateOrder(date_order),
        ) as recording,
    ):
        cur = recording.currency
        levers = dict(trigger=auto[0], amount=auto[1]) if auto else {}
        found = findings(cur.code, **levers, initial=initial, manual_top_up=manual_topup,
                         monthly_top_up=monthly_topup)  # fmt: skip
        portal([item.message() for item in found], strict=strict)
        spec = recording.run_spec(payments, start=start, end=end)
        run_start = spec.start
        policy = _policy(cur, initial, auto, manual_topup, manual_delay_h, monthly_topup, run_start)
        with _journal(journal, cur) as sink:
            result = recording.backtest(policy, spec, on_entry=sink)
    if as_json:
        shown = {**result.to_dict(), "portal": [item.to_dict() for item in found]}
        click.echo(json.dumps(shown, indent=2))
    else:
        click.echo(backtest_text(file, result, policy_text(policy, cur)))


def _auto_amounts(
    trigger: Decimal | None, amount: Decimal | None, off: bool
) -> tuple[Decimal, Decimal] | None:
    """The (trigger, amount) pair in major units, or None with auto-recharge off."""
    if off:
        if trigger is not None or amount is not None:
            raise click.UsageError("--no-auto-recharge cannot be combined with --trigger/--amount")
        return None
    if (trigger is None) != (amount is None):
        raise click.UsageError("--trigger and --amount go together (or use --no-auto-recharge)")
    if trigger is None or amount is None:
        return EXAMPLE_TRIGGER, EXAMPLE_AMOUNT
    return trigger, amount


def _policy(
    cur: Currency,
    initial: Decimal,
    auto: tuple[Decimal, Decimal] | None,
    manual_topup: Decimal | None,
    manual_delay_h: Decimal,
    monthly_topup: Decimal | None,
    start: Instant,
) -> Policy:
    """Build the Policy once the currency is known (amounts become minor units)."""

    def minor(value: Decimal, option: str) -> int:
        try:
            amount_minor = major_to_minor(value, cur)
        except ValueError as error:
            raise InputError(f"{option}: {error}") from None
        return check_minor(amount_minor, f"{option} {value}")

    return build(
        "policy",
        lambda: Policy(
            initial_minor=minor(initial, "--initial"),
            auto=None
            if auto is None
            else AutoRecharge(minor(auto[0], "--trigger"), minor(auto[1], "--amount")),
            manual=None
            if manual_topup is None
            else ManualTopUp(
                minor(manual_topup, "--manual-topup"),
                span(manual_delay_h, MICROS_PER_HOUR),
            ),
            scheduled=()
            if monthly_topup is None
            else (ScheduledTopUp.monthly(minor(monthly_topup, "--monthly-topup"), start),),
        ),
    )


@contextmanager
def _journal(path: Path | None, cur: Currency) -> Iterator[JournalSink | None]:
    """A CSV journal sink when ``--journal`` is given, else nothing."""
    if path is None:
        yield None
        return
    try:
        handle = path.open("w", newline="", encoding="utf-8")
    except OSError as error:
        raise BadInput(f"{path}: cannot write the journal: {error.strerror}") from None
    with handle:
        yield journal_writer(handle, cur)
