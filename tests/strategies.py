"""Hypothesis strategies shared by the law and differential tests.

Streams on a coarse hourly grid (so ties are common) over 500 days (so lots
expire), with policies, payment delays (fixed or drawn), failures, card
expiries, office hours and opening accounts (lots bought before the start on
the same grid, so some expire at a call's end; a recharge pending at the start).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from hypothesis import strategies as st

from sim.account.clock import (
    MICROS_PER_DAY,
    MICROS_PER_HOUR,
    MICROS_PER_MINUTE,
    Instant,
    parse_instant,
)
from sim.account.ledger import JournalEntry
from sim.account.money import currency
from sim.account.opening import Opening
from sim.account.outcome import Outcome
from sim.account.payment_draws import DrawReader, PaymentDraws
from sim.account.payments import CardExpiry, Delay, OfficeHours, Payments
from sim.account.policy import AutoRecharge, ManualTopUp, Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.study.experiment import payment_delay
from sim.world.scenario_types import Exponential, LogNormal

Engine = Callable[..., Outcome]
"""``replay`` or ``simulate``: (calls, policy, spec, *, draw, on_entry) -> Outcome."""
USD = currency("USD")
START = parse_instant("2024-01-15T00:00:00Z", naive_is_utc=False)
SPAN_US = 500 * MICROS_PER_DAY  # long enough for lots to expire
END = START + SPAN_US


def weekday_hours(first_h: int, last_h: int, *, days: int = 510) -> OfficeHours:
    """Office hours ``first_h``..``last_h`` UTC on weekdays from START (a Monday) for ``days``."""
    opens = [
        START + day * MICROS_PER_DAY + first_h * MICROS_PER_HOUR
        for day in range(days)
        if day % 7 < 5
    ]
    return OfficeHours(
        tuple(opens), tuple(time + (last_h - first_h) * MICROS_PER_HOUR for time in opens)
    )


OFFICE_HOURS = (
    weekday_hours(9, 17),
    weekday_hours(0, 24),
    weekday_hours(9, 17, days=200),  # none left after day 200: a fix then never comes
)
"""Office hours a case may have besides none (the admin acts at any hour)."""


@dataclass(frozen=True)
class Case:
    calls: list[Call]
    policy: Policy
    payments: Payments
    draws: list[float]
    delay_seed: int
    """The payment seed of the drawn delays (``PaymentDraws``), when a delay is random."""
    opening: Opening = field(default_factory=Opening)

    @property
    def spec(self) -> RunSpec:
        """The run every case is replayed over: USD, [START, END], the case's payments
        and opening account."""
        return RunSpec(USD, START, END, self.payments, self.opening)


def _delays(
    hours: list[int], dists: tuple[Exponential | LogNormal, ...]
) -> st.SearchStrategy[Delay]:
    """A fixed delay of one of ``hours``, or one drawn from one of ``dists``."""
    fixed = st.sampled_from([timedelta(hours=h) for h in hours])
    return fixed | st.sampled_from([payment_delay(dist) for dist in dists])


PROCESSING_DISTS = (
    Exponential(dist="exponential", mean=2.0),
    LogNormal(dist="lognormal", mean=4.0, sd=3.0),
)
"""Drawn processing delays a case may have (hours): short, so ties stay possible."""
FIX_DISTS = (
    Exponential(dist="exponential", mean=30.0),
    LogNormal(dist="lognormal", mean=24.0, sd=40.0),
)
"""Drawn fix delays a case may have (hours)."""

# Every strategy the composites draw from is built once, here: building (and validating)
# them anew inside each draw cost more than running the engines on the case.
_CALL_COUNT = st.integers(0, 40)
_START_H = st.integers(0, 500 * 24)
_DURATION_S_AND_SERVICE = st.sampled_from(
    list(
        itertools.product(
            [0, 30, 60, 600, 3600], ["toll_free_dial_in", "dial_out", "international"]
        )
    )
)
"""A call's duration (seconds) and service, in one draw (a case draws up to 40 calls)."""
_CHARGE = st.integers(0, 5000)
_BILLED = st.sampled_from([False, True, True, True])
"""Credit-billed three times in four, in one draw (``booleans() | just(True)`` took two)."""
_AUTO = st.none() | st.builds(AutoRecharge, st.integers(0, 5000), st.integers(100, 8000))
_MANUAL = st.none() | st.builds(
    ManualTopUp, st.integers(1, 8000), st.sampled_from([timedelta(hours=h) for h in (1, 24)])
)
_INITIAL = st.integers(0, 10_000)
_CARD = st.none() | st.tuples(st.integers(0, 400), st.none() | st.integers(1, 60))
_PROCESSING = _delays([0, 0, 1, 48], PROCESSING_DISTS)
_FAILURE = st.sampled_from([0.0, 0.2, 0.7])
_FIX = _delays([0, 5, 72], FIX_DISTS)
_OFFICE = st.none() | st.sampled_from(OFFICE_HOURS)
_DRAWS = st.lists(st.floats(0, 1, exclude_max=True), max_size=20)
_SEED = st.integers(0, 2**32)
_STARTS_H = [st.lists(_START_H, min_size=count, max_size=count) for count in range(41)]
"""The sorted call starts of a case of ``count`` calls (hours), by ``count``."""
_LOT_COUNT = st.integers(0, 3)
_AGE_H = st.integers(0, 364 * 24)
_LOT_AMOUNT = st.integers(1, 6000)
_PENDING = st.none() | st.tuples(
    st.integers(0, 72).map(lambda h: START + h * MICROS_PER_HOUR), st.integers(1, 8000)
)


