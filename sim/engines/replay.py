"""Exact event-driven replay of a call stream against one policy.

The engine walks instants in time order. Within an instant the model rules fix
the order (docs/model.md#ties-at-one-instant):

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

from sim.account.clock import Instant
from sim.account.ledger import JournalSink, Ledger
from sim.account.outcome import Outcome
from sim.account.payment_draws import DrawReader
from sim.account.policy import Policy
from sim.account.rules import Account
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.account.ties import Funding


class Replayer:
    """One policy's run over a call stream, fed in pieces or all at once.

    ``advance(calls, until)`` processes every event up to and including the
    instant ``until``; the calls fed must be in stream order and start after
    the instants already processed. ``finish()`` closes the run at its end.
    Feeding a stream in pieces gives exactly the outcome and journal of
    feeding it at once (a tested law).
    """

    def __init__(
        self,
        policy: Policy,
        spec: RunSpec,
        *,
        draw: Callable[[], float] | None = None,
        delays: DrawReader | None = None,
        on_entry: JournalSink | None = None,
    ) -> None:
        self.end = spec.end
        self.account = Account(
            policy, spec, schedule=self._schedule, draw=draw, delays=delays, on_entry=on_entry
        )
        self.ends: list[tuple[Instant, int, int, int]] = []  # (end, seq, charge, ref)
        self.steps: list[tuple[Instant, Funding, int, int]] = []  # (time, step, seq, amount)
        self.seq = 0
        self.last_fed = spec.start
        self.done_until: Instant | None = None
        for time, step, amount in self.account.opening_fundings():
            self._schedule(time, step, amount)
        prepaid = self.account.prepaid_recharge()
        if prepaid is not None:
            self._schedule(prepaid[0], Funding.RECHARGE_COMPLETES, prepaid[1])

    @property
    def ledger(self) -> Ledger:
        """The account's ledger (for inspection in tests)."""
        return self.account.ledger

    def advance(self, calls: Iterable[Call], until: Instant) -> None:
        """Feed ``calls`` and process every event at or before ``until``."""
        if until > self.end:
            raise ValueError(f"until(={until}) is after the run's end(={self.end})")
        account = self.account
        starts = self._checked(calls, until)
        upcoming = next(starts, None)
        while (time := self._next_time(upcoming)) is not None and time <= until:
            while time == self._next_time(upcoming):
                account.expire(time)
                while self.ends and self.ends[0][0] <= time:
                    _, _, charge, ref = heapq.heappop(self.ends)
                    account.post(time, charge, ref)
                while self.steps and self.steps[0][0] <= time:
                    _, step, _, amount = heapq.heappop(self.steps)
                    account.perform(time, step, amount)
                while upcoming is not None and upcoming.start <= time:
                    if account.admit(time, upcoming):
                        self.seq += 1
                        item = (upcoming.end, self.seq, upcoming.charge_minor, upcoming.ref)
                        heapq.heappush(self.ends, item)
                    upcoming = next(starts, None)
            account.settle(time)
        self.done_until = until

    def finish(self) -> Outcome:
        """Process what is left up to the end and return the Outcome."""
        self.advance((), self.end)
        return self.account.outcome()

    def _schedule(self, time: Instant, step: Funding, amount_minor: int) -> None:
        self.seq += 1
        heapq.heappush(self.steps, (time, step, self.seq, amount_minor))

    def _next_time(self, upcoming: Call | None) -> Instant | None:
        """The earliest instant at which anything happens next."""
        candidates = [
            t
            for t in (
                self.ledger.next_expiry(),
                self.ends[0][0] if self.ends else None,
                self.steps[0][0] if self.steps else None,
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


def replay(
    calls: Iterable[Call],
    policy: Policy,
    spec: RunSpec,
    *,
    draw: Callable[[], float] | None = None,
    delays: DrawReader | None = None,
    on_entry: JournalSink | None = None,
) -> Outcome:
    """Replay ``calls`` (in stream order) against ``policy`` over ``spec``'s window.

    The initial balance is purchased at ``spec.start``; events after
    ``spec.end`` (call postings, recharges, expiries) are not part of the run.
    ``draw`` supplies one uniform number in [0, 1) per payment attempt and is
    needed only when ``spec.payments.failure_probability > 0``; ``delays``
    gives the drawn delays, needed only when a payment delay is random
    (``sim.account.payment_draws``). Every journal
    entry goes to ``on_entry`` as it is written.
    """
    run = Replayer(policy, spec, draw=draw, delays=delays, on_entry=on_entry)
    run.advance(calls, spec.end)
    return run.finish()
