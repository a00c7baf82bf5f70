"""Shared pieces of the command line: option types and the bad-input error.

Amounts are Decimals (never floats), instants are integer microseconds, and
any bad input becomes ``BadInput``: one line on stderr and exit status 2.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from sim import limits
from sim.account.clock import SUPPORTED_DATES, parse_instant, supported, to_instant
from sim.account.money import currency, major_to_minor
from sim.account.opening import Opening
from sim.account.payments import CardExpiry
from sim.engines.batch import DEFAULT_ENGINE, ENGINE_NAMES
from sim.errors import InputError
from sim.study.experiment import Levers, portal_findings, regression_levers, scenario_levers
from sim.study.grid import parse_values
from sim.world import bundled

if TYPE_CHECKING:  # every command imports this module: no pydantic or numpy at start-up
    from sim.world.load import LoadedScenario

T = TypeVar("T")

REPLICATIONS = click.IntRange(1, limits.REPLICATIONS_MAX)
"""``--replications``: at most ``REPLICATIONS_MAX``, refused by the option itself."""

engine_option = click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    default=DEFAULT_ENGINE,
    show_default=True,
    help="skip: the compiled exact replay, jumping over quiet stretches; fast: the same, "
    "call by call; simpy: the reference model; replay: the exact event replay in Python. "
    "All four give the same numbers.",
)
"""``--engine``, declared once for every command that runs replications."""

seed_option = click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Random seed (a whole number >= 0); the same seed gives the same numbers.",
)
"""``--seed``, declared once: numpy's SeedSequence takes only whole numbers >= 0."""

strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Refuse (exit 2) a policy the admin portal would refuse, instead of warning.",
)
"""``--strict``, declared once for every command that checks a policy against the portal."""

report_replications_option = click.option(
    "--replications", type=REPLICATIONS,
    help="[enough for a policy without outages to qualify: 200 for 1 % a year over 24 months]",
)  # fmt: skip
"""``--replications`` of ``report`` and ``plan``: by default what the risk limit needs."""
workers_option = click.option(
    "--workers", type=click.IntRange(1), help="Local processes [all cores]."
)
"""``--workers`` of the commands that fan replications out to local processes."""
quiet_option = click.option(
    "--quiet", is_flag=True, help="No progress (warnings still go to stderr)."
)
"""``--quiet`` of ``report`` and ``plan``."""
widen_option = click.option(
    "--widen/--no-widen",
    default=True,
    show_default=True,
    help="When the recommended policy sits at an edge of the grid, widen the grid there and "
    f"sweep the added policies (at most {limits.GRID_WIDENINGS_MAX} times, "
    f"{limits.GRID_WIDENED_POLICIES_MAX:,} policies).",
)
"""``--widen/--no-widen``, declared once for ``sweep`` and ``report``."""


class BadInput(click.ClickException):
    """One line on stderr and exit status 2, the same status as usage errors."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"credsim: error: {self.format_message()}", err=True, file=file)


class FiniteFloat(click.FloatRange):
    """A float range that also refuses NaN: ``nan > 0`` is False, so a range alone lets it in
    (``regress --tolerance nan`` then found no drift, ever)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class DecimalType(click.ParamType):
    """A decimal number >= 0, e.g. ``400`` or ``12.50``; never a float.

    ``maximum`` (with ``limit``, the name of its constant in sim/limits.py) is
    checked here, before the number is turned into minor units or microseconds:
    ``1e30`` or ``1e-999999`` would otherwise be written out digit by digit, and
    a delay of ``1e20`` minutes overflows ``timedelta``.
    """

    def __init__(self, name: str, maximum: Decimal, limit: str) -> None:
        self.name, self.maximum, self.limit = name, maximum, limit

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Decimal):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{value!r} is not a decimal number", param, ctx)
        if not number.is_finite() or number < 0:
            self.fail(f"{value!r} must be a number >= 0", param, ctx)
        if number > self.maximum:
            limit = f"{self.maximum:,} ({self.limit} in sim/limits.py)"
            self.fail(f"{value!r} is beyond the supported {limit}", param, ctx)
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -limits.ARGUMENT_DECIMALS_MAX:
            self.fail(
                f"{value!r} has more than {limits.ARGUMENT_DECIMALS_MAX} decimal places "
                "(ARGUMENT_DECIMALS_MAX in sim/limits.py)",
                param,
                ctx,
            )
        return number


