"""Load a scenario TOML file and its rate table, checked as a whole, or fail with one InputError.

Why one loader: the model, the sweeps, the dashboard and the cache all need the
same three things from a scenario file: the validated ``Scenario``, the rate
table its calls are priced from, and a hash that identifies exactly those
inputs (so results can be cached and reproduced). Checks that span files live
here too: every rate the scenario will look up must be in the table, found now
rather than hours into a Monte Carlo run.

Money stays exact: TOML floats are parsed as ``Decimal`` (``parse_float``),
never as binary floats.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from sim import limits
from sim.account.clock import add_months, to_instant
from sim.account.money import currency, major_to_minor
from sim.errors import InputError, decode_utf8
from sim.world import bounds, bundled, opening, workload
from sim.world.files import check_size, confined, read_regular
from sim.world.rates import RateKey, RateTable, parse_rates
from sim.world.scenario import BigMeeting, Meetings, Scenario
from sim.world.toml_guard import check_toml_shape

_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")
_SCENARIO_KNOB = "SCENARIO_MAX_BYTES in sim/limits.py"
_TABLE_KNOB = "RATE_TABLE_MAX_BYTES in sim/limits.py"
_POLICY_MONEY = ("initial_balance", "trigger", "amount", "manual_top_up", "monthly_top_up")


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario, its rate table, and the hash of the bytes both came from."""

    path: Path
    scenario: Scenario
    rates: RateTable
    content_hash: str


def load_scenario(path: Path, *, root: Path | None = None) -> LoadedScenario:
    """Read, parse, validate and cross-check a scenario file and its rate table.

    The rate table is ``[rates].table``, relative to the scenario file's
    folder and inside it (a bundled scenario may also use the bundled
    tables). ``root``, a folder above the scenario's, widens that to the
    whole of ``root``: ``credsim regress --scenarios DIR`` passes ``DIR`` so
    that ``DIR/checks/*.toml`` may share ``DIR/rates/``. When the scenario
    looks up no rates (every stream has its own ``rate_per_min``) and does
    not name a table, a missing default table is not an error: the scenario
    gets an empty table.
    """
    path = Path(path)
    return load_scenario_bytes(_read(path), source=path, folder=path.parent, root=root)


def load_scenario_bytes(
    data: bytes,
    *,
    source: Path,
    folder: Path,
    tables: Mapping[str, bytes] | None = None,
    root: Path | None = None,
) -> LoadedScenario:
    """The same checks for a scenario that is not a file (an upload).

    ``source`` names it in messages; ``folder`` is where ``[rates].table`` is
    resolved. ``tables`` None is the policy for a scenario file: any regular
    file inside its folder. A mapping (uploaded tables by file name, possibly
    empty) is the policy for an upload: the table must be one of those, or
    one of the bundled ``*.csv`` tables in ``folder`` by its relative name
    (``rates/sample-usd.csv``); no other file of the server is ever opened.
    """
    scenario = parse_scenario(data, source)
    if tables is None:
        rates, table_bytes = _rate_table(scenario, source, folder, root)
    else:
        rates, table_bytes = _offered_table(scenario, source, folder, tables)
    check_currency(scenario, rates, source)
    problems = [*bounds.problems(scenario), *_money_problems(scenario), *_fine_rates(scenario)]
    problems += missing_rates(scenario, rates) + costly_rates(scenario, rates)
    problems += opening_problems(scenario)
    if problems:
        from sim.world import messages  # noqa: PLC0415  (only for a refused scenario: start-up)

        raise InputError(messages.combine(problems), source=source)
    workload.check_fits(scenario, source=source)  # before any generation: validate == run
    return LoadedScenario(source, scenario, rates, content_hash(data, table_bytes))


