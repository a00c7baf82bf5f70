"""The compiled loop's results as ``Outcome``s, field by name.

``outcome`` converts one policy's ``LoopResult``; ``stacked_outcomes`` converts
the results of a replication's policies at once (``fast_many.run_policies``):
one ``tolist`` per array over all policies instead of one per policy and array,
and each policy's ``Lot`` records and end-of-day balances left as arrays until
its Outcome is read (``Outcome.deferred``). With the skip engine those
conversions were the larger half of a ``midsize`` policy's cost
(docs/performance.md, "The skip engine").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from functools import partial
from itertools import islice
from typing import Any, TypeVar

import numpy as np

from sim.account.ledger import Lot
from sim.account.outcome import EMAIL_KINDS, BlockedTally, Outcome
from sim.account.run_spec import RunSpec
from sim.engines.fast_layout import (
    BLOCKED_CALLS,
    BLOCKED_FIELDS,
    LOT_COLUMNS,
    RESULT_SCALARS,
    SOURCE,
    SOURCES,
    SPLIT_BITS,
    LoopResult,
    PolicyResults,
)

_SOURCE_OF_CODE = np.array(SOURCES, dtype=object)
"""A lot's ``Source`` by its code: one fancy index decodes a column of codes."""
_BALANCE = RESULT_SCALARS.index("balance_minor")
_CONSUMED = RESULT_SCALARS.index("consumed_minor")
_FORFEITED = RESULT_SCALARS.index("forfeited_minor")
_MIN_BALANCE = RESULT_SCALARS.index("min_balance_minor")
_RECHARGES = RESULT_SCALARS.index("recharges")
_FAILED = RESULT_SCALARS.index("failed_recharges")
_PENDING = RESULT_SCALARS.index("recharge_pending")
_BILLED = RESULT_SCALARS.index("credit_billed_calls")
_HIGH = RESULT_SCALARS.index("integral_high")
_LOW = RESULT_SCALARS.index("integral_low")
_T = TypeVar("_T")


def outcome(
    result: LoopResult, services: Sequence[str], calls: int, spec: RunSpec, *, with_lots: bool
) -> Outcome:
    """One policy's Outcome; ``calls`` counts the stream's free calls too."""
    tallies = {
        service: BlockedTally(
            **dict(zip(BLOCKED_FIELDS, result.blocked[code].tolist(), strict=True))
        )
        for code, service in enumerate(services)
        if result.blocked[code, BLOCKED_CALLS]
    }
    return Outcome(
        currency=spec.currency,
        start=spec.start,
        end=spec.end,
        funded_by_source_minor=dict(zip(SOURCES, result.funded_minor.tolist(), strict=True)),
        consumed_minor=result.consumed_minor,
        forfeited_minor=result.forfeited_minor,
        final_balance_minor=result.balance_minor,
        balance_integral=(result.integral_high << SPLIT_BITS) + result.integral_low,
        min_balance_minor=result.min_balance_minor,
        recharges=result.recharges,
        failed_recharges=result.failed_recharges,
        recharge_pending_at_end=result.recharge_pending,
        calls=calls,
        credit_billed_calls=result.credit_billed_calls,
        blocked=tallies,
        outage_episodes=[(int(a), int(b)) for a, b in result.episodes.tolist()],
        emails=dict(zip(EMAIL_KINDS, result.emails.tolist(), strict=True)),
        lots=lot_records(result.lots, np.array([0, len(result.lots)]))[0] if with_lots else [],
        daily_balance_minor=result.daily_balance_minor.tolist(),
    )


def stacked_outcomes(
    results: PolicyResults, services: Sequence[str], calls: int, spec: RunSpec, *, with_lots: bool
) -> list[Outcome]:
    """The Outcomes of the ``results.done`` policies ``run_policies`` completed, in order."""
    with collector_paused():
        return _stacked_outcomes(results, services, calls, spec, with_lots=with_lots)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while a replication's Outcomes are built.

    Why: every 700 new objects the collector tracks set off a pass over the young
    ones, every tenth pass one over the older ones, and now and then one over the
    whole heap (the interpreter, numpy and numba: 180,000 objects). A ``midsize``
    grid's Outcomes were 3,500 such objects (``Lot``s, lists, dicts) and lists of
    73,100 ints, and in a loop of ``evaluate`` calls those passes took a quarter
    of the time (docs/performance-history.md); with their lots and balances deferred
    (``Outcome.deferred``) they are about 500, and the pause keeps a grid from
    setting off a pass halfway. The Outcomes hold no reference cycles, so the
    passes find nothing; the collector runs as usual after. Left alone if it is off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _stacked_outcomes(
    results: PolicyResults, services: Sequence[str], calls: int, spec: RunSpec, *, with_lots: bool
) -> list[Outcome]:
    done = results.done
    scalars = results.scalars[:done].tolist()
    funded = results.funded_minor[:done].tolist()
    emails = results.emails[:done].tolist()
    episodes = _slices(list(map(tuple, results.episodes.tolist())), results.episode_first, done)
    tallies = _tallies(results.blocked[:done], services)
    rest = _Deferred(results, with_lots)
    return [
        Outcome(
            currency=spec.currency,
            start=spec.start,
            end=spec.end,
            funded_by_source_minor=dict(zip(SOURCES, funded[k], strict=True)),
            consumed_minor=row[_CONSUMED],
            forfeited_minor=row[_FORFEITED],
            final_balance_minor=row[_BALANCE],
            balance_integral=(row[_HIGH] << SPLIT_BITS) + row[_LOW],
            min_balance_minor=row[_MIN_BALANCE],
            recharges=row[_RECHARGES],
            failed_recharges=row[_FAILED],
            recharge_pending_at_end=bool(row[_PENDING]),
            calls=calls,
            credit_billed_calls=row[_BILLED],
            blocked=tallies[k],
            outage_episodes=episodes[k],
            emails=dict(zip(EMAIL_KINDS, emails[k], strict=True)),
            deferred=partial(rest.field, k),
        )
        for k, row in enumerate(scalars)
    ]


