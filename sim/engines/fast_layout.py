"""What crosses between the fast engine's Python side and its compiled loop.

The loop (``sim.engines.fast_loop``) takes three named tuples, the charged calls,
the policy's terms and the run's terms, and returns one, ``LoopResult``. Integer
codes inside the loop (a lot's source, the email kinds, the columns of the lots
and of a blocked tally, the funding steps) are derived here from the model's
own enums and records, so that ``sim.engines.fast`` decodes them by the same
names and a reordered enum or record cannot silently shift them.
"""

from __future__ import annotations

from dataclasses import fields
from typing import NamedTuple, get_type_hints

import numpy as np

from sim.account.ledger import Source
from sim.account.outcome import EMAIL_KINDS, BlockedTally
from sim.account.ties import Funding

NEVER = np.iinfo(np.int64).max
"""The time of a step that is not pending (later than any instant)."""
SPLIT_BITS = 24
"""The balance integral's high half counts spans >> 24, the low half their low 24 bits."""

SOURCES: tuple[Source, ...] = tuple(Source)
"""A lot's source as the loop stores it: its index here (also the index of ``funded``)."""
INITIAL = SOURCES.index(Source.INITIAL)
AUTO = SOURCES.index(Source.AUTO_RECHARGE)
MANUAL = SOURCES.index(Source.MANUAL)
SCHEDULED = SOURCES.index(Source.SCHEDULED)
OPENING = SOURCES.index(Source.OPENING)

SUCCEEDED = EMAIL_KINDS.index("recharge_succeeded")
FAILED = EMAIL_KINDS.index("recharge_failed")
DEPLETED = EMAIL_KINDS.index("balance_depleted")

BLOCKED_FIELDS: tuple[str, ...] = tuple(item.name for item in fields(BlockedTally))
"""The columns of the loop's blocked tally (one row per service), as ``BlockedTally``'s fields."""
BLOCKED_CALLS = BLOCKED_FIELDS.index("calls")
BLOCKED_DURATION = BLOCKED_FIELDS.index("duration_us")
BLOCKED_CHARGE = BLOCKED_FIELDS.index("charge_minor")

LOT_COLUMNS = (
    "purchased_at", "expires_at", "amount_minor", "remaining_minor", "repaid_deficit_minor",
    "consumed_minor", "forfeited_minor", "source",
)  # fmt: skip
"""The columns of the loop's lots array (one row per lot bought): ``Lot``'s fields but ``id``.

One int64 array, not eight: it grows in one piece and crosses into Python as one.
``source`` holds the source's code (``SOURCES``).
"""
PURCHASED_AT = LOT_COLUMNS.index("purchased_at")
EXPIRES_AT = LOT_COLUMNS.index("expires_at")
AMOUNT = LOT_COLUMNS.index("amount_minor")
REMAINING = LOT_COLUMNS.index("remaining_minor")
REPAID = LOT_COLUMNS.index("repaid_deficit_minor")
CONSUMED = LOT_COLUMNS.index("consumed_minor")
FORFEITED = LOT_COLUMNS.index("forfeited_minor")
SOURCE = LOT_COLUMNS.index("source")

STEP_INITIAL = int(Funding.INITIAL)
STEP_SCHEDULED = int(Funding.SCHEDULED_TOP_UP)
STEP_MANUAL = int(Funding.MANUAL_TOP_UP)
STEP_FIXED = int(Funding.PAYMENT_FIXED)
STEP_RECHARGE = int(Funding.RECHARGE_COMPLETES)
NO_STEP = -1


class ChargedCalls(NamedTuple):
    """A replication's charged calls in stream order (shared by every policy)."""

    start_us: np.ndarray
    end_us: np.ndarray
    service: np.ndarray
    """Index into the stream's service names."""
    charge_minor: np.ndarray
    credit_billed: np.ndarray
    billed_before: np.ndarray
    """Credit-billed calls before each index (length n + 1), to admit a batch in O(1)."""
    post_order: np.ndarray
    """Call indices by (end, stream order): the order in which charges post."""
    n_services: int