def checked(scenario: Scenario, base: LoadedScenario, label: str) -> LoadedScenario:
    """A scenario changed in memory (e.g. edited in the dashboard), checked like a file.

    Its hash covers the base hash and the changed scenario, so results of the
    edited world are never mistaken for the original's.
    """
    check_currency(scenario, base.rates, Path(label))
    problems = [*bounds.problems(scenario), *_money_problems(scenario), *_fine_rates(scenario)]
    problems += missing_rates(scenario, base.rates) + costly_rates(scenario, base.rates)
    problems += opening_problems(scenario)
    if problems:
        from sim.world import messages  # noqa: PLC0415  (only for a refused scenario: start-up)

        raise InputError(messages.combine(problems), source=label)
    workload.check_fits(scenario, source=label)
    digest = hashlib.sha256(base.content_hash.encode())
    digest.update(scenario.model_dump_json().encode())
    return LoadedScenario(base.path, scenario, base.rates, digest.hexdigest())


def parse_scenario(data: bytes | str, source: Path) -> Scenario:
    """TOML text (or its bytes) as a validated ``Scenario``; ``source`` names it in errors."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    check_size(raw, limits.SCENARIO_MAX_BYTES, what="scenario", knob=_SCENARIO_KNOB, source=source)
    text = decode_utf8(data, source) if isinstance(data, bytes) else data
    check_toml_shape(text, source)  # tomllib is recursive and quadratic in dotted keys
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, text, source) from None
    try:
        return Scenario.model_validate(document)
    except ValidationError as exc:
        from sim.world import messages  # noqa: PLC0415  (only for a refused scenario: start-up)

        problems = messages.describe(exc, Scenario)
        raise InputError(messages.combine(problems), source=source) from None


def content_hash(scenario_bytes: bytes, table_bytes: bytes) -> str:
    """sha256 hex of the scenario's bytes and then the rate table's, each length-prefixed.

    The length prefix keeps the pair unambiguous: moving bytes from the end of
    one file to the start of the other changes the hash.
    """
    digest = hashlib.sha256()
    for part in (scenario_bytes, table_bytes):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def required_rates(scenario: Scenario) -> dict[RateKey, str]:
    """Every (country, number_type, direction) the scenario will look up -> the key path needing it.

    Toll dial-ins are free under Audio Conferencing and need no rate; toll-free
    dial-ins are looked up only when ``toll_free_share`` > 0. Every listed
    destination is looked up, whatever its share. The first key path that
    needs a rate is kept.
    """
    needs: dict[RateKey, str] = {}
    for key, where in _lookups(scenario):
        needs.setdefault(key, where)
    return needs


def _lookups(scenario: Scenario) -> Iterator[tuple[RateKey, str]]:
    """(rate key, key path) for each lookup, in file order; the demand generator makes the same."""
    if scenario.meetings is not None:
        yield from _dial_in_lookups(scenario.meetings, "meetings")
        for index, place in enumerate(scenario.meetings.dial_out_destinations):
            key = (place.country, place.number_type, "outbound")
            yield key, f"meetings.dial_out_destinations[{index}]"
    for index, event in enumerate(scenario.big_meetings):
        yield from _dial_in_lookups(event, f"big_meetings[{index}]")
    calling = scenario.user_calling
    if calling is not None:
        for number_type in calling.domestic_number_types:
            key = (calling.domestic_country, number_type, "outbound")
            yield key, f"user_calling.domestic_number_types.{number_type}"
        for index, place in enumerate(calling.international_destinations):
            key = (place.country, place.number_type, "outbound")
            yield key, f"user_calling.international_destinations[{index}]"
    for index, stream in enumerate(scenario.streams):
        if stream.rate_per_min is None and stream.country and stream.number_type:
            yield (stream.country, stream.number_type, stream.direction), f"streams[{index}]"
        for number, target in enumerate(stream.destinations or ()):
            priced = (target.country, target.number_type, stream.direction)
            yield priced, f"streams[{index}].destinations[{number}]"


def _dial_in_lookups(source: Meetings | BigMeeting, where: str) -> Iterator[tuple[RateKey, str]]:
    if source.toll_free_share > 0:
        for country in source.dial_in_countries:
            yield (country, "toll_free", "inbound"), f"{where}.dial_in_countries.{country}"


def check_currency(scenario: Scenario, rates: RateTable, source: Path) -> None:
    """Refuse a scenario priced from a table in another currency, naming both and both files.

    Why at load time: every command and the dashboard load through here, and a
    euro scenario on a dollar table would otherwise print euro amounts computed
    from dollar rates. A table the scenario does not use (it names none and
    looks up no rate, so the default is read but never consulted) is not held
    against it.
    """
    wanted = currency(scenario.scenario.currency).code
    if rates.currency is None or rates.currency == wanted:
        return
    if "table" not in scenario.rates.model_fields_set and not required_rates(scenario):
        return
    raise InputError(
        f"scenario.currency is {wanted} but its rate table {rates.path} is in {rates.currency}; "
        f"point [rates].table at a {wanted} table or make the two agree",
        source=source,
    )


def costly_rates(scenario: Scenario, rates: RateTable) -> list[str]:
    """One sentence per needed rate of the table whose longest call would overflow the limits."""
    scale = Decimal(10) ** currency(scenario.scenario.currency).digits
    problems: list[str] = []
    for key, where in required_rates(scenario).items():
        if (rate := rates.rates.get(key)) is not None:
            problems += bounds.charge_problems(
                f"{where}: {rates.path} {' '.join(key)}",
                rate.rate_per_min,
                rate.connection_fee,
                scale,
            )
    return problems


def missing_rates(scenario: Scenario, rates: RateTable) -> list[str]:
    """One sentence per rate the scenario needs and the table lacks."""
    return [
        f"{where}: needs a rate for {' '.join(key)}, which {rates.path} does not have"
        for key, where in required_rates(scenario).items()
        if key not in rates
    ]


def _read(path: Path) -> bytes:
    try:
        return read_regular(
            path, limits.SCENARIO_MAX_BYTES, what="scenario file", knob=_SCENARIO_KNOB
        )
    except OSError as exc:
        raise InputError(
            f"cannot read the scenario file: {exc.strerror or exc}", source=path
        ) from None


def _toml_error(exc: tomllib.TOMLDecodeError, text: str, source: Path) -> InputError:
    """tomllib says "... (at line L, column C)"; the line goes where an editor looks for it."""
    message = str(exc)
    if match := _TOML_AT.search(message):
        reason = message[: match.start()]
        line, column = int(match.group(1)), match.group(2)
        return InputError(
            f"TOML syntax error at column {column}: {reason}", source=source, line=line
        )
    if match := _TOML_END.search(message):
        reason = message[: match.start()]
        line = text.rstrip("\n").count("\n") + 1  # the last line with text on it
        return InputError(
            f"TOML syntax error at the end of the file: {reason}", source=source, line=line
        )
    return InputError(f"TOML syntax error: {message}", source=source)


def _rate_table(
    scenario: Scenario, path: Path, folder: Path, root: Path | None
) -> tuple[RateTable, bytes]:
    """The table and its bytes (for the hash); parsed from the very bytes that are hashed.

    The table must lie inside the scenario's folder; a scenario inside the
    bundled scenarios folder may use any bundled table (``checks/`` share
    ``rates/``), and one under ``root`` any table inside ``root``.
    """
    written = scenario.rates.table
    allowed = _table_root(folder, root)
    real_path = confined(folder, written, root=allowed, what="rates.table", source=path)
    table_path = folder / written  # as the user wrote it, for messages
    try:
        data = read_regular(
            real_path,
            limits.RATE_TABLE_MAX_BYTES,
            what="rate table",
            knob=_TABLE_KNOB,
            shown=table_path,
        )
    except FileNotFoundError:
        if _table_optional(scenario):
            return RateTable(table_path, {}), b""
        raise _unreadable_table(written, table_path, "no such file", path) from None
    except OSError as exc:
        raise _unreadable_table(written, table_path, str(exc.strerror or exc), path) from None
    return parse_rates(data, table_path), data


def _unreadable_table(written: str, table_path: Path, reason: str, path: Path) -> InputError:
    where = f"{written!r} (resolved against the scenario's folder: {table_path})"
    return InputError(f"rates.table: cannot read the rate table {where}: {reason}", source=path)


def _table_root(folder: Path, root: Path | None) -> Path:
    """The folder a scenario's table must stay in: its own, ``root``, or the whole bundle."""
    if root is not None and folder.resolve().is_relative_to(root.resolve()):
        return root
    try:
        shipped = bundled.scenarios_folder().resolve()
    except InputError:
        return folder
    return shipped if folder.resolve().is_relative_to(shipped) else folder