class InstantType(click.ParamType):
    """An ISO 8601 date or timestamp; without an offset it is UTC."""

    name = "ISO"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        try:
            instant = parse_instant(str(value), naive_is_utc=True)
        except (ValueError, OverflowError):
            self.fail(f"{value!r} is not an ISO 8601 date or timestamp", param, ctx)
        if not supported(instant):
            self.fail(
                f"{value!r} is outside the supported dates {SUPPORTED_DATES} "
                "(DATE_MIN, DATE_MAX in sim/limits.py)",
                param,
                ctx,
            )
        return instant


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


class GridValuesType(click.ParamType):
    """``100,200,250`` or ``START:STOP:STEP``: a sorted tuple of exact decimals."""

    name = "LIST|START:STOP:STEP"

    def __init__(self, *, positive: bool = False) -> None:
        self.positive = positive

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        try:
            return parse_values(str(value), positive=self.positive)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class BundledFileType(click.Path):
    """A file's path, or the name of a file that ships with credsim (``midsize``).

    A path that exists always wins, so a user's own ``midsize`` file is never
    shadowed. A bundled file comes back as ``sim.world.bundled.shown`` gives it:
    run from the repository root, ``midsize`` is ``scenarios/midsize.toml``, the
    same path (in messages, reports, sweep stores) as if it had been typed.
    """

    def __init__(self, lookup: Callable[[str], Path]) -> None:
        super().__init__(path_type=Path, dir_okay=False)
        self.lookup = lookup

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Path) or os.path.exists(value):
            return super().convert(value, param, ctx)
        try:
            return bundled.shown(self.lookup(str(value)))
        except InputError as error:
            raise BadInput(str(error)) from None


class ScenarioFileType(BundledFileType):
    """A scenario FILE argument; a usage report given instead is named as one, with what to
    run on it, rather than failing as a TOML syntax error (``sim.calls.sniff``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from sim.calls.sniff import is_usage_file  # noqa: PLC0415  (numpy: only for a FILE given)

        path = super().convert(value, param, ctx)
        if is_usage_file(path):
            raise BadInput(
                f"{path} is a usage report: use `credsim plan {path}` (or `credsim calibrate "
                f"{path} -o tenant.toml`) to fit a scenario to it"
            )
        return path


SCENARIO = ScenarioFileType(bundled.scenario)
"""A scenario FILE argument: a path, or a bundled scenario's name (``checks/rate-card``)."""
CALLS = BundledFileType(bundled.example)
"""A call FILE argument: a path, or a bundled example's name (``calls``, ``walkthrough``)."""
AMOUNT = DecimalType("AMOUNT", Decimal(limits.MONEY_MAX_MINOR), "MONEY_MAX_MINOR")
"""Major units; the exact ceiling in minor units is checked once the currency is known."""
MINUTES = DecimalType("MINUTES", Decimal(limits.DELAY_MAX_H * 60), "DELAY_MAX_H")
HOURS = DecimalType("HOURS", Decimal(limits.DELAY_MAX_H), "DELAY_MAX_H")
ISO = InstantType()


def portal(lines: Sequence[str], *, strict: bool) -> None:
    """The admin portal's findings (``sim.account.portal``): one ``credsim: warning:`` line
    each, in order and each once; under ``--strict`` the first ends the command (exit 2)."""
    unique = list(dict.fromkeys(lines))
    if strict and unique:
        more = f" (and {len(unique) - 1} more)" if len(unique) > 1 else ""
        raise BadInput(f"{unique[0]}{more}; --strict refuses what the portal would")
    for line in unique:
        click.echo(f"credsim: warning: {line}", err=True)


def levers_portal(code: str, levers: Levers, *, strict: bool, whose: str = "") -> None:
    """``portal`` for one policy in currency ``code``."""
    portal([item.message(whose) for item in portal_findings(code, levers)], strict=strict)