class PolicyTerms(NamedTuple):
    """A ``Policy`` as the loop reads it (amounts in minor units, delays in microseconds)."""

    auto_on: bool
    trigger_minor: int
    amount_minor: int
    manual_on: bool
    manual_amount_minor: int
    manual_delay_us: int
    opening_us: np.ndarray
    """The initial purchase, then the scheduled top-ups, in funding order."""
    opening_minor: np.ndarray
    recharges_to_trigger_max: int
    """``sim.limits.RECHARGES_TO_TRIGGER_MAX``, passed in: numba freezes globals at compile."""


class PolicyScalars(NamedTuple):
    """The scalars of ``PolicyTerms`` that the steps of every recharge read.

    The loop hands the steps this, not ``PolicyTerms``: every array inside a
    tuple given to an inlined step costs two atomic reference counts, and at a
    recharge's few instants those counts were most of the skip engine's work.
    """

    auto_on: bool
    trigger_minor: int
    amount_minor: int
    recharges_to_trigger_max: int


class PaymentScalars(NamedTuple):
    """The scalars of ``RunTerms`` that a recharge's request and attempt read (as above)."""

    processing_delay_us: int
    processing_random: bool
    failure_probability: float


class RunTerms(NamedTuple):
    """A ``RunSpec``'s window and payments as the loop reads them."""

    start_us: int
    end_us: int
    processing_delay_us: int
    """The fixed processing delay (unused when ``processing_random``)."""
    processing_random: bool
    """Each request takes the next drawn delay (``run_loop``'s ``processing_us``)."""
    failure_probability: float
    fix_delay_us: int
    """The fixed fix delay (unused when ``fix_random``)."""
    fix_random: bool
    """Each failure takes the next drawn fix delay (``run_loop``'s ``fix_us``)."""
    card_from_us: np.ndarray
    card_until_us: np.ndarray
    """-1: the card is never renewed."""
    office_hours_on: bool
    """False: the admin acts at any hour (``Payments.office_hours`` is None)."""
    office_open_us: np.ndarray
    office_close_us: np.ndarray
    """The admin's office hours, ``[open, close)`` intervals (``OfficeHours``)."""
    opening_purchased_us: np.ndarray
    """The opening lots' purchase instants, oldest first (``Opening.by_purchase``)."""
    opening_remaining_minor: np.ndarray
    prepaid_at_us: int
    """When the opening's pending recharge arrives (NEVER: none)."""
    prepaid_minor: int


class TimeBook(NamedTuple):
    """The balance over time: end-of-day samples so far, the exact integral, the minimum."""

    last_time: int
    last_balance: int
    integral_high: int
    integral_low: int
    min_balance: int
    settled_once: bool
    sampled: int
    """End-of-day samples written so far."""
    next_sample: int
    """The next day boundary to sample."""


class LoopResult(NamedTuple):
    """What one policy's pass over the calls produced (``sim.engines.fast`` makes the Outcome)."""

    balance_minor: int
    consumed_minor: int
    forfeited_minor: int
    min_balance_minor: int
    recharges: int
    failed_recharges: int
    recharge_pending: bool
    credit_billed_calls: int
    integral_high: int
    integral_low: int
    draws_used: int
    processing_used: int
    """Drawn processing delays used (requests, when the delay is random)."""
    fixes_used: int
    """Drawn fix delays used (failures, when the delay is random)."""
    out_of_draws: bool
    """The pre-drawn uniforms or delays ran out: the caller runs again with more."""
    runaway_at: int
    """When a recharge request needed too many recharges (NEVER: none); the run stopped."""
    runaway_balance_minor: int
    """The balance at that request."""
    funded_minor: np.ndarray
    """By source code (``SOURCES``)."""
    emails: np.ndarray
    """By ``EMAIL_KINDS``."""
    blocked: np.ndarray
    """Services x ``BLOCKED_FIELDS``."""
    episodes: np.ndarray
    """Outage episodes, rows of (start, end)."""
    daily_balance_minor: np.ndarray
    lots: np.ndarray
    """One row per lot bought, oldest first; columns ``LOT_COLUMNS``."""
    jumped_postings: int
    """Postings the skip engine posted by jumps (``sim.engines.skip_stretch``; 0: per call)."""


