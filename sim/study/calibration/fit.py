"""``calibrate``: usage records in, a commented scenario, its rates and a holdout check out.

Why this order: the window's days come first (zone, holidays), then each
credit-billed service is fitted on its own (big days found first and taken
out, so that they inflate neither the level nor the spread), then the rates
over every billed call (one rate-table row per key), then the text. With
``holdout_months`` the same fit is made on the data before the last N whole
months and its demand simulated over them (``holdout``); the scenario written
is always the fit on all the data. Both scenarios are loaded by
``sim.world.load`` before they are returned, so a calibration never hands out
a file that ``credsim validate`` would refuse.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from sim.account.money import Currency
from sim.account.opening import Opening
from sim.errors import InputError
from sim.study.calibration import arrivals, bigdays, destinations, holdout
from sim.study.calibration.days import Days, LocalCalls, Zone, day_table, local_date, localise
from sim.study.calibration.days import resolve_zone as _resolve_zone
from sim.study.calibration.durations import DurationFit, fit_durations
from sim.study.calibration.record import Calibration, ServiceFit
from sim.study.calibration.writer import Draft, assumptions, scenario_toml
from sim.world.load import LoadedScenario, load_scenario

DATA_MIN_DAYS = 7
"""Fewer days of calls than this cannot be calibrated (InputError, exit 2)."""
RATES_NAME = "tenant-rates.csv"
"""The rate table's file name, beside the scenario."""
BIG_DAY_SERVICE = "toll_free_dial_in"
"""Big days are looked for among this service's calls (all-hands dial-ins)."""


class RecordsLike(Protocol):
    """``sim.calls.records.UsageRecords``: the table and what reading it found."""

    @property
    def table(self) -> pd.DataFrame: ...
    @property
    def currency(self) -> Currency: ...
    @property
    def files(self) -> tuple[Path, ...]: ...
    @property
    def overlap_dropped(self) -> int: ...
    @property
    def duplicates_dropped(self) -> int: ...


@dataclass(frozen=True)
class _Setting:
    """What every fit of one calibration shares."""

    zone: Zone
    country: str | None
    currency: Currency
    files: str
    name: str
    rng: np.random.Generator


@dataclass(frozen=True)
class _Fitted:
    fits: tuple[ServiceFit, ...]
    rates: tuple[destinations.Rate, ...]
    notes: tuple[str, ...]