def scenario_portal(loaded: LoadedScenario, *, strict: bool) -> None:
    """``portal`` for a scenario's own policy and the other policies of its ``[regression]``."""
    code = loaded.scenario.scenario.currency
    own = scenario_levers(loaded.scenario)
    lines = [item.message() for item in portal_findings(code, own)]
    for levers in regression_levers(loaded.scenario):
        if levers != own:
            whose = f"[regression] policy {levers.label()}: "
            lines += [item.message(whose) for item in portal_findings(code, levers)]
    portal(lines, strict=strict)


def build(what: str, factory: Callable[[], T]) -> T:
    """Run a constructor whose validation raises ValueError; report it as bad input."""
    try:
        return factory()
    except ValueError as error:
        raise BadInput(f"{what}: {error}") from None


@contextmanager
def bad_input() -> Iterator[None]:
    """Turn InputError (and unreadable files) into one line and exit status 2."""
    try:
        yield
    except InputError as error:
        raise BadInput(str(error)) from None
    except OSError as error:
        raise BadInput(f"{error.filename or ''}: {error.strerror or error}") from None


def preflight(loaded: LoadedScenario, *, workers: int | None, replications: int) -> int | None:
    """The workers to use, after checking that their replications at once fit in memory.

    Loading already checked one replication, so ``validate``'s answer holds:
    with the default workers (None: all cores) the count is lowered to what
    fits, with a warning, since results do not depend on it; workers asked
    for explicitly that would not fit are refused (exit 2).
    """
    from sim.world import workload  # noqa: PLC0415  (numpy: only for a command that runs)

    cores = os.cpu_count() or 1
    concurrent = min(workers or cores, replications)
    if workers is None and concurrent > 1:
        per_replication = workload.estimate(loaded.scenario).memory_bytes()
        fits = max(1, int(limits.max_memory_bytes() // max(per_replication, 1)))
        if fits < concurrent:
            click.echo(
                f"credsim: warning: using {fits} worker(s), not {concurrent}: each replication "
                f"needs about {per_replication / 1024**3:,.1f} GB "
                f"(limit {limits.MAX_MEMORY_VARIABLE})",
                err=True,
            )
            return fits
        return workers
    with bad_input():
        workload.check(loaded.scenario, concurrent=concurrent, source=loaded.path)
    return workers


F = TypeVar("F", bound=Callable[..., Any])


def opening_options(command: F) -> F:
    """``--balance AMOUNT`` and ``--lots FILE.csv``: the account held at the scenario's start.

    Declared once for ``run``, ``sweep`` and ``report`` (and later ``plan`` and
    ``calibrate``); either replaces the scenario's ``[opening]``
    (``apply_opening``).
    """
    lots = click.option(
        "--lots",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Lots held at the scenario's start: a CSV of purchased,remaining (a date, local "
        "midnight, or an ISO datetime; an amount). Replaces the scenario's [opening].",
    )
    balance = click.option(
        "--balance",
        type=AMOUNT,
        help="The balance held at the scenario's start, as one lot bought then. "
        "Replaces the scenario's [opening]; excludes --lots.",
    )
    return balance(lots(command))


def apply_opening(
    loaded: LoadedScenario, balance: Decimal | None, lots: Path | None
) -> LoadedScenario:
    """``loaded`` with its ``[opening]`` replaced by ``--balance`` or ``--lots`` (neither: as is).

    Checked as a file is (``sim.world.load.checked``): a lot expired by the
    start, bought after it, or an amount finer than the currency is one line
    and exit 2; the result has its own content hash.
    """
    if balance is not None and lots is not None:
        raise click.UsageError("--balance and --lots exclude each other")
    if balance is None and lots is None:
        return loaded
    from sim.world.load import checked  # noqa: PLC0415  (pydantic: only for a command that runs)
    from sim.world.opening import from_opening, read_lots_csv  # noqa: PLC0415

    scenario = loaded.scenario
    cur = currency(scenario.scenario.currency)
    start = to_instant(scenario.scenario.start)
    with bad_input():
        if lots is not None:
            held = read_lots_csv(lots, cur, timezone=scenario.calendar.timezone, start=start)
            label = str(lots)
        else:
            assert balance is not None
            amount = build("--balance", lambda: major_to_minor(balance, cur))
            held = build("--balance", lambda: Opening.single(amount, start))
            label = "--balance"
        changed = scenario.model_copy(update={"opening": from_opening(held, cur)})
        return checked(changed, loaded, label)