def _offered_table(
    scenario: Scenario, path: Path, folder: Path, tables: Mapping[str, bytes]
) -> tuple[RateTable, bytes]:
    """An upload's table: one uploaded with it (by file name), else a bundled one by name."""
    written = scenario.rates.table
    for name in (written, Path(written).name):
        if name in tables:
            data = tables[name]
            check_size(
                data, limits.RATE_TABLE_MAX_BYTES, what="rate table", knob=_TABLE_KNOB, source=name
            )
            return parse_rates(data, Path(name)), data
    offered = {p.relative_to(folder).as_posix(): p for p in sorted(folder.glob("**/*.csv"))}
    if written in offered:
        table_path = offered[written]
        data = read_regular(
            table_path, limits.RATE_TABLE_MAX_BYTES, what="rate table", knob=_TABLE_KNOB
        )
        return parse_rates(data, table_path), data
    if _table_optional(scenario):
        return RateTable(Path(written), {}), b""
    choices = ", ".join([*tables, *offered]) or "none"
    raise InputError(
        f"rates.table: {written!r} is neither a table uploaded with the scenario nor a "
        f"bundled table (an uploaded scenario may use only those: {choices})",
        source=path,
    )


def _table_optional(scenario: Scenario) -> bool:
    """A scenario that names no table and looks up no rate runs with an empty table."""
    return "table" not in scenario.rates.model_fields_set and not required_rates(scenario)


