"""The tenant's credit account under one policy: every rule, no clock of its own.

``Account`` knows *what* happens at an event — a posting, an expiry, a
recharge completing, a call starting, an instant settling — and asks its
engine, through ``schedule``, to come back later for fundings it sets in
motion (a recharge request, a payment fix, a manual top-up). *When* events run
and in which order within an instant is the engine's job: the exact replay
(``sim.engines.replay``) sorts them, the SimPy model (``sim.engines.simpy_model``) lets SimPy do it
with the priorities of ``sim.account.ties``. Both share this one set of rules, so the
differential test between them checks their scheduling, to the event.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.account.clock import MICROS_PER_DAY, Instant, micros, to_iso
from sim.account.format import money_minor
from sim.account.ledger import EntryKind, JournalSink, Ledger, Source
from sim.account.money import Currency
from sim.account.outcome import EMAIL_KINDS, BlockedTally, Outcome
from sim.account.payment_draws import DrawReader
from sim.account.payments import RandomDelay, fixed_us
from sim.account.policy import AutoRecharge, Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.account.ties import Funding
from sim.errors import InputError
from sim.limits import RECHARGES_TO_TRIGGER_MAX

Schedule = Callable[[Instant, Funding, int], None]
"""How an engine is asked to run a funding step at an instant, with an amount."""


def too_many_recharges(
    auto: AutoRecharge, balance_minor: int, time: Instant, cur: Currency
) -> InputError | None:
    """The error to raise when a recharge request at ``time`` starts a runaway chain, else None.

    Why at each request: a request is raised whenever the balance is below the
    trigger, and each completed recharge raises the next one while it still is;
    with no processing delay that chain runs at one instant, one loop step, lot
    and email per recharge. Its length is known arithmetically
    (``AutoRecharge.recharges_to_trigger``), so a chain longer than
    ``RECHARGES_TO_TRIGGER_MAX`` is refused before its first recharge. Every
    engine checks at the same requests, so all refuse the same run alike.
    """
    needed = auto.recharges_to_trigger(balance_minor)
    if needed <= RECHARGES_TO_TRIGGER_MAX:
        return None
    return InputError(
        f"at {to_iso(time)} the balance {money_minor(balance_minor, cur)} would need "
        f"{needed:,} auto-recharges of {money_minor(auto.amount_minor, cur)} to reach the "
        f"trigger {money_minor(auto.trigger_minor, cur)}; the limit is "
        f"{RECHARGES_TO_TRIGGER_MAX:,} (RECHARGES_TO_TRIGGER_MAX in sim/limits.py): "
        "raise the recharge amount or check the charges"
    )


class Account:
    """Balance, recharge state, outage tracking and counters of one run."""

    def __init__(
        self,
        policy: Policy,
        spec: RunSpec,
        *,
        schedule: Schedule,
        draw: Callable[[], float] | None = None,
        delays: DrawReader | None = None,
        on_entry: JournalSink | None = None,
    ) -> None:
        if spec.payments.needs_draws and draw is None:
            raise ValueError("a failure_probability > 0 needs a draw() of uniform numbers")
        if spec.payments.random_delays and delays is None:
            raise ValueError("a random payment delay needs the delays' draws (a DrawReader)")
        self.policy, self.spec = policy, spec
        self.schedule, self.draw, self.delays = schedule, draw, delays
        self.ledger = Ledger(on_entry=on_entry)
        payments = spec.payments
        self.random_processing = isinstance(payments.processing_delay, RandomDelay)
        self.random_fix = isinstance(payments.admin_fix_delay, RandomDelay)
        self.delay_us = fixed_us(payments.processing_delay)
        self.suspended = self.notified = False
        self.outage_since: Instant | None = None
        self.episodes: list[tuple[Instant, Instant]] = []
        self.blocked: dict[str, BlockedTally] = {}
        self.emails = dict.fromkeys(EMAIL_KINDS, 0)
        self.recharges = self.failed = self.calls = self.credit_billed = 0
        self.last_time, self.last_balance, self.integral = spec.start, 0, 0
        self.min_balance: int | None = None
        self.next_sample = spec.start + MICROS_PER_DAY
        self.daily: list[int] = []
        # a recharge requested before the run: in flight, so no other request until it arrives
        self.prepaid = self.pending = spec.opening.pending is not None

    def prepaid_recharge(self) -> tuple[Instant, int] | None:
        """The opening's pending recharge, for the engine to complete at its instant."""
        return self.spec.opening.pending

    def opening_fundings(self) -> list[tuple[Instant, Funding, int]]:
        """The initial purchase and every scheduled top-up up to the end, in scheduling order."""
        steps = [(self.spec.start, Funding.INITIAL, self.policy.initial_minor)]
        for top_up in self.policy.scheduled:
            steps.extend(
                (moment, Funding.SCHEDULED_TOP_UP, top_up.amount_minor)
                for moment in top_up.instants(self.spec.end)
                if moment >= self.spec.start
            )
        return steps

    # -- events -------------------------------------------------------------
    def expire(self, time: Instant) -> int:
        """Step 1: forfeit lots due now; a lower balance may call for a recharge."""
        forfeited = self.ledger.expire(time)
        if forfeited:
            self.maybe_request(time)
        return forfeited

    def post(self, time: Instant, charge_minor: int, ref: int) -> None:
        """Step 2: post an admitted call's charge at its end."""
        self.ledger.consume(time, charge_minor, f"call@{ref}")
        self.maybe_request(time)

    def perform(self, time: Instant, step: Funding, amount_minor: int) -> None:
        """Step 3: a funding or admin action completes."""
        if step is Funding.INITIAL:  # the lots already held, oldest first, then the purchase
            for purchased, remaining in self.spec.opening.by_purchase:
                self.ledger.fund(time, remaining, Source.OPENING, purchased_at=purchased)
            if amount_minor:
                self.ledger.fund(time, amount_minor, Source.INITIAL)
        elif step is Funding.RECHARGE_COMPLETES:
            self.complete_recharge(time, amount_minor)
        elif step is Funding.PAYMENT_FIXED:
            self.suspended = False
            self.ledger.note(time, EntryKind.PAYMENT_FIXED)
        elif step is Funding.MANUAL_TOP_UP:
            self.ledger.fund(time, amount_minor, Source.MANUAL)
            self.notified = False
        else:
            self.ledger.fund(time, amount_minor, Source.SCHEDULED)
        self.maybe_request(time)

    def admit(self, time: Instant, call: Call) -> bool:
        """Step 4: a call starts. True if it was admitted with a charge to post."""
        self.calls += 1
        if call.credit_billed:
            self.credit_billed += 1
            if self.ledger.balance_minor <= 0:
                tally = self.blocked.setdefault(call.service, BlockedTally())
                tally.add(call.end - call.start, call.charge_minor)
                self.ledger.note(time, EntryKind.CALL_BLOCKED, f"call@{call.ref}")
                return False
        return call.charge_minor > 0

    def settle(self, time: Instant) -> None:
        """After every event at ``time``: samples, minimum, outages, below-zero email."""
        balance = self.ledger.balance_minor
        self._sample_until(time)
        self.integral += self.last_balance * (time - self.last_time)
        self.last_time, self.last_balance = time, balance
        self.min_balance = balance if self.min_balance is None else min(self.min_balance, balance)
        if balance > 0:
            if self.outage_since is not None:
                self.episodes.append((self.outage_since, time))
                self.outage_since = None
                self.ledger.note(time, EntryKind.OUTAGE_ENDED)
            self.notified = False
            return
        if self.outage_since is None:
            self.outage_since = time
            self.ledger.note(time, EntryKind.OUTAGE_STARTED)
        if not self.notified:
            self.notified = True
            self._email(time, "balance_depleted")
            manual = self.policy.manual
            if manual is not None:  # an admin action: in office hours, if any are left
                due = self.spec.payments.admin_acts_at(time + micros(manual.response_delay))
                if due is not None:
                    self.schedule(due, Funding.MANUAL_TOP_UP, manual.amount_minor)

    def outcome(self) -> Outcome:
        """Close the books at the run's end (every event up to it must have run)."""
        end = self.spec.end
        self._sample_until(end)
        integral = self.integral + self.last_balance * (end - self.last_time)
        episodes = list(self.episodes)
        if self.outage_since is not None:
            episodes.append((self.outage_since, end))
        ledger = self.ledger
        return Outcome(
            currency=self.spec.currency,
            start=self.spec.start,
            end=end,
            funded_by_source_minor=dict(ledger.funded_by_source_minor),
            consumed_minor=ledger.consumed_minor,
            forfeited_minor=ledger.forfeited_minor,
            final_balance_minor=ledger.balance_minor,
            balance_integral=integral,
            min_balance_minor=self.min_balance if self.min_balance is not None else 0,
            recharges=self.recharges,
            failed_recharges=self.failed,
            recharge_pending_at_end=self.pending,
            calls=self.calls,
            credit_billed_calls=self.credit_billed,
            blocked=self.blocked,
            outage_episodes=episodes,
            emails=self.emails,
            lots=ledger.lots,
            daily_balance_minor=self.daily,
        )

    # -- rules behind the events ---------------------------------------------
    def maybe_request(self, time: Instant) -> None:
        """Raise an auto-recharge request if the balance is strictly below trigger."""
        auto = self.policy.auto
        if auto is None or self.pending or self.suspended:
            return
        if self.ledger.balance_minor < auto.trigger_minor:
            runaway = too_many_recharges(auto, self.ledger.balance_minor, time, self.spec.currency)
            if runaway is not None:
                raise runaway
            self.pending = True
            self.ledger.note(time, EntryKind.RECHARGE_REQUESTED)
            delay_us = self.delay_us
            if self.random_processing and self.delays is not None:  # one draw per request
                delay_us = self.delays.processing_delay_us()
            self.schedule(time + delay_us, Funding.RECHARGE_COMPLETES, auto.amount_minor)

    def complete_recharge(self, time: Instant, amount_minor: int) -> None:
        """A payment attempt: one draw; success buys a lot, failure suspends.

        The opening's pending recharge was paid before the run: it funds its
        lot without an attempt, an email or a count among the run's recharges.
        """
        self.pending = False
        if self.prepaid:
            self.prepaid = False
            self.ledger.fund(time, amount_minor, Source.OPENING, "opening: pending recharge")
            return
        draw = self.draw() if self.draw is not None and self.spec.payments.needs_draws else 1.0
        if not self.spec.payments.attempt_fails(time, draw):
            self.ledger.fund(time, amount_minor, Source.AUTO_RECHARGE)
            self.recharges += 1
            self._email(time, "recharge_succeeded")
            return
        self.failed += 1
        self.suspended = True
        self.ledger.note(time, EntryKind.RECHARGE_FAILED)
        self._email(time, "recharge_failed")
        fix_us = None
        if self.random_fix and self.delays is not None:  # one draw per failure, card or not
            fix_us = self.delays.fix_delay_us()
        resume = self.spec.payments.resumes_at(time, fix_us)
        if resume is not None:
            self.schedule(resume, Funding.PAYMENT_FIXED, 0)

    def _email(self, time: Instant, kind: str) -> None:
        self.emails[kind] += 1
        self.ledger.note(time, EntryKind.EMAIL, kind)

    def _sample_until(self, time: Instant) -> None:
        """End-of-day balances: each boundary gets the balance just before it."""
        while self.next_sample <= time:
            self.daily.append(self.last_balance)
            self.next_sample += MICROS_PER_DAY