@st.composite
def calls(draw: st.DrawFn) -> list[Call]:
    count = draw(_CALL_COUNT)
    # Coarse start grid (hours) so that ties between events are common.
    starts = sorted(draw(_STARTS_H[count]))
    result = []
    for ref, start_h in enumerate(starts):
        start = START + start_h * 60 * MICROS_PER_MINUTE
        duration_s, service = draw(_DURATION_S_AND_SERVICE)
        duration = duration_s * 1_000_000
        charge = draw(_CHARGE)
        billed = charge > 0 and draw(_BILLED)
        result.append(Call(start, min(start + duration, END), service, charge, billed, ref))
    return result


_CALLS = calls()


@st.composite
def openings(draw: st.DrawFn) -> Opening:
    """Up to 3 lots bought on the hour in the year before START (each expires inside the
    run), and maybe a recharge pending at START or in the 3 days after."""
    count = draw(_LOT_COUNT)
    ages_h = draw(st.lists(_AGE_H, min_size=count, max_size=count))
    amounts = draw(st.lists(_LOT_AMOUNT, min_size=count, max_size=count))
    lots = tuple(
        (START - age * MICROS_PER_HOUR, amount) for age, amount in zip(ages_h, amounts, strict=True)
    )
    return Opening(lots, draw(_PENDING))


_OPENING = st.just(Opening()) | openings()


@st.composite
def cases(draw: st.DrawFn) -> Case:
    auto, manual = draw(_AUTO), draw(_MANUAL)
    policy = Policy(draw(_INITIAL), auto, manual)
    card = draw(_CARD)
    expiries = ()
    if card is not None:
        expired = START + card[0] * MICROS_PER_DAY
        renewed = None if card[1] is None else expired + card[1] * MICROS_PER_DAY
        expiries = (CardExpiry(expired, renewed),)
    payments = Payments(
        processing_delay=draw(_PROCESSING),
        failure_probability=draw(_FAILURE),
        admin_fix_delay=draw(_FIX),
        card_expiries=expiries,
        office_hours=draw(_OFFICE),
    )
    # The cycle of draws ends with a success, so zero-delay retries terminate
    # (with a real generator they do with probability 1).
    draws = [*draw(_DRAWS), 0.99]
    opening = draw(_OPENING)
    return Case(draw(_CALLS), policy, payments, draws, draw(_SEED), opening)


def delays(case: Case) -> DrawReader:
    """A fresh reading of the case's drawn delays (every engine reads the same ones)."""
    return PaymentDraws(np.random.SeedSequence(case.delay_seed), case.payments).reader()


def drawer(case: Case) -> Callable[[], float]:
    """A fresh draw() cycling through the case's uniform numbers."""
    cycle = itertools.cycle(case.draws)
    return lambda: next(cycle)


def run_case(engine: Engine, case: Case) -> tuple[Outcome, list[JournalEntry]]:
    """``engine`` (``replay`` or ``simulate``) on ``case``: its Outcome and every journal entry."""
    journal: list[JournalEntry] = []
    outcome = engine(
        case.calls,
        case.policy,
        case.spec,
        draw=drawer(case),
        delays=delays(case),
        on_entry=journal.append,
    )
    return outcome, journal


def at(text: str) -> Instant:
    """An instant from an ISO text; naive times are UTC (``2025-01-01 09:30``)."""
    return parse_instant(text, naive_is_utc=True)
