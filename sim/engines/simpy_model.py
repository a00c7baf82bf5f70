"""The SimPy model: the reference engine, one process per actor.

Processes (plain generator functions with their dependencies as parameters,
in SimPy's own style):

- ``call_feed``: calls arrive in stream order; each admitted call schedules
  the posting of its charge at its end;
- ``payment_processor``: completes each auto-recharge request after the
  processing delay (success buys a lot, failure suspends auto-recharge);
- ``admin_fixer`` and ``admin_responder``: the admin fixes the payment method
  after a failure email, and answers a below-zero email with a top-up;
- ``opening_fundings``: the initial purchase and the scheduled top-ups;
- ``expiry``: forfeits each lot when it expires;
- ``notifier``: once everything at an instant is done, settles it (outage
  episodes, the below-zero email, balance samples).

All money moves through one ``Account`` (and its ``Ledger``), the same rules
the exact replay uses. Ties at one instant are ordered by event priorities
from ``sim.account.ties``, so this model and ``sim.engines.replay`` produce the same Outcome
and the same journal, entry for entry (a differential test checks it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterable, Iterator
from operator import attrgetter
from typing import Any, cast

import simpy
from simpy.events import Event, EventPriority

from sim.account.clock import Instant
from sim.account.ledger import JournalSink
from sim.account.outcome import Outcome
from sim.account.payment_draws import DrawReader
from sim.account.policy import Policy
from sim.account.rules import Account
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.account.ties import Funding, Phase

Process = Generator[Event, Any, None]


def _now(env: simpy.Environment) -> Instant:
    """The simulation clock: integer microseconds (every delay scheduled here is an int)."""
    return cast(Instant, env.now)


class At(Event):
    """An event at ``now + delay`` with a tie-order priority (a Timeout with rank)."""

    def __init__(self, env: simpy.Environment, delay: int, priority: int) -> None:
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, EventPriority(priority), delay)


class Signals:
    """The model's shared wiring: queues to the actors and the settle trigger."""

    account: Account

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.recharges = simpy.Store(env)
        self.fixes = simpy.Store(env)
        self.top_ups = simpy.Store(env)
        self.dirty = env.event()
        self.lot_opened = env.event()

    def schedule(self, time: Instant, step: Funding, amount_minor: int) -> None:
        """The Account asks for a funding step: hand it to the actor that does it."""
        store = {
            Funding.RECHARGE_COMPLETES: self.recharges,
            Funding.PAYMENT_FIXED: self.fixes,
            Funding.MANUAL_TOP_UP: self.top_ups,
        }[step]
        store.put((time, amount_minor))

    def touch(self) -> None:
        """Something happened now: settle this instant, and wake the expiry clock."""
        if not self.dirty.triggered:
            self.dirty.succeed()
        if not self.lot_opened.triggered and self.account.ledger.next_expiry() is not None:
            self.lot_opened.succeed()


def call_feed(env: simpy.Environment, signals: Signals, calls: Iterator[Call]) -> Process:
    """Admit each group of calls starting at one instant, then schedule postings."""
    account = signals.account
    for start, group in itertools.groupby(calls, key=attrgetter("start")):
        yield At(env, start - _now(env), Phase.ADMISSION)
        for call in group:
            if account.admit(_now(env), call):
                posting = At(env, call.end - _now(env), Phase.POSTING)
                posting.callbacks.append(_poster(signals, call))


def _poster(signals: Signals, call: Call) -> Callable[[Event], None]:
    def post(_event: Event) -> None:
        signals.account.post(_now(signals.env), call.charge_minor, call.ref)
        signals.touch()

    return post


def payment_processor(env: simpy.Environment, signals: Signals) -> Process:
    """Complete each recharge request at its time (request + processing delay)."""
    yield from _worker(env, signals, signals.recharges, Funding.RECHARGE_COMPLETES)


def admin_fixer(env: simpy.Environment, signals: Signals) -> Process:
    """Fix the payment method when the failure email says so (and the card allows)."""
    yield from _worker(env, signals, signals.fixes, Funding.PAYMENT_FIXED)


def admin_responder(env: simpy.Environment, signals: Signals) -> Process:
    """Top up by hand after each below-zero email, once the response delay has passed."""
    yield from _worker(env, signals, signals.top_ups, Funding.MANUAL_TOP_UP)


def _worker(env: simpy.Environment, signals: Signals, store: simpy.Store, step: Funding) -> Process:
    while True:
        time, amount = yield store.get()
        yield At(env, time - _now(env), step.priority)
        signals.account.perform(_now(env), step, amount)
        signals.touch()


def opening_fundings(env: simpy.Environment, signals: Signals) -> Process:
    """The initial purchase and scheduled top-ups, all scheduled at the start."""
    steps = signals.account.opening_fundings()
    events = [At(env, time - _now(env), step.priority) for time, step, _ in steps]
    for event, (_, step, amount) in zip(events, steps, strict=True):
        yield event
        signals.account.perform(_now(env), step, amount)
        signals.touch()


def expiry(env: simpy.Environment, signals: Signals) -> Process:
    """Sleep until the oldest lot expires; forfeit it; repeat."""
    ledger = signals.account.ledger
    while True:
        due = ledger.next_expiry()
        if due is None:
            signals.lot_opened = env.event()
            yield signals.lot_opened
            continue
        yield At(env, due - _now(env), Phase.EXPIRY)
        if signals.account.expire(_now(env)):
            signals.touch()


def notifier(env: simpy.Environment, signals: Signals) -> Process:
    """Settle each instant in which something happened, after all its events."""
    while True:
        yield signals.dirty
        yield At(env, 0, Phase.SETTLE)
        signals.dirty = env.event()
        signals.account.settle(_now(env))


def simulate(
    calls: Iterable[Call],
    policy: Policy,
    spec: RunSpec,
    *,
    draw: Callable[[], float] | None = None,
    delays: DrawReader | None = None,
    on_entry: JournalSink | None = None,
) -> Outcome:
    """Run the SimPy model of ``calls`` (stream order) under ``policy`` over ``spec``.

    Same contract as ``sim.engines.replay.replay``: the initial balance is bought at
    ``spec.start``, the run includes every event at ``spec.end``, and ``draw`` gives
    one uniform number per payment attempt when failures are possible (``delays``:
    the drawn delays, when a payment delay is random).
    """
    env = simpy.Environment(initial_time=spec.start)
    signals = Signals(env)
    account = Account(
        policy, spec, schedule=signals.schedule, draw=draw, delays=delays, on_entry=on_entry
    )
    signals.account = account
    prepaid = account.prepaid_recharge()
    if prepaid is not None:  # in flight before the run: the payment processor completes it
        signals.schedule(prepaid[0], Funding.RECHARGE_COMPLETES, prepaid[1])
    env.process(opening_fundings(env, signals))
    env.process(call_feed(env, signals, _checked(calls, spec.start, spec.end)))
    for actor in (payment_processor, admin_fixer, admin_responder, expiry, notifier):
        env.process(actor(env, signals))
    env.run(until=spec.end + 1)  # instants are whole microseconds: this runs every event at end
    return account.outcome()


def _checked(calls: Iterable[Call], start: Instant, end: Instant) -> Iterator[Call]:
    """Refuse calls out of stream order or outside the run (as the replay does)."""
    previous = start
    for call in calls:
        if call.start < previous or call.end < call.start or call.end > end:
            raise ValueError(f"call {call.ref} is out of stream order or outside the run")
        if call.charge_minor < 0:
            raise ValueError(f"call {call.ref} has a negative charge ({call.charge_minor})")
        previous = call.start
        yield call