def calibrate(
    records: RecordsLike,
    *,
    horizon_months: int = 24,
    holdout_months: int = 0,
    timezone: str | None = None,
    country: str | None = None,
    opening: Opening | None = None,
    seed: int = 1,
    replications: int = 200,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Fit a scenario to ``records`` (see the module docstring and docs/calibration.md)."""
    say = progress or (lambda _text: None)
    country = country.upper() if country else None
    table = records.table
    files = ", ".join(path.name for path in records.files) or "the usage records"
    billed = table[table["credit_billed"].to_numpy(dtype=bool)]
    if billed.empty:
        raise InputError(f"{files}: no credit-billed calls, nothing to calibrate")
    zone = _resolve_zone(timezone, country)
    name = records.files[0].stem if records.files else "tenant"
    setting = _Setting(zone, country, records.currency, files, name, np.random.default_rng(seed))
    window = _window(table, setting)
    checked = None
    if holdout_months:
        checked = _holdout(billed, window, holdout_months, setting, replications, seed, say)
    say(f"fitting {billed['service'].nunique()} credit-billed service(s)")
    start = window.midnight_after()
    fitted = _fit_all(billed, window, start, setting)
    source = _source(files, len(table), window, records.currency)
    draft = _draft(setting, source, start, horizon_months, opening)
    text = scenario_toml(draft, fitted.fits)
    rates = destinations.rates_csv(fitted.rates, records.currency, files)
    _load(text, rates)
    return Calibration(
        scenario_toml=text,
        rates_csv=rates,
        rates_name=RATES_NAME,
        fits=fitted.fits,
        assumptions=assumptions(draft),
        notes=_reading_notes(records) + fitted.notes,
        holdout=checked,
    )


def scenario_start(
    records: RecordsLike, *, timezone: str | None = None, country: str | None = None
) -> datetime:
    """Where ``calibrate`` starts the scenario: local midnight after the data's last day.

    What ``--balance`` and ``--lots`` are held at (the CLI builds the ``Opening`` first).
    """
    country = country.upper() if country else None
    files = ", ".join(path.name for path in records.files) or "the usage records"
    zone = _resolve_zone(timezone, country)
    setting = _Setting(zone, country, records.currency, files, "", np.random.default_rng(0))
    return _window(records.table, setting).midnight_after()


def _window(table: pd.DataFrame, setting: _Setting) -> Days:
    """The local days from the first call to the last; refused when too few."""
    zone = ZoneInfo(setting.zone.name)
    starts = table["start_us"].to_numpy()
    first, last = local_date(int(starts.min()), zone), local_date(int(starts.max()), zone)
    span = (last - first).days + 1
    if span < DATA_MIN_DAYS:
        what = f"one day of calls ({first})" if span == 1 else f"{span} days of calls"
        raise InputError(
            f"{setting.files}: the export holds {what}; calibrating needs at least "
            f"{DATA_MIN_DAYS} days"
        )
    return day_table(first, last, zone, setting.country)


def _fit_all(billed: pd.DataFrame, window: Days, start: datetime, setting: _Setting) -> _Fitted:
    """Every credit-billed service's fit and the rates, on the calls of ``window``."""
    table, notes = destinations.fill_unknown(billed, setting.country)
    local = localise(table["start_us"].to_numpy(), window)
    long = window.count >= arrivals.WEEK_MIN_DAYS
    if not long:
        notes.append(
            f"{window.count} days of data (fewer than {arrivals.WEEK_MIN_DAYS}, 8 weeks): "
            "business hours with a flat profile, no growth and no dispersion fitted"
        )
    pooled = arrivals.hour_profile(local, window, ~window.holiday) if long else None
    everyone = fit_durations(table["duration_s"].to_numpy())
    start_month = (start.year - window.first.year) * 12 + start.month - window.first.month
    fits = []
    for service in sorted(table["service"].unique()):
        mask = (table["service"] == service).to_numpy()
        fit = _fit_service(
            table[mask], _take(local, mask), window, pooled, everyone, start_month, setting
        )
        notes += [f"{service}: {note}" for note in fit.arrivals.notes]
        if fit.pooled:
            notes.append(
                f"{service}: {fit.calls} calls (fewer than {arrivals.SERVICE_MIN_CALLS}): the "
                "pooled hour profile and all services' durations used, no growth or dispersion"
            )
        fits.append(fit)
    rates, rate_notes = destinations.fit_rates(table, setting.currency)
    fits = [_own_rate(fit, table, rates, setting.currency) for fit in fits]
    return _Fitted(tuple(fits), rates, tuple(notes + rate_notes))


def _own_rate(
    fit: ServiceFit, table: pd.DataFrame, rates: tuple[destinations.Rate, ...], cur: Currency
) -> ServiceFit:
    """A single-destination service keeps its own rate when its table row says another."""
    if len(fit.mix) != 1:
        return fit
    only = fit.mix[0]
    row = next(
        r
        for r in rates
        if (r.country, r.number_type, r.direction)
        == (only.country, only.number_type, fit.direction)
    )
    own = destinations.own_rate(table[table["service"] == fit.service], cur)
    return fit if own == (row.rate_per_min, row.connection_fee) else fit.with_own_rate(own)


def _fit_service(
    rows: pd.DataFrame,
    calls: LocalCalls,
    window: Days,
    pooled: np.ndarray | None,
    everyone: DurationFit,
    start_month: int,
    setting: _Setting,
) -> ServiceFit:
    """One service: big days out first, then arrivals, durations and destinations."""
    service = str(rows["service"].iloc[0])
    counts = arrivals.day_counts(calls, window)
    big_mask = np.zeros(window.count, dtype=bool)
    if service == BIG_DAY_SERVICE:
        big_mask = bigdays.find_big_days(counts, window)
    big = bigdays.describe(big_mask, counts, window, calls) if big_mask.any() else None
    burst = big.burst if big is not None else np.zeros(len(rows), dtype=bool)
    small = len(rows) < arrivals.SERVICE_MIN_CALLS
    long = pooled is not None
    profile = pooled if small else None
    if long and not small:
        profile = arrivals.hour_profile(calls, window, ~window.holiday & ~big_mask)
    fit = arrivals.fit_arrivals(
        counts,
        window,
        big=big_mask,
        profile=profile,
        start_month=start_month,
        fit_trends=long and not small,
        rng=setting.rng,
    )
    ordinary = rows[~burst] if (~burst).any() else rows
    durations = everyone if small else fit_durations(ordinary["duration_s"].to_numpy())
    return ServiceFit(
        service=service,
        direction=str(rows["direction"].mode().iloc[0]),
        calls=len(rows),
        arrivals=fit,
        durations=durations,
        mix=destinations.mix(ordinary),
        big=big,
        big_durations=fit_durations(rows["duration_s"].to_numpy()[burst]) if big else None,
        pooled=small,
    )


def _take(calls: LocalCalls, mask: np.ndarray) -> LocalCalls:
    return LocalCalls(calls.day[mask], calls.hour_of_week[mask], calls.minute_of_day[mask])


def _holdout(
    billed: pd.DataFrame,
    window: Days,
    months: int,
    setting: _Setting,
    replications: int,
    seed: int,
    say: Callable[[str], None],
) -> holdout.Holdout:
    """Fit before the last ``months`` whole months, simulate them, compare with the actual."""
    end = _after_last_whole_month(window.last)
    cut = end - relativedelta(months=months)
    if (cut - window.first).days < DATA_MIN_DAYS:
        raise InputError(
            f"--holdout-months {months} leaves {max((cut - window.first).days, 0)} day(s) to fit "
            f"on before {cut}; calibrating needs at least {DATA_MIN_DAYS} days"
        )
    say(f"holdout: fitting on the data before {cut} (the last {months} whole month(s) out)")
    zone = window.zone
    start = datetime.combine(cut, time(0), tzinfo=zone)
    edges, labels = holdout.month_edges(start, months)
    train = billed[billed["start_us"].to_numpy() < edges[0]]
    train_days = day_table(window.first, cut - timedelta(days=1), zone, setting.country)
    fitted = _fit_all(train, train_days, start, setting)
    source = _source(setting.files, len(train), train_days, setting.currency)
    draft = _draft(setting, source, start, months, None)
    loaded = _load(
        scenario_toml(draft, fitted.fits),
        destinations.rates_csv(fitted.rates, setting.currency, setting.files),
    )
    services = [fit.service for fit in fitted.fits]
    services += sorted(set(billed["service"]) - set(services))
    actual = holdout.actual_spend(billed, edges, services)
    say(f"holdout: {replications} simulations of {months} month(s)")
    simulated = holdout.simulated_spend(
        loaded, edges, services, replications=replications, seed=seed, progress=say
    )
    return holdout.Holdout(
        cells=holdout.compare(actual, simulated, labels, services),
        period=holdout.period_cell(actual, simulated),
        currency=setting.currency,
        replications=replications,
        fitted_until=str(cut - timedelta(days=1)),
    )


def _after_last_whole_month(last: date) -> date:
    """The first day after the last whole calendar month of a window ending on ``last``."""
    following = last + timedelta(days=1)
    return following if following.day == 1 else last.replace(day=1)


def _draft(
    setting: _Setting,
    source: str,
    start: datetime,
    horizon_months: int,
    opening: Opening | None,
) -> Draft:
    zone = setting.zone
    return Draft(
        name=setting.name,
        source=source,
        start=start,
        horizon_months=horizon_months,
        currency=setting.currency,
        timezone=zone.name,
        timezone_comment=zone.why if zone.given else f"assumption: {zone.why}",
        holidays=setting.country,
        rates_name=RATES_NAME,
        opening=opening,
    )


def _source(files: str, calls: int, window: Days, cur: Currency) -> str:
    return (
        f"{files}: {calls} calls, {window.first} to {window.last} "
        f"({window.months()} months), {cur.code}"
    )


def _reading_notes(records: RecordsLike) -> tuple[str, ...]:
    notes = []
    if records.overlap_dropped:
        notes.append(
            f"{records.overlap_dropped} row(s) of overlapping exports dropped "
            "(their call id was read from an earlier file)"
        )
    if records.duplicates_dropped:
        notes.append(f"{records.duplicates_dropped} repeated row(s) inside a file dropped")
    return tuple(notes)


def _load(scenario_text: str, rates_text: str) -> LoadedScenario:
    """Load the scenario as ``credsim validate`` would (with its rate table beside it).

    A refusal here is calibrate's own fault, not the export's: said so, without the
    scratch folder's name.
    """
    with tempfile.TemporaryDirectory(prefix="credsim-calibrate-") as folder:
        path = Path(folder) / "tenant.toml"
        path.write_text(scenario_text, encoding="utf-8")
        (Path(folder) / RATES_NAME).write_text(rates_text, encoding="utf-8")
        try:
            return load_scenario(path)
        except InputError as error:
            reason = str(error).replace(f"{path}: ", "").splitlines()[0]
            raise InputError(
                f"the calibrated scenario does not load ({reason}): please report this"
            ) from None
