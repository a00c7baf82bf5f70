"""A replication's payment randomness, drawn ahead and shared by every engine and policy.

Why one place: the exact engines (through ``Account``) and the compiled loop
must meet the same numbers in the same order, or their Outcomes differ. Each
kind of draw has its own array and its own stream of the payment seed, indexed
by its own counter:

- ``uniforms``: one per payment attempt, when a failure chance is set (the
  payment seed itself, as before delays could be random);
- ``processing_us``: one per recharge request, when the processing delay is random;
- ``fix_us``: one per failed attempt, when the admin's fix delay is random.

A fixed delay draws nothing, so a scenario of fixed delays gives the same
results as before. A delay is converted to whole microseconds once, here.
When a run needs more than an array holds it asks for more: the array is
redrawn eight times as long from the same stream (the same prefix, more of it).
"""

from __future__ import annotations

import numpy as np

from sim.account.payments import Delay, Payments, RandomDelay

FIRST_DRAWS = 64
"""Draws of each kind made before a run (each kind grows eightfold when it runs out)."""
AHEAD_MAX = 8**5 * FIRST_DRAWS
"""The most draws of a kind ``PaymentDraws.ahead`` makes before a run (2 million)."""
PROCESSING_STREAM = 1
"""The processing delays' stream: the payment seed's child with this spawn key."""
FIX_STREAM = 2
"""The fix delays' stream: the payment seed's child with this spawn key."""


def child_seed(seed: np.random.SeedSequence, key: int) -> np.random.SeedSequence:
    """The child of ``seed`` with spawn key ``key``, without advancing ``seed``'s counter.

    Why not ``seed.spawn``: a payment seed is reused for every policy (and by
    the dashboard for every rerun); ``spawn`` would give a different child each time.
    """
    return np.random.SeedSequence(
        seed.entropy, spawn_key=(*seed.spawn_key, key), pool_size=seed.pool_size
    )


class PaymentDraws:
    """The uniforms and drawn delays of one payment seed under one ``Payments``."""

    def __init__(self, seed: np.random.SeedSequence, payments: Payments) -> None:
        self.seed, self.payments = seed, payments
        self.uniforms = np.random.default_rng(seed).random(FIRST_DRAWS)
        self.processing_us = self._delays(payments.processing_delay, PROCESSING_STREAM, FIRST_DRAWS)
        self.fix_us = self._delays(payments.admin_fix_delay, FIX_STREAM, FIRST_DRAWS)

    def more(self, uniforms_used: int, processing_used: int, fixes_used: int) -> None:
        """Longer arrays for every kind a run used up (a run that ran out of draws)."""
        if uniforms_used >= len(self.uniforms):
            self.uniforms = np.random.default_rng(self.seed).random(8 * len(self.uniforms))
        if processing_used >= len(self.processing_us) > 0:
            self.processing_us = self._delays(
                self.payments.processing_delay, PROCESSING_STREAM, 8 * len(self.processing_us)
            )
        if fixes_used >= len(self.fix_us) > 0:
            self.fix_us = self._delays(
                self.payments.admin_fix_delay, FIX_STREAM, 8 * len(self.fix_us)
            )

    def ahead(self, attempts: int) -> None:
        """Draw enough for ``attempts`` payment attempts and requests (at most ``AHEAD_MAX``).

        The same numbers as growing them when a run runs out (eightfold, from the
        same stream): a caller that can tell how many its runs need saves the
        compiled engine a run that stops when they run out and starts again.
        """
        attempts = min(attempts, AHEAD_MAX)
        while True:
            uniforms = self.payments.failure_probability > 0 and len(self.uniforms) < attempts
            processing = 0 < len(self.processing_us) < attempts
            if not (uniforms or processing):
                return
            self.more(
                len(self.uniforms) if uniforms else 0,
                len(self.processing_us) if processing else 0,
                0,
            )

    def reader(self) -> DrawReader:
        """A cursor over these draws for one run of an exact engine."""
        return DrawReader(self)

    def _delays(self, delay: Delay, stream: int, size: int) -> np.ndarray:
        """``size`` microsecond delays (none for a fixed delay)."""
        if not isinstance(delay, RandomDelay):
            return np.empty(0, np.int64)
        rng = np.random.default_rng(child_seed(self.seed, stream))
        return np.ascontiguousarray(delay.sample_us(rng, size), np.int64)


class DrawReader:
    """One run's reading of a ``PaymentDraws``, in the order ``Account`` needs them.

    Each method takes the next draw of its kind, extending the arrays when
    they run out exactly as the compiled engine does.
    """

    def __init__(self, draws: PaymentDraws) -> None:
        self.draws = draws
        self.uniforms_used = self.processing_used = self.fixes_used = 0

    def uniform(self) -> float:
        """The next payment attempt's uniform in [0, 1)."""
        if self.uniforms_used >= len(self.draws.uniforms):
            self.draws.more(self.uniforms_used, 0, 0)
        self.uniforms_used += 1
        return float(self.draws.uniforms[self.uniforms_used - 1])

    def processing_delay_us(self) -> int:
        """The next recharge request's processing delay (a random one), in microseconds."""
        if self.processing_used >= len(self.draws.processing_us):
            self.draws.more(0, self.processing_used, 0)
        self.processing_used += 1
        return int(self.draws.processing_us[self.processing_used - 1])

    def fix_delay_us(self) -> int:
        """The next failure's fix delay (a random one), in microseconds."""
        if self.fixes_used >= len(self.draws.fix_us):
            self.draws.more(0, 0, self.fixes_used)
        self.fixes_used += 1
        return int(self.draws.fix_us[self.fixes_used - 1])