class LoopRoom(NamedTuple):
    """The arrays the loop fills, allocated by its caller (``sim.engines.fast_room``).

    The loop itself (``fast_loop.run_loop``) is compiled without numba's reference
    counts, so it cannot allocate: when ``lots``, ``episodes`` or ``manual_times``
    is full it stops (``LoopScalars.out_of_room``) and the caller runs it again with
    more room. The others have their final sizes.
    """

    blocked_call: np.ndarray
    """Per charged call: blocked (it never posts)."""
    blocked: np.ndarray
    funded_minor: np.ndarray
    emails: np.ndarray
    daily_balance_minor: np.ndarray
    lots: np.ndarray
    episodes: np.ndarray
    manual_times: np.ndarray
    """The manual top-ups due, in order."""


class LoopScalars(NamedTuple):
    """What ``fast_loop.run_loop`` returns besides what it wrote into its ``LoopRoom``."""

    balance_minor: int
    consumed_minor: int
    forfeited_minor: int
    min_balance_minor: int
    recharges: int
    failed_recharges: int
    recharge_pending: bool
    credit_billed_calls: int
    integral_high: int
    integral_low: int
    draws_used: int
    processing_used: int
    fixes_used: int
    out_of_draws: bool
    runaway_at: int
    runaway_balance_minor: int
    jumped_postings: int
    n_lots: int
    n_episodes: int
    out_of_room: bool
    """A ``LoopRoom`` array was full: the run stopped, and runs again with more room."""


RESULT_SCALARS = (
    "balance_minor", "consumed_minor", "forfeited_minor", "min_balance_minor", "recharges",
    "failed_recharges", "recharge_pending", "credit_billed_calls", "integral_high",
    "integral_low", "draws_used", "processing_used", "fixes_used", "out_of_draws", "runaway_at",
    "runaway_balance_minor", "jumped_postings",
)  # fmt: skip
"""``LoopResult``'s scalar fields, in its order: the columns of ``PolicyResults.scalars``.

Written out because ``fast_many.store_scalars`` fills them by position; checked below.
"""
_LOOP_SCALARS = tuple(
    name for name, hint in get_type_hints(LoopResult).items() if hint is not np.ndarray
)
if _LOOP_SCALARS != RESULT_SCALARS or LoopScalars._fields[: len(RESULT_SCALARS)] != RESULT_SCALARS:
    raise ImportError("fast_layout.RESULT_SCALARS: update it (and fast_many) for LoopResult")


class PolicyTable(NamedTuple):
    """Policies as ``fast_many.run_policies`` reads them: ``PolicyTerms`` in columns, a row each.

    The opening fundings of policy ``p`` are rows ``opening_first[p] .. opening_first[p + 1] - 1``
    of ``opening_us`` and ``opening_minor``.
    """

    auto_on: np.ndarray
    trigger_minor: np.ndarray
    amount_minor: np.ndarray
    manual_on: np.ndarray
    manual_amount_minor: np.ndarray
    manual_delay_us: np.ndarray
    opening_first: np.ndarray
    opening_us: np.ndarray
    opening_minor: np.ndarray
    recharges_to_trigger_max: int


class PolicyResults(NamedTuple):
    """``LoopResult``s of policies ``first .. first + done - 1`` of a table, stacked by policy.

    Row ``k`` is policy ``first + k``. When ``done`` falls short, policy
    ``first + done`` stopped (out of draws, or a runaway request): its row of
    ``scalars`` says which and how many draws it used; nothing else of it is kept.
    """

    done: int
    scalars: np.ndarray
    """Policies x ``RESULT_SCALARS`` (booleans as 0 and 1)."""
    funded_minor: np.ndarray
    """Policies x ``SOURCES``."""
    emails: np.ndarray
    """Policies x ``EMAIL_KINDS``."""
    blocked: np.ndarray
    """Policies x services x ``BLOCKED_FIELDS``."""
    daily_balance_minor: np.ndarray
    """Policies x days."""
    episode_first: np.ndarray
    """Policy ``k``'s outage episodes are rows ``episode_first[k] .. episode_first[k + 1] - 1``."""
    episodes: np.ndarray
    lot_first: np.ndarray
    """Policy ``k``'s lots are rows ``lot_first[k] .. lot_first[k + 1] - 1`` of ``lots``."""
    lots: np.ndarray
