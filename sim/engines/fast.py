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

import numpy as np

from sim.account.clock import Instant, micros
from sim.account.outcome import Outcome
from sim.account.payment_draws import PaymentDraws
from sim.account.payments import RandomDelay, fixed_us
from sim.account.policy import Policy
from sim.account.rules import too_many_recharges
from sim.account.run_spec import RunSpec
from sim.account.stream import CallStream
from sim.engines.fast_layout import (
    NEVER,
    RESULT_SCALARS,
    ChargedCalls,
    LoopResult,
    PolicyTable,
    PolicyTerms,
    RunTerms,
)
from sim.engines.fast_loop import run_policy
from sim.engines.fast_many import run_policies
from sim.engines.fast_outcomes import outcome, stacked_outcomes
from sim.engines.scratch import POOL
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
        # into reused buffers (``sim.engines.scratch``): fresh ones were page faults
        self.billed_before = POOL.take(len(self.billed) + 1, np.int64)
        self.billed_before[0] = 0
        np.cumsum(self.billed, dtype=np.int64, out=self.billed_before[1:])
        self.post_order = POOL.take(len(self.ends), np.int32)  # < 2^31 calls
        self.post_order[:] = np.argsort(self.ends, kind="stable")  # ties in stream order
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
    draws.ahead(_attempts_ahead(prepared, policies))
    table, calls = policy_table(policies, spec), len(prepared.starts) + prepared.free
    outcomes: list[Outcome] = []
    while len(outcomes) < len(policies):  # one compiled call, unless a policy stops it
        results = run_policies(
            prepared.calls, jumps, table, run_terms,
            draws.uniforms, draws.processing_us, draws.fix_us, len(outcomes),
        )  # fmt: skip
        outcomes += stacked_outcomes(results, prepared.services, calls, spec, with_lots=with_lots)
        if len(outcomes) == len(policies):
            break
        stopped = dict(zip(RESULT_SCALARS, results.scalars[results.done].tolist(), strict=True))
        if stopped["runaway_at"] == NEVER:  # out of draws: more, then on from that policy
            draws.more(stopped["draws_used"], stopped["processing_used"], stopped["fixes_used"])
        else:  # the one-policy path raises the runaway error (as every engine does)
            policy = policies[len(outcomes)]
            outcomes.append(_replay(prepared, jumps, policy, spec, run_terms, draws, with_lots))
    return outcomes


def _attempts_ahead(prepared: Prepared, policies: Sequence[Policy]) -> int:
    """About the most payment attempts a policy's run makes: every charge paid by recharges.

    An estimate, to draw the payment randomness ahead (``PaymentDraws.ahead``):
    a run that needs more stops and runs again with more, as without it; one that
    needs fewer leaves some unread. Failed attempts and expiries add a few; a
    quarter more covers them in the scenarios' grids.
    """
    amounts = [policy.auto.amount_minor for policy in policies if policy.auto is not None]
    if not amounts or min(amounts) <= 0:
        return 0
    recharges = int(prepared.charges.sum()) // min(amounts) + 1
    return recharges + recharges // 4 + 8


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
            calls = len(prepared.starts) + prepared.free
            return outcome(result, prepared.services, calls, spec, with_lots=with_lots)
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


def policy_table(policies: Sequence[Policy], spec: RunSpec) -> PolicyTable:
    """The policies' terms in columns, for ``run_policies`` (each row as ``_policy_terms``)."""
    autos, manuals = [policy.auto for policy in policies], [policy.manual for policy in policies]
    openings = [_opening_fundings(policy, spec.start, spec.end) for policy in policies]
    opening_first = np.zeros(len(policies) + 1, np.int64)
    np.cumsum([len(opening) for opening in openings], out=opening_first[1:])
    fundings = [funding for opening in openings for funding in opening]
    return PolicyTable(
        auto_on=np.array([auto is not None for auto in autos], np.bool_),
        trigger_minor=np.array([auto.trigger_minor if auto else 0 for auto in autos], np.int64),
        amount_minor=np.array([auto.amount_minor if auto else 0 for auto in autos], np.int64),
        manual_on=np.array([manual is not None for manual in manuals], np.bool_),
        manual_amount_minor=np.array(
            [manual.amount_minor if manual else 0 for manual in manuals], np.int64
        ),
        manual_delay_us=np.array(
            [micros(manual.response_delay) if manual else 0 for manual in manuals], np.int64
        ),
        opening_first=opening_first,
        opening_us=np.array([time for time, _ in fundings], np.int64),
        opening_minor=np.array([amount for _, amount in fundings], np.int64),
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