def opening_problems(scenario: Scenario) -> list[str]:
    """``[opening]`` against the run: lots held (not expired) at the start, exact amounts."""
    if scenario.opening is None:
        return []
    start = to_instant(scenario.scenario.start)
    try:
        end = add_months(start, scenario.scenario.horizon_months)
    except (ValueError, OverflowError):  # beyond the dates a run supports: bounds says so
        return []
    code = currency(scenario.scenario.currency)
    return opening.problems(scenario.opening, start, end, scenario.calendar.zone, code)


def _money_problems(scenario: Scenario) -> list[str]:
    """Policy amounts must be whole minor units: 0.125 USD is refused, not rounded."""
    code = currency(scenario.scenario.currency)
    problems = []
    for name in _POLICY_MONEY:
        value = getattr(scenario.policy, name)
        if value is None:
            continue
        try:
            major_to_minor(value, code)
        except ValueError:
            places = f"more decimal places than {code.code} has ({code.digits})"
            problems.append(f"policy.{name}: {format(value, 'f')} has {places}")
    return problems


def _fine_rates(scenario: Scenario) -> list[str]:
    """A stream's own rate or fee finer than rating can hold exactly is refused, not rounded.

    Why here: rating scales each rate to whole units of 10^-RATE_SUBMINOR_DIGITS
    of the minor unit; a finer one passed ``validate`` and then stopped ``run``
    with an internal error. Rate tables are held to the same rule as they are read.
    """
    code = currency(scenario.scenario.currency)
    places = code.digits + limits.RATE_SUBMINOR_DIGITS
    problems = []
    for index, stream in enumerate(scenario.streams):
        for name in ("rate_per_min", "connection_fee"):
            value = getattr(stream, name)
            exponent = None if value is None else value.normalize().as_tuple().exponent
            if isinstance(exponent, int) and -exponent > places:
                problems.append(
                    f"streams[{index}].{name}: {format(value, 'f')} has more than {places} "
                    f"decimal places, the finest rate {code.code} allows (RATE_SUBMINOR_DIGITS "
                    "in sim/limits.py)"
                )
    return problems
