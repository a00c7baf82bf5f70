"""The fast engine: the exact replay, compiled with numba, for sweeps.

Same rules, same tie order, same numbers as ``sim.engines.replay`` and the SimPy
model (differential tests check every Outcome field), but as one compiled
loop over numpy arrays instead of Python objects. Per replication the call
stream is prepared once (charged calls only, plus the order in which their
charges post) and each policy is a pass over it.

How it mirrors the replay:
- postings follow (end, admission order); a blocked call is skipped, and a
  zero-length call admitted at an instant posts in a second round of that
  same instant, after the admissions;
- fundings and admin steps wait in slots ordered by (time, ``Funding`` step):
  the opening fundings (initial, scheduled top-ups) in a sorted list, and at
  most one pending recharge, payment fix and manual top-up;
- lots live in arrays, oldest first; open lots are a contiguous range, since
  a lot that is born empty (it only repaid a deficit) is born when none is
  open;
- the balance integral is kept in two int64 halves so it stays exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.account.clock import Instant, micros
from sim.account.ledger import Lot, Source
from sim.account.money import Currency
from sim.account.outcome import EMAIL_KINDS, BlockedTally, Outcome
from sim.account.payments import Payments
from sim.account.policy import Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import CallStream
from sim.engines.fast_loop import SPLIT_BITS, TOTALS, run_policy

_SOURCES = (Source.INITIAL, Source.AUTO_RECHARGE, Source.MANUAL, Source.SCHEDULED)
_FIRST_DRAWS = 64


class Prepared:
    """A replication's charged calls as the compiled loop wants them (shared by policies)."""

    def __init__(self, stream: CallStream) -> None:
        charged = stream.charged()  # a demand stream never builds its free calls for this
        self.free = stream.free_count
        self.services = stream.services
        self.starts = np.ascontiguousarray(charged.start_us, np.int64)
        self.ends = np.ascontiguousarray(charged.end_us, np.int64)
        self.service = np.ascontiguousarray(charged.service, np.int64)
        self.charges = np.ascontiguousarray(charged.charge_minor, np.int64)
        self.billed = np.ascontiguousarray(charged.credit_billed, np.bool_)
        self.billed_before = np.concatenate(([0], np.cumsum(self.billed, dtype=np.int64)))
        index = np.arange(len(self.starts), dtype=np.int64)
        self.post_order = np.lexsort((index, self.ends)).astype(np.int64)


def replay_many(
    stream: CallStream,
    policies: Sequence[Policy],
    spec: RunSpec,
    *,
    payment_seed: np.random.SeedSequence,
    with_lots: bool = True,
) -> list[Outcome]:
    """One Outcome per policy (same contract as ``sim.engines.batch.evaluate``)."""
    prepared = Prepared(stream)
    return [
        replay_prepared(prepared, policy, spec, payment_seed=payment_seed, with_lots=with_lots)
        for policy in policies
    ]


def replay_prepared(
    prepared: Prepared,
    policy: Policy,
    spec: RunSpec,
    *,
    payment_seed: np.random.SeedSequence,
    with_lots: bool = True,
) -> Outcome:
    """Run one policy over a prepared stream; draws are taken as the replay takes them."""
    count = _FIRST_DRAWS
    while True:
        draws = np.random.default_rng(payment_seed).random(count)
        result = _run_policy(prepared, policy, spec.start, spec.end, spec.payments, draws)
        if not result[0][TOTALS.index("out_of_draws")]:
            return _outcome(
                prepared, result, spec.currency, spec.start, spec.end, with_lots=with_lots
            )
        count *= 8  # ran out of pre-drawn uniforms: the same prefix, more of it


def _run_policy(
    prepared: Prepared,
    policy: Policy,
    start: Instant,
    end: Instant,
    payments: Payments,
    draws: np.ndarray,
) -> tuple:
    opening = _opening_fundings(policy, start, end)
    auto, manual = policy.auto, policy.manual
    cards = payments.card_expiries
    return run_policy(
        prepared.starts, prepared.ends, prepared.service, prepared.charges, prepared.billed,
        prepared.billed_before, prepared.post_order, len(prepared.services),
        start, end, policy.initial_minor,
        auto is not None, auto.trigger_minor if auto else 0, auto.amount_minor if auto else 0,
        manual is not None, manual.amount_minor if manual else 0,
        micros(manual.response_delay) if manual else 0,
        np.array([time for time, _ in opening], np.int64),
        np.array([amount for _, amount in opening], np.int64),
        micros(payments.processing_delay), payments.failure_probability,
        micros(payments.admin_fix_delay),
        np.array([card.expired_at for card in cards], np.int64),
        np.array([-1 if card.renewed_at is None else card.renewed_at for card in cards], np.int64),
        draws,
    )  # fmt: skip


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


def _outcome(
    prepared: Prepared,
    result: tuple,
    currency: Currency,
    start: Instant,
    end: Instant,
    *,
    with_lots: bool,
) -> Outcome:
    totals, funded, emails, blocked, episodes, daily, lots = result
    (balance, consumed, forfeited, min_balance, recharges, failed, pending, calls,
     credit_billed, high, low, _, _) = totals.tolist()  # fmt: skip
    tallies = {
        service: BlockedTally(*blocked[code].tolist())
        for code, service in enumerate(prepared.services)
        if blocked[code, 0]
    }
    return Outcome(
        currency=currency,
        start=start,
        end=end,
        funded_by_source_minor=dict(zip(_SOURCES, funded.tolist(), strict=True)),
        consumed_minor=consumed,
        forfeited_minor=forfeited,
        final_balance_minor=balance,
        balance_integral=(high << SPLIT_BITS) + low,
        min_balance_minor=min_balance,
        recharges=recharges,
        failed_recharges=failed,
        recharge_pending_at_end=bool(pending),
        calls=calls + prepared.free,
        credit_billed_calls=credit_billed,
        blocked=tallies,
        outage_episodes=[(int(a), int(b)) for a, b in episodes.tolist()],
        emails=dict(zip(EMAIL_KINDS, emails.tolist(), strict=True)),
        lots=_lots(lots) if with_lots else [],
        daily_balance_minor=daily.tolist(),
    )


def _lots(lots: np.ndarray) -> list[Lot]:
    return [
        Lot(
            id=index + 1, source=_SOURCES[source], purchased_at=time, expires_at=expiry,
            amount_minor=amount, remaining_minor=left, repaid_deficit_minor=repaid,
            consumed_minor=used, forfeited_minor=lost,
        )
        for index, (time, expiry, amount, left, repaid, used, lost, source) in enumerate(
            lots.tolist()
        )
    ]  # fmt: skip
