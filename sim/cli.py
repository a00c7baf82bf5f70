"""``credsim``: the command line. Thin on purpose: parse, call ``sim``, print.

Bad input of any kind (a file, a row, an option) ends with one line on stderr
naming what is wrong and where, and exit status 2; never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from sim import __version__
from sim.backtest import Recording
from sim.clock import MICROS_PER_HOUR, MICROS_PER_MINUTE, Instant, parse_instant, span
from sim.errors import InputError
from sim.journal_csv import journal_writer
from sim.ledger import JournalSink
from sim.money import Currency, major_to_minor
from sim.payments import CardExpiry, Payments
from sim.policy import PORTAL_MIN_TRIGGER_MAJOR, AutoRecharge, ManualTopUp, Policy, ScheduledTopUp
from sim.summary import backtest_text, policy_text

T = TypeVar("T")
EXAMPLE_TRIGGER = Decimal(400)
EXAMPLE_AMOUNT = Decimal(1000)
EXAMPLE_INITIAL = Decimal(1000)


class BadInput(click.ClickException):
    """One line on stderr and exit status 2, the same status as usage errors."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"credsim: error: {self.format_message()}", err=True, file=file)


class DecimalType(click.ParamType):
    """A decimal number >= 0, e.g. ``400`` or ``12.50``; never a float."""

    def __init__(self, name: str) -> None:
        self.name = name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Decimal):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{value!r} is not a decimal number", param, ctx)
        if not number.is_finite() or number < 0:
            self.fail(f"{value!r} must be a number >= 0", param, ctx)
        return number


class InstantType(click.ParamType):
    """An ISO 8601 date or timestamp; without an offset it is UTC."""

    name = "ISO"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        try:
            return parse_instant(str(value), naive_is_utc=True)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or timestamp", param, ctx)


class CardWindowType(click.ParamType):
    """``FROM/UNTIL``: the card is expired from FROM until renewed at UNTIL (``FROM/``: never)."""

    name = "FROM/UNTIL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, CardExpiry):
            return value
        text = str(value)
        if text.count("/") != 1:
            self.fail(f"{text!r} must be FROM/UNTIL, e.g. 2025-03-01/2025-03-15", param, ctx)
        first, second = text.split("/")
        expired = ISO.convert(first, param, ctx)
        renewed = ISO.convert(second, param, ctx) if second.strip() else None
        try:
            return CardExpiry(expired, renewed)
        except ValueError:
            self.fail(f"{text!r}: UNTIL must come after FROM", param, ctx)


AMOUNT = DecimalType("AMOUNT")
MINUTES = DecimalType("MINUTES")
HOURS = DecimalType("HOURS")
ISO = InstantType()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="credsim")
def main() -> None:
    """Simulate prepaid Communications Credits and choose auto-recharge settings."""


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
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
    as_json: bool,
) -> None:
    """Replay a recorded call FILE under one policy.

    FILE is a canonical stream CSV (start,end,service,charge), a Teams PSTN
    usage report or a Skype for Business PSTN report; the format is detected.
    Amounts are in the file's currency. Without --trigger/--amount the
    documented example applies: trigger 400, amount 1,000, initial 1,000.
    """
    auto = _auto_amounts(trigger, amount, no_auto_recharge)
    if auto is not None and auto[0] < PORTAL_MIN_TRIGGER_MAJOR:
        click.echo(
            f"credsim: warning: trigger {auto[0]} is below the admin portal's minimum of "
            f"{PORTAL_MIN_TRIGGER_MAJOR}; the portal would refuse it",
            err=True,
        )

    payments = _build(
        "payments",
        lambda: Payments(
            processing_delay=span(recharge_delay_min, MICROS_PER_MINUTE),
            admin_fix_delay=span(admin_fix_delay_h, MICROS_PER_HOUR),
            card_expiries=card_expired,
        ),
    )
    with _bad_input(), Recording(file, currency_code=currency_code) as recording:
        cur = recording.currency
        run_start, _ = recording.window(start, end)
        policy = _policy(cur, initial, auto, manual_topup, manual_delay_h, monthly_topup, run_start)
        with _journal(journal, cur) as sink:
            result = recording.backtest(
                policy, payments=payments, start=start, end=end, on_entry=sink
            )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
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
            return major_to_minor(value, cur)
        except ValueError as error:
            raise InputError(f"{option}: {error}") from None

    return _build(
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


def _build(what: str, factory: Callable[[], T]) -> T:
    """Run a constructor whose validation raises ValueError; report it as bad input."""
    try:
        return factory()
    except ValueError as error:
        raise BadInput(f"{what}: {error}") from None


@contextmanager
def _bad_input() -> Iterator[None]:
    """Turn InputError (and unreadable files) into one line and exit status 2."""
    try:
        yield
    except InputError as error:
        raise BadInput(str(error)) from None
    except OSError as error:
        raise BadInput(f"{error.filename or ''}: {error.strerror or error}") from None


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
