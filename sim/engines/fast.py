"""The fast engine: the exact replay, compiled with numba, for sweeps.

Same rules, same tie order, same numbers as ``sim.engines.replay`` and the SimPy
model (differential tests check every Outcome field), but as one compiled
loop over numpy arrays instead of Python objects (``sim.engines.fast_loop``,
its steps in ``fast_steps``, what crosses the boundary in ``fast_layout``).
Per replication the call stream is prepared once (charged calls only, plus the
order in which their charges post) and each policy is a pass over it; this
module turns a Policy and a RunSpec into the loop's terms and its result into
an Outcome, field by name.

How it mirrors the replay:
- postings follow (end, admission order); a blocked call is skipped, and a
  zero-length call admitted at an instant posts in a second round of that
  same instant, after the admissions;
- fundings and admin steps wait in slots ordered by (time, ``Funding`` step):
  the opening fundings (initial, scheduled top-ups) in a sorted list, and at
  most one pending recharge, payment fix and manual top-up;
- the opening lots are funded first, each dated by its own purchase, and an
  opening's pending recharge is the pending recharge slot from the start;
- lots live in one array, a row each, oldest first; open lots are a
  contiguous range, since a lot that is born empty (it only repaid a deficit)
  is born when none is open;
- the balance integral is kept in two int64 halves so it stays exact.

The skip engine is this loop with its quiet stretches posted in one jump each
(``sim.engines.skip_stretch``) on prefix arrays built once per replication
(``Prepared.jumps``, ``sim.engines.skip_layout``); ``skip=False`` posts them
call by call (the ``fast`` engine).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import numpy as np

from sim.account.clock import Instant, micros
from sim.account.ledger import Lot
from sim.account.outcome import EMAIL_KINDS, BlockedTally, Outcome
from sim.account.payment_draws import PaymentDraws
from sim.account.payments import RandomDelay, fixed_us
from sim.account.policy import Policy
from sim.account.rules import too_many_recharges
from sim.account.run_spec import RunSpec
from sim.account.stream import CallStream
from sim.engines.fast_layout import (
    BLOCKED_CALLS,
    BLOCKED_FIELDS,
    LOT_COLUMNS,
    NEVER,
    SOURCES,
    SPLIT_BITS,
    ChargedCalls,
    LoopResult,
    PolicyTerms,
    RunTerms,
)
from sim.engines.fast_loop import run_policy
from sim.engines.skip_layout import Jumps, build_jumps, no_jumps, with_days
from sim.limits import RECHARGES_TO_TRIGGER_MAX


class Prepared:
    """A replication's charged calls as the compiled loop wants them (shared by policies)."""

    def __init__(self, stream: CallStream) -> None:
        charged = stream.charged()  # a demand stream never builds its free calls for this
        self.free = stream.free_count
        self.services = stream.services
        self.starts = np.ascontiguousarray(charged.start_us, np.int64)
        self.ends = np.ascontiguousarray(charged.end_us, np.int64)
        self.service = np.ascontiguousarray(charged.service, np.int16)  # < 2^15 services
        self.charges = np.ascontiguousarray(charged.charge_minor, np.int64)
        self.billed = np.ascontiguousarray(charged.credit_billed, np.bool_)
        self.billed_before = np.concatenate(([0], np.cumsum(self.billed, dtype=np.int64)))
        index = np.arange(len(self.starts), dtype=np.int64)
        self.post_order = np.lexsort((index, self.ends)).astype(np.int32)  # < 2^31 calls
        self.calls = ChargedCalls(
            start_us=self.starts,
            end_us=self.ends,
            service=self.service,
            charge_minor=self.charges,
            credit_billed=self.billed,
            billed_before=self.billed_before,
            post_order=self.post_order,
            n_services=len(self.services),
        )
        self._jumps: Jumps | None = None

    def jumps(self) -> Jumps:
        """The skip engine's prefix arrays, built on first use and kept (shared by policies)."""
        if self._jumps is None:
            self._jumps = build_jumps(self.ends, self.charges, self.post_order)
        return self._jumps


def replay_many(
    stream: CallStream,
    policies: Sequence[Policy],
    spec: RunSpec,
    *,
    payment_seed: np.random.SeedSequence,
    with_lots: bool = True,
    skip: bool = True,
) -> list[Outcome]:
    """One Outcome per policy (same contract as ``sim.engines.batch.evaluate``).

    ``skip``: the skip engine (quiet stretches in jumps); False: the ``fast`` one.
    """
    prepared, run_terms = Prepared(stream), _run_terms(spec)
    jumps = with_days(prepared.jumps(), spec.start, spec.end) if skip else no_jumps()
    draws = PaymentDraws(payment_seed, spec.payments)  # drawn once, read by every policy
    return [
        _replay(prepared, jumps, policy, spec, run_terms, draws, with_lots) for policy in policies
    ]


def replay_prepared(
    prepared: Prepared,
    policy: Policy,
    spec: RunSpec,
    *,
    payment_seed: np.random.SeedSequence,
    with_lots: bool = True,
    skip: bool = True,
) -> Outcome:
    """Run one policy over a prepared stream; draws are taken as the replay takes them.

    ``skip`` as in ``replay_many``.
    """
    draws = PaymentDraws(payment_seed, spec.payments)
    jumps = with_days(prepared.jumps(), spec.start, spec.end) if skip else no_jumps()
    return _replay(prepared, jumps, policy, spec, _run_terms(spec), draws, with_lots)


