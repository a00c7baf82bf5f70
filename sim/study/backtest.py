"""Backtest: replay a recorded call file against one policy, deterministically.

Glue between the importer (``sim.calls.usage``), the bounded-memory sort
(``sim.calls.spool``) and the engine (``sim.engines.replay``). It also decides the run's
window: the initial lot is bought at ``start`` (default: the earliest call
start) and the run ends at ``end`` (default: the latest call end). Calls that
do not lie wholly inside the window are not replayed but counted, by reason,
so nothing in the file is lost without a trace. Rows that repeat a billed leg
(``sim.calls.duplicates``) are dropped by default and counted likewise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sim.account.clock import Instant, add_months, to_iso
from sim.account.forfeit import ForfeitProjection, project_forfeits
from sim.account.ledger import LOT_VALIDITY_MONTHS, JournalSink
from sim.account.money import Currency
from sim.account.outcome import Outcome
from sim.account.payments import Payments
from sim.account.policy import Policy
from sim.account.run_spec import RunSpec
from sim.account.stream import Call
from sim.calls.excel_dates import DateOrder
from sim.calls.export_zip import ExportZip, open_recorded
from sim.calls.spool import sort_calls
from sim.calls.usage import UsageFile
from sim.engines.replay import replay
from sim.errors import InputError


@dataclass(frozen=True, slots=True)
class RowAccount:
    """Where every data row of the input went."""

    format: str
    rows: int
    replayed: int
    outside_window: int
    not_credit_billed: dict[str, int]
    duplicates: int = 0
    """Rows that repeat a billed leg of an earlier row (``sim.calls.duplicates``)."""
    duplicates_dropped: int = 0
    """Of those, the rows left out (all of them unless ``--keep-duplicates``)."""
    first_duplicate_line: int | None = None
    first_duplicate_member: str | None = None
    """The export zip's member holding ``first_duplicate_line`` (None: not a zip)."""
    charged_under_plan: int = 0
    """Charged rows under a Calling Plan licence (billed as written; a warning)."""
    first_charged_under_plan: int | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON shape (the ``rows`` key of ``credsim backtest --json``)."""
        return {
            "format": self.format,
            "read": self.rows,
            "replayed": self.replayed,
            "outside_window": self.outside_window,
            "not_credit_billed": dict(sorted(self.not_credit_billed.items())),
            "duplicates": self.duplicates,
            "duplicates_dropped": self.duplicates_dropped,
            "first_duplicate_line": self.first_duplicate_line,
            "first_duplicate_member": self.first_duplicate_member,
            "charged_under_plan": self.charged_under_plan,
            "first_charged_under_plan_line": self.first_charged_under_plan,
        }


@dataclass(frozen=True, slots=True)
class Backtest:
    """A backtest's outcome and the account of the input rows."""

    outcome: Outcome
    rows: RowAccount

    @property
    def forfeits(self) -> ForfeitProjection:
        """The lots open at the window's end and what they would forfeit (docs/model.md)."""
        return project_forfeits(self.outcome)

    @property
    def short_window(self) -> bool:
        """Shorter than a lot's 12 months: no lot bought in it could have expired in it."""
        return add_months(self.outcome.start, LOT_VALIDITY_MONTHS) > self.outcome.end

    def to_dict(self) -> dict[str, object]:
        """The full JSON object printed by ``credsim backtest --json``."""
        forfeits = self.forfeits
        return {
            **self.outcome.to_dict(),
            "open_lots": forfeits.open_lots_dict(),
            "forfeit_projection": forfeits.to_dict(),
            "warnings": [SHORT_WINDOW] if self.short_window else [],
            "rows": self.rows.to_dict(),
        }


SHORT_WINDOW = (
    "the window is shorter than 12 months: nothing could have expired inside it, so "
    "'forfeited' says nothing about forfeits; see the open lots and the forfeit projection"
)
"""The warning of a backtest window shorter than a lot's life."""


