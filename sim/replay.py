"""Exact event-driven replay of a call stream against one policy.

The engine walks instants in time order. Within an instant the model rules fix
the order (README, "Ties at one instant"):

1. lot expiries;
2. postings of calls that end now, in stream order;
3. completed fundings and admin actions (a zero-delay recharge requested in
   step 1 or 2 completes here, in the same instant);
4. admissions of calls that start now (a credit-billed call needs balance > 0).

Zero-duration calls admitted in step 4 end in the same instant, so the steps
repeat until nothing is left at that instant. Only then is the instant
*settled*: the minimum balance, the balance integral, outage episodes and the
below-zero email are judged on the balance once everything at that instant is
done, so a dip that a zero-delay recharge repairs is no outage.

After any change of balance, if it is below the trigger, auto-recharge is on,
no request is pending and payments are not suspended, a request is raised.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator

from sim.clock import MICROS_PER_DAY, Instant, micros
from sim.ledger import EntryKind, JournalSink, Ledger, Source
from sim.money import Currency
from sim.outcome import EMAIL_KINDS, BlockedTally, Outcome
from sim.payments import Payments
from sim.policy import Policy
from sim.stream import Call
from sim.ties import Funding


class Replayer:
    """One policy's run over a call stream, fed in pieces or all at once.

    ``advance(calls, until)`` processes every event up to and including the
    instant ``until``; the calls fed must be in stream order and start after
    the calls fed before. ``finish()`` closes the run at its end. Feeding a
    stream in pieces gives exactly the outcome and journal of feeding it at
    once (a tested law), which is what lets the SimPy model and a streaming
    backtest share this engine.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        currency: Currency,
        start: Instant,
        end: Instant,
        payments: Payments | None = None,
        draw: Callable[[], float] | None = None,
        on_entry: JournalSink | None = None,
    ) -> None:
        self.payments = payments or Payments()
        if end < start:
            raise ValueError(f"end(={end}) must not be before start(={start})")
        if self.payments.needs_draws and draw is None:
            raise ValueError("a failure_probability > 0 needs a draw() of uniform numbers")
        self.policy = policy
        self.currency = currency
        self.start, self.end = start, end
        self.draw = draw
        self.ledger = Ledger(on_entry=on_entry)
        self.delay_us = micros(self.payments.processing_delay)
        self.ends: list[tuple[Instant, int, int, int]] = []  # (end, seq, charge, ref)
        self.actions: list[tuple[Instant, Funding, int, int]] = []  # (time, step, seq, amount)
        self.seq = 0
        self.pending = False
        self.suspended = False
        self.notified = False
        self.outage_since: Instant | None = None
        self.episodes: list[tuple[Instant, Instant]] = []
        self.blocked: dict[str, BlockedTally] = {}
        self.emails = dict.fromkeys(EMAIL_KINDS, 0)
        self.recharges = 0
        self.failed = 0
        self.calls = 0
        self.credit_billed = 0
        self.last_time = start
        self.next_sample = start + MICROS_PER_DAY
        self.daily: list[int] = []
        self.last_balance = 0
        self.integral = 0
        self.min_balance: int | None = None
        self.last_fed = start
        self.done_until: Instant | None = None
        self.schedule(start, Funding.INITIAL, policy.initial_minor)
        for scheduled in policy.scheduled:
            for moment in scheduled.instants(end):
                if moment >= start:
                    self.schedule(moment, Funding.SCHEDULED_TOP_UP, scheduled.amount_minor)

    # -- driving ------------------------------------------------------------
    def advance(self, calls: Iterable[Call], until: Instant) -> None:
        """Feed ``calls`` and process every event at or before ``until``."""
        if until > self.end:
            raise ValueError(f"until(={until}) is after the run's end(={self.end})")
        starts = self._checked(calls, until)
        upcoming = next(starts, None)
        while (time := self._next_time(upcoming)) is not None and time <= until:
            while time == self._next_time(upcoming):
                self.expire(time)
                self.post(time)
                self.act(time)
                while upcoming is not None and upcoming.start <= time:
                    self.admit(time, upcoming)
                    upcoming = next(starts, None)
            self.settle(time)
        self.done_until = until

    def _next_time(self, upcoming: Call | None) -> Instant | None:
        """The earliest instant at which anything happens next."""
        candidates = [
            t
            for t in (
                self.ledger.next_expiry(),
                self.ends[0][0] if self.ends else None,
                self.actions[0][0] if self.actions else None,
                upcoming.start if upcoming is not None else None,
            )
            if t is not None
        ]
        return min(candidates) if candidates else None

    def _checked(self, calls: Iterable[Call], until: Instant) -> Iterator[Call]:
        """Yield calls, refusing any out of stream order or outside the run."""
        for call in calls:
            done = self.done_until is not None and call.start <= self.done_until
            if done or call.start < self.last_fed or call.start > until:
                raise ValueError(
                    f"call {call.ref} starts out of stream order, in an instant already "
                    f"processed, or after until(={until})"
                )
            if call.end < call.start or call.end > self.end:
                raise ValueError(f"call {call.ref} ends outside [its start, the run's end]")
            if call.charge_minor < 0:
                raise ValueError(f"call {call.ref} has a negative charge ({call.charge_minor})")
            self.last_fed = call.start
            yield call

    # -- scheduling ---------------------------------------------------------
    def schedule(self, time: Instant, action: Funding, amount_minor: int = 0) -> None:
        self.seq += 1
        heapq.heappush(self.actions, (time, action, self.seq, amount_minor))

    def maybe_request(self, time: Instant) -> None:
        """Raise an auto-recharge request if the balance is strictly below trigger."""
        auto = self.policy.auto
        if auto is None or self.pending or self.suspended:
            return
        if self.ledger.balance_minor < auto.trigger_minor:
            self.pending = True
            self.ledger.note(time, EntryKind.RECHARGE_REQUESTED)
            self.schedule(time + self.delay_us, Funding.RECHARGE_COMPLETES, auto.amount_minor)

    # -- the four steps of an instant ---------------------------------------
    def expire(self, time: Instant) -> None:
        if self.ledger.expire(time):
            self.maybe_request(time)

    def post(self, time: Instant) -> None:
        while self.ends and self.ends[0][0] <= time:
            _, _, charge, ref = heapq.heappop(self.ends)
            self.ledger.consume(time, charge, f"call@{ref}")
            self.maybe_request(time)

    def act(self, time: Instant) -> None:
        while self.actions and self.actions[0][0] <= time:
            _, action, _, amount = heapq.heappop(self.actions)
            self.perform(time, action, amount)
            self.maybe_request(time)

    def perform(self, time: Instant, action: Funding, amount: int) -> None:
        if action is Funding.INITIAL:
            if amount:
                self.ledger.fund(time, amount, Source.INITIAL)
        elif action is Funding.RECHARGE_COMPLETES:
            self.complete_recharge(time, amount)
        elif action is Funding.PAYMENT_FIXED:
            self.suspended = False
            self.ledger.note(time, EntryKind.PAYMENT_FIXED)
        elif action is Funding.MANUAL_TOP_UP:
            self.ledger.fund(time, amount, Source.MANUAL)
            self.notified = False
        else:
            self.ledger.fund(time, amount, Source.SCHEDULED)

    def complete_recharge(self, time: Instant, amount: int) -> None:
        self.pending = False
        draw = self.draw() if self.payments.needs_draws and self.draw else 1.0
        if not self.payments.attempt_fails(time, draw):
            self.ledger.fund(time, amount, Source.AUTO_RECHARGE)
            self.recharges += 1
            self.email(time, "recharge_succeeded")
            return
        self.failed += 1
        self.suspended = True
        self.ledger.note(time, EntryKind.RECHARGE_FAILED)
        self.email(time, "recharge_failed")
        resume = self.payments.resumes_at(time)
        if resume is not None:
            self.schedule(resume, Funding.PAYMENT_FIXED)

    def admit(self, time: Instant, call: Call) -> None:
        self.calls += 1
        if call.credit_billed:
            self.credit_billed += 1
            if self.ledger.balance_minor <= 0:
                tally = self.blocked.setdefault(call.service, BlockedTally())
                tally.add(call.end - call.start, call.charge_minor)
                self.ledger.note(time, EntryKind.CALL_BLOCKED, f"call@{call.ref}")
                return
        if call.charge_minor:
            self.seq += 1
            heapq.heappush(self.ends, (call.end, self.seq, call.charge_minor, call.ref))

    def email(self, time: Instant, kind: str) -> None:
        self.emails[kind] += 1
        self.ledger.note(time, EntryKind.EMAIL, kind)

    # -- settling an instant ------------------------------------------------
    def settle(self, time: Instant) -> None:
        """Judge the balance once every event at ``time`` is done."""
        balance = self.ledger.balance_minor
        self.sample_until(time)
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
            self.email(time, "balance_depleted")
            if self.policy.manual is not None:
                manual = self.policy.manual
                self.schedule(
                    time + micros(manual.response_delay), Funding.MANUAL_TOP_UP, manual.amount_minor
                )

    def sample_until(self, time: Instant) -> None:
        """Record the balance in force at each day boundary up to ``time``.

        A boundary's sample is the balance just before it (the end-of-day
        balance), so events at the boundary instant count for the next day.
        """
        while self.next_sample <= time:
            self.daily.append(self.last_balance)
            self.next_sample += MICROS_PER_DAY

    def finish(self) -> Outcome:
        """Process what is left up to the end and return the Outcome."""
        self.advance((), self.end)
        end = self.end
        self.sample_until(end)
        self.integral += self.last_balance * (end - self.last_time)
        if self.outage_since is not None:
            self.episodes.append((self.outage_since, end))
        ledger = self.ledger
        return Outcome(
            currency=self.currency,
            start=self.start,
            end=end,
            funded_by_source_minor=dict(ledger.funded_by_source_minor),
            consumed_minor=ledger.consumed_minor,
            forfeited_minor=ledger.forfeited_minor,
            final_balance_minor=ledger.balance_minor,
            balance_integral=self.integral,
            min_balance_minor=self.min_balance if self.min_balance is not None else 0,
            recharges=self.recharges,
            failed_recharges=self.failed,
            recharge_pending_at_end=self.pending,
            calls=self.calls,
            credit_billed_calls=self.credit_billed,
            blocked=self.blocked,
            outage_episodes=self.episodes,
            emails=self.emails,
            lots=ledger.lots,
            daily_balance_minor=self.daily,
        )


def replay(
    calls: Iterable[Call],
    policy: Policy,
    *,
    currency: Currency,
    start: Instant,
    end: Instant,
    payments: Payments | None = None,
    draw: Callable[[], float] | None = None,
    on_entry: JournalSink | None = None,
) -> Outcome:
    """Replay ``calls`` (in stream order) against ``policy`` from ``start`` to ``end``.

    The initial balance is purchased at ``start``; events after ``end`` (call
    postings, recharges, expiries) are not part of the run. ``draw`` supplies
    one uniform number in [0, 1) per payment attempt and is needed only when
    ``payments.failure_probability > 0``. Every journal entry goes to
    ``on_entry`` as it is written.
    """
    run = Replayer(
        policy,
        currency=currency,
        start=start,
        end=end,
        payments=payments,
        draw=draw,
        on_entry=on_entry,
    )
    run.advance(calls, end)
    return run.finish()