def run_loop(
    prepared: Prepared,
    jumps: Jumps,
    policy: Policy,
    spec: RunSpec,
    *,
    payment_seed: np.random.SeedSequence,
) -> LoopResult:
    """The compiled loop's own result for one policy (tests read ``jumped_postings`` here)."""
    draws = PaymentDraws(payment_seed, spec.payments)
    jumps = with_days(jumps, spec.start, spec.end)
    return run_policy(
        prepared.calls, jumps, _policy_terms(policy, spec), _run_terms(spec),
        draws.uniforms, draws.processing_us, draws.fix_us,
    )  # fmt: skip


def _replay(
    prepared: Prepared,
    jumps: Jumps,
    policy: Policy,
    spec: RunSpec,
    run_terms: RunTerms,
    draws: PaymentDraws,
    with_lots: bool,
) -> Outcome:
    policy_terms = _policy_terms(policy, spec)
    while True:
        result = run_policy(
            prepared.calls, jumps, policy_terms, run_terms,
            draws.uniforms, draws.processing_us, draws.fix_us,
        )  # fmt: skip
        if result.runaway_at != NEVER and policy.auto is not None:
            runaway = too_many_recharges(
                policy.auto, result.runaway_balance_minor, result.runaway_at, spec.currency
            )
            if runaway is not None:
                raise runaway
        if not result.out_of_draws:
            return _outcome(prepared, result, spec, with_lots=with_lots)
        draws.more(result.draws_used, result.processing_used, result.fixes_used)


def _policy_terms(policy: Policy, spec: RunSpec) -> PolicyTerms:
    opening = _opening_fundings(policy, spec.start, spec.end)
    auto, manual = policy.auto, policy.manual
    return PolicyTerms(
        auto_on=auto is not None,
        trigger_minor=auto.trigger_minor if auto else 0,
        amount_minor=auto.amount_minor if auto else 0,
        manual_on=manual is not None,
        manual_amount_minor=manual.amount_minor if manual else 0,
        manual_delay_us=micros(manual.response_delay) if manual else 0,
        opening_us=np.array([time for time, _ in opening], np.int64),
        opening_minor=np.array([amount for _, amount in opening], np.int64),
        recharges_to_trigger_max=RECHARGES_TO_TRIGGER_MAX,
    )


def _run_terms(spec: RunSpec) -> RunTerms:
    payments = spec.payments
    cards, office = payments.card_expiries, payments.office_hours
    lots, prepaid = spec.opening.by_purchase, spec.opening.pending
    return RunTerms(
        start_us=spec.start,
        end_us=spec.end,
        processing_delay_us=fixed_us(payments.processing_delay),
        processing_random=isinstance(payments.processing_delay, RandomDelay),
        failure_probability=float(payments.failure_probability),
        fix_delay_us=fixed_us(payments.admin_fix_delay),
        fix_random=isinstance(payments.admin_fix_delay, RandomDelay),
        card_from_us=np.array([card.expired_at for card in cards], np.int64),
        card_until_us=np.array(
            [-1 if card.renewed_at is None else card.renewed_at for card in cards], np.int64
        ),
        office_hours_on=office is not None,
        office_open_us=np.array(office.opens_us if office else (), np.int64),
        office_close_us=np.array(office.closes_us if office else (), np.int64),
        opening_purchased_us=np.array([bought for bought, _ in lots], np.int64),
        opening_remaining_minor=np.array([left for _, left in lots], np.int64),
        prepaid_at_us=NEVER if prepaid is None else prepaid[0],
        prepaid_minor=0 if prepaid is None else prepaid[1],
    )


def _opening_fundings(policy: Policy, start: Instant, end: Instant) -> list[tuple[int, int]]:
    """Initial purchase first, then scheduled top-ups by time (ties in policy order)."""
    scheduled = [
        (moment, order, top_up.amount_minor)
        for order, top_up in enumerate(policy.scheduled)
        for moment in top_up.instants(end)
        if moment >= start
    ]
    scheduled.sort(key=lambda item: (item[0], item[1]))
    return [(start, policy.initial_minor)] + [(moment, amount) for moment, _, amount in scheduled]


def _outcome(prepared: Prepared, result: LoopResult, spec: RunSpec, *, with_lots: bool) -> Outcome:
    tallies = {
        service: BlockedTally(
            **dict(zip(BLOCKED_FIELDS, result.blocked[code].tolist(), strict=True))
        )
        for code, service in enumerate(prepared.services)
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
        calls=len(prepared.starts) + prepared.free,
        credit_billed_calls=result.credit_billed_calls,
        blocked=tallies,
        outage_episodes=[(int(a), int(b)) for a, b in result.episodes.tolist()],
        emails=dict(zip(EMAIL_KINDS, result.emails.tolist(), strict=True)),
        lots=_lots(result.lots) if with_lots else [],
        daily_balance_minor=result.daily_balance_minor.tolist(),
    )


def _lots(lots: np.ndarray) -> list[Lot]:
    """The loop's lots array as ``Lot`` records, oldest first (ids from 1).

    Positional, not by keyword: it halves the cost of the records, the larger part
    of building an Outcome; ``_LOT_FIELDS`` checks at import that the positions are
    ``Lot``'s fields.
    """
    return [
        Lot(index, SOURCES[source], bought, expires, amount, left, repaid, used, lost)
        for index, (bought, expires, amount, left, repaid, used, lost, source) in enumerate(
            lots.tolist(), 1
        )
    ]


_LOT_FIELDS = ("id", "source", *LOT_COLUMNS[:-1])
"""``Lot``'s fields in the order ``_lots`` passes them (the lots' columns, ``source`` last)."""
if tuple(item.name for item in fields(Lot)) != _LOT_FIELDS or LOT_COLUMNS[-1] != "source":
    raise ImportError(f"sim.engines.fast._lots passes {_LOT_FIELDS}: update it for Lot's fields")