class _Deferred:
    """A replication's lots and end-of-day balances, as arrays, until an Outcome reads them.

    Why: as ``Lot``s and lists of ints they were 5 of a ``midsize`` grid's 14 ms
    on the skip engine (3,046 records, 73,100 ints), and a sweep reads them for
    few policies or none (``Outcome.deferred``). The first read of a field builds
    it for every policy at once, as the Outcomes used to be built (one ``tolist``,
    one ``map``, the collector paused): a policy at a time took twice as long when
    all were read. Keeps the stacked arrays (not copies) alive while an Outcome of
    the replication has not read both fields.
    """

    def __init__(self, results: PolicyResults, with_lots: bool) -> None:
        self.done = results.done
        self.daily: np.ndarray = results.daily_balance_minor
        self.lots: np.ndarray | None = results.lots if with_lots else None
        self.lot_first: np.ndarray = results.lot_first
        self.built: dict[str, list[list[Any]]] = {}

    def field(self, policy: int, name: str) -> list[Any]:
        """Policy ``policy``'s field ``name`` (``Outcome.deferred``)."""
        if (built := self.built.get(name)) is None:
            with collector_paused():
                built = self.built[name] = self._build(name)
        return built[policy]

    def _build(self, name: str) -> list[list[Any]]:
        if name == "daily_balance_minor":
            return self.daily[: self.done].tolist()
        if name != "lots":
            raise ValueError(f"no deferred field {name!r}")
        if self.lots is None:
            return [[] for _ in range(self.done)]
        return lot_records(self.lots, self.lot_first[: self.done + 1])


def lot_records(lots: np.ndarray, first: np.ndarray) -> list[list[Lot]]:
    """Each policy's lots (rows ``first[k] .. first[k + 1] - 1``, ``first[0]`` 0) as ``Lot``s.

    Ids count from 1 in each policy.

    Positional, not by keyword, and the records in one ``map`` over the columns:
    the records are the larger part of building Outcomes.
    ``_LOT_FIELDS`` checks at import that the positions are ``Lot``'s fields.
    """
    counts = np.diff(first)
    ids = np.arange(1, len(lots) + 1) - np.repeat(first[:-1], counts)
    columns = lots.T.tolist()
    sources = _SOURCE_OF_CODE[lots[:, SOURCE]].tolist()
    records = list(map(Lot, ids.tolist(), sources, *columns[:SOURCE]))
    return _slices(records, first, len(counts))


def _slices(items: list[_T], first: np.ndarray, count: int) -> list[list[_T]]:
    """``items`` cut into ``count`` lists, list ``k`` being ``items[first[k]:first[k + 1]]``."""
    rest = iter(items)
    return [list(islice(rest, size)) for size in np.diff(first[: count + 1]).tolist()]


def _tallies(blocked: np.ndarray, services: Sequence[str]) -> list[dict[str, BlockedTally]]:
    """Each policy's blocked calls by service (services with none left out)."""
    tallies: list[dict[str, BlockedTally]] = [{} for _ in range(len(blocked))]
    for policy, code in zip(*np.nonzero(blocked[:, :, BLOCKED_CALLS]), strict=True):
        values = blocked[policy, code].tolist()
        tallies[policy][services[code]] = BlockedTally(*values)  # BLOCKED_FIELDS: its fields
    return tallies


_LOT_FIELDS = ("id", "source", *LOT_COLUMNS[:-1])
"""``Lot``'s fields in the order ``lot_records`` passes them (the lots' columns, source last)."""
if tuple(item.name for item in fields(Lot)) != _LOT_FIELDS or LOT_COLUMNS[-1] != "source":
    raise ImportError(f"sim.engines.fast_outcomes passes {_LOT_FIELDS}: update it for Lot's fields")
