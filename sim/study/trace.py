"""One replication told in full: its journal replayed, then laid out for a chart.

Why: the Monte Carlo tables say how often and how much; a planner also wants
to *see* one plausible two years under a policy: the balance sinking and
being topped up, a failed card payment, the outage it caused, the lot that
expired half full. The engines of a run keep only the metrics, so this module
replays one replication again with the exact event replay (``sim.engines.replay``,
equal to the other engines by the differential tests), keeping its journal,
and turns the journal into plain tables (``SamplePath``, ``lots_frame``)
that ``sim.views.charts`` draws without knowing any rule of the account.

Times become local wall-clock times of the scenario's calendar zone (plotly
draws naive datetimes as given), money becomes major units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from sim.account.clock import Instant
from sim.account.ledger import EntryKind, JournalEntry, Lot, Source
from sim.account.money import Currency, major_to_minor
from sim.account.outcome import Outcome
from sim.account.stream import CallStream
from sim.study.experiment import Levers, horizon, scenario_currency
from sim.study.journal_columns import columns_of
from sim.study.runner import replication_seeds
from sim.study.trace_replay import journaled_run
from sim.world.demand import generate
from sim.world.load import LoadedScenario
from sim.world.scenario import Scenario

MAX_POINTS = 4000
"""Most points kept of the balance line: enough for any screen, small enough for a report."""
EVENT_COLUMNS = ("time", "kind", "amount", "balance", "lot")
EVENT_KINDS = (EntryKind.FUND, EntryKind.RECHARGE_FAILED, EntryKind.FORFEIT)
"""The entries ``SamplePath.events`` shows (``_events``)."""
OUTAGE_KINDS = (EntryKind.OUTAGE_STARTED, EntryKind.OUTAGE_ENDED, EntryKind.CALL_BLOCKED)
"""The entries ``SamplePath.outages`` is made of (``_outages``)."""


@dataclass(frozen=True)
class Trace:
    """One policy over one replication: the outcome and every journal entry."""

    outcome: Outcome
    entries: Sequence[JournalEntry]
    """A list (``traced_run``), or ``PackedJournal`` (the dashboard's worker: the same
    entries as numbers, compressed; ``sim.study.journal_columns``)."""


@dataclass(frozen=True)
class SamplePath:
    """A journal laid out for a chart (local naive times, major units).

    - ``steps``: ``time``, ``balance``: the settled balance after each instant
      (the last entry of the instant, as the model judges outages), thinned to
      at most ``MAX_POINTS`` points that keep every bucket's first, lowest,
      highest and last value, so a dip never disappears from the line;
    - ``events``: ``time, kind, amount, balance, lot``; kinds ``initial``,
      ``auto_recharge``, ``manual``, ``scheduled`` (fundings), ``recharge_failed``
      (amount: the recharge attempted) and ``forfeit`` (amount > 0: money lost);
    - ``outages``: ``start, end, hours, blocked_calls``, one row per outage
      episode from its ``outage_started`` entry to its ``outage_ended`` entry
      (or the run's end, if it never ended).
    """

    steps: pd.DataFrame
    events: pd.DataFrame
    outages: pd.DataFrame


def traced_run(
    loaded: LoadedScenario,
    levers: Levers,
    *,
    seed: int,
    index: int = 0,
    stream: CallStream | None = None,
) -> Trace:
    """Replication ``index`` of ``credsim run --seed S`` under ``levers``, with its journal.

    The same demand and payment draws as that replication of a run or sweep
    (child ``index`` of the seed), so its outcome is that replication's row.
    ``stream`` may be passed when the caller generated that replication's
    demand already (the report shows its demand too).
    """
    demand_seed, payment_seed = replication_seeds(seed, index + 1)[index]
    scenario = loaded.scenario
    if stream is None:
        stream = generate(scenario, loaded.rates, np.random.default_rng(demand_seed))
    entries: list[JournalEntry] = []
    outcome = journaled_run(scenario, levers, stream, payment_seed, entries.append)
    return Trace(outcome, entries)


@dataclass(frozen=True)
class PathPicture:
    """A traced replication laid out for the sample-path and lots charts."""

    trace: Trace
    path: SamplePath
    lots: pd.DataFrame
    """``lots_frame``: where each lot's money went (forfeits included)."""


def path_picture(trace: Trace, levers: Levers, scenario: Scenario) -> PathPicture:
    """``trace`` in the calendar's local time and major units (the report's and dashboard's)."""
    cur, zone = scenario_currency(scenario), scenario.calendar.timezone
    amount = levers.amount
    path = lay_out_path(
        trace.entries, currency=cur, timezone=zone, end=horizon(scenario)[1],
        recharge_minor=None if amount is None else major_to_minor(amount, cur),
    )  # fmt: skip
    return PathPicture(trace, path, lots_frame(trace.outcome.lots, currency=cur, timezone=zone))


def lay_out_path(
    entries: Sequence[JournalEntry],
    *,
    currency: Currency,
    timezone: str,
    end: Instant,
    recharge_minor: int | None = None,
    max_points: int = MAX_POINTS,
) -> SamplePath:
    """The journal as steps, events and outages (see ``SamplePath``).

    ``end`` closes an outage still open when the run ended; ``recharge_minor``
    is the auto-recharge amount, shown as what a failed recharge tried to buy.
    """
    scale = currency.minor_per_major
    journal = columns_of(entries)
    times, balances = journal.times_us, journal.balances_after_minor
    last = np.flatnonzero(np.append(times[1:] != times[:-1], True)) if len(times) else times
    keep = thinned(balances[last], max_points)
    steps = pd.DataFrame(
        {"time": _local(times[last][keep], timezone), "balance": balances[last][keep] / scale}
    )
    money = journal.take(journal.rows_of(*EVENT_KINDS))
    outages = journal.take(journal.rows_of(*OUTAGE_KINDS))
    return SamplePath(
        steps=steps,
        events=_events(money, scale, timezone, recharge_minor),
        outages=_outages(outages, timezone, end),
    )


def thinned(values: np.ndarray, max_points: int) -> np.ndarray:
    """Indices to keep of a series: all of it, or per bucket its first, min, max and last.

    Buckets are equal runs of points; four points a bucket draw the same
    envelope as the whole series at the resolution of the bucket (M4).
    """
    count = len(values)
    if count <= max_points:
        return np.arange(count)
    buckets = max(1, max_points // 4)
    edges = np.linspace(0, count, buckets + 1).astype(np.int64)
    keep = [edges[:-1], edges[1:] - 1]
    for low, high in pairwise(edges):
        chunk = values[low:high]
        keep.append(np.array([low + int(np.argmin(chunk)), low + int(np.argmax(chunk))]))
    return np.unique(np.concatenate(keep))


def _events(
    entries: Sequence[JournalEntry], scale: int, timezone: str, recharge_minor: int | None
) -> pd.DataFrame:
    rows = []
    for entry in entries:
        if entry.kind is EntryKind.FUND:
            kind, amount = Source(entry.ref).value, entry.amount_minor  # ref: the source
        elif entry.kind is EntryKind.RECHARGE_FAILED:
            kind, amount = "recharge_failed", recharge_minor or 0
        elif entry.kind is EntryKind.FORFEIT:
            kind, amount = "forfeit", -entry.amount_minor
        else:
            continue
        balance = entry.balance_after_minor / scale
        rows.append((entry.time, kind, amount / scale, balance, entry.lot))
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame["time"] = _local(frame["time"].to_numpy(dtype=np.int64), timezone)
    return frame


def _outages(entries: Sequence[JournalEntry], timezone: str, end: Instant) -> pd.DataFrame:
    spans: list[list[int]] = []
    blocked: list[int] = []
    for entry in entries:
        if entry.kind is EntryKind.OUTAGE_STARTED:
            spans.append([entry.time, end])
            blocked.append(0)
        elif entry.kind is EntryKind.OUTAGE_ENDED and spans:
            spans[-1][1] = entry.time
        elif entry.kind is EntryKind.CALL_BLOCKED and spans:
            blocked[-1] += 1
    bounds = np.array(spans, dtype=np.int64).reshape(-1, 2)
    return pd.DataFrame(
        {
            "start": _local(bounds[:, 0], timezone),
            "end": _local(bounds[:, 1], timezone),
            "hours": (bounds[:, 1] - bounds[:, 0]) / 3.6e9,
            "blocked_calls": np.array(blocked, dtype=np.int64),
        }
    )


def lots_frame(lots: Sequence[Lot], *, currency: Currency, timezone: str) -> pd.DataFrame:
    """Where each lot's money went: one row per lot, major units, local purchase times.

    ``amount = repaid_deficit + consumed + forfeited + remaining`` (what was
    still in the lot when the run ended).
    """
    scale = currency.minor_per_major
    frame = pd.DataFrame(
        {
            "lot": [lot.id for lot in lots],
            "source": [lot.source.value for lot in lots],
            "purchased": _local(np.array([lot.purchased_at for lot in lots], np.int64), timezone),
            "expires": _local(np.array([lot.expires_at for lot in lots], np.int64), timezone),
        }
    )
    for name in ("amount", "repaid_deficit", "consumed", "forfeited", "remaining"):
        frame[name] = [getattr(lot, f"{name}_minor") / scale for lot in lots]
    return frame


def _local(instants_us: np.ndarray, timezone: str) -> pd.Series:
    """Instants as naive local wall-clock datetimes in ``timezone`` (what plotly shows)."""
    utc = pd.to_datetime(np.asarray(instants_us, dtype=np.int64), unit="us", utc=True)
    return pd.Series(pd.DatetimeIndex(utc).tz_convert(timezone).tz_localize(None))