class Recording:
    """A recorded call file, read once and held in stream order.

    Use as a context manager: the sorted calls may live in temporary files.
    ``currency``, ``first_start`` and ``last_end`` are known once it is open,
    so amounts given in major units can be converted before replaying.
    """

    def __init__(
        self,
        path: Path,
        *,
        currency_code: str | None = None,
        keep_duplicates: bool = False,
        date_order: DateOrder | None = None,
    ) -> None:
        self.path = path
        self._usage: UsageFile | ExportZip = open_recorded(
            path,
            currency_code=currency_code,
            keep_duplicates=keep_duplicates,
            date_order=date_order,
        )
        self._ordered = sort_calls(self._usage.calls())

    @property
    def currency(self) -> Currency:
        """The file's currency."""
        return self._usage.currency

    @property
    def first_start(self) -> Instant | None:
        """The earliest call start in the file."""
        return self._ordered.first_start

    @property
    def last_end(self) -> Instant | None:
        """The latest call end in the file."""
        return self._ordered.last_end

    def window(self, start: Instant | None, end: Instant | None) -> tuple[Instant, Instant]:
        """The run's [start, end]: explicit bounds, else the file's own."""
        run_start = _pick(start, self.first_start, self.path)
        run_end = _pick(end, self.last_end, self.path)
        if run_end < run_start:
            raise InputError(
                f"the run would end ({to_iso(run_end)}) before it starts ({to_iso(run_start)})",
                source=self.path,
            )
        return run_start, run_end

    def run_spec(
        self,
        payments: Payments | None = None,
        *,
        start: Instant | None = None,
        end: Instant | None = None,
    ) -> RunSpec:
        """The file's currency and window (``window``), with ``payments`` (default: none fail)."""
        run_start, run_end = self.window(start, end)
        return RunSpec(self.currency, run_start, run_end, payments or Payments())

    def backtest(
        self,
        policy: Policy,
        spec: RunSpec | None = None,
        *,
        on_entry: JournalSink | None = None,
    ) -> Backtest:
        """Replay the file's calls under ``policy`` over ``spec`` (see the module doc).

        ``spec`` comes from ``run_spec`` (default: the file's own window, no
        payment failures); its currency must be the file's.
        """
        spec = spec or self.run_spec()
        if spec.currency != self.currency:
            raise ValueError(
                f"spec.currency(={spec.currency}) must be the file's currency ({self.currency})"
            )
        outside: Counter[str] = Counter()
        outcome = replay(
            _inside(self._ordered, spec.start, spec.end, outside),
            policy,
            spec,
            on_entry=on_entry,
        )
        rows = RowAccount(
            format=self._usage.format.value,
            rows=self._usage.rows,
            replayed=outcome.calls,
            outside_window=outside["outside"],
            not_credit_billed=dict(self._usage.not_credit_billed),
            duplicates=self._usage.duplicates,
            duplicates_dropped=self._usage.duplicates_dropped,
            first_duplicate_line=self._usage.first_duplicate_line,
            first_duplicate_member=self._usage.first_duplicate_member,
            charged_under_plan=self._usage.charged_under_plan,
            first_charged_under_plan=self._usage.first_charged_under_plan,
        )
        return Backtest(outcome, rows)

    def close(self) -> None:
        """Remove temporary files."""
        self._ordered.close()

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pick(given: Instant | None, found: Instant | None, path: Path) -> Instant:
    """The explicit bound, else the file's, else an error for an empty file."""
    if given is not None:
        return given
    if found is None:
        raise InputError("the file has no calls; give --start and --end to replay it", source=path)
    return found


def _inside(
    calls: Iterable[Call], start: Instant, end: Instant, outside: Counter[str]
) -> Iterator[Call]:
    """Calls wholly inside [start, end]; the others are counted, not lost."""
    for call in calls:
        if start <= call.start and call.end <= end:
            yield call
        else:
            outside["outside"] += 1
