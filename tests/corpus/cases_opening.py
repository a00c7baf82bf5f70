"""Broken opening accounts: ``[opening]`` in a scenario, ``--balance`` and ``--lots`` files."""

from __future__ import annotations

from typing import Any

from tests.corpus.harness import Case
from tests.corpus.inputs import SCENARIO, tiny

V = ("validate", SCENARIO)
LOTS = "data/lots.csv"
HEADER = "purchased,remaining\n"


def opening(case_id: str, section: str, names: str) -> Case:
    """validate of the tiny scenario (start 2027-01-01) with this ``[opening]`` section."""
    return Case(case_id, V, tiny(append=f"\n[opening]\n{section}\n"), names=names)


def lots(case_id: str, body: bytes | str, **expect: Any) -> Case:
    """run of the tiny scenario with ``--lots`` = ``body``."""
    command = ("run", SCENARIO, "--replications", "2", "--workers", "1", "--lots", LOTS)
    return Case(case_id, command, {**tiny(), LOTS: body}, **expect)


def balance(case_id: str, *args: str, **expect: Any) -> Case:
    """run of the tiny scenario with these opening options."""
    command = ("run", SCENARIO, "--replications", "2", "--workers", "1", *args)
    return Case(case_id, command, tiny(), **expect)


SECTION = [
    opening("opening-lot-expired", "lots = [{ purchased = 2025-12-01, remaining = 5 }]",
            "opening.lots[0]"),
    opening("opening-lot-expires-at-start", "lots = [{ purchased = 2026-01-01, remaining = 5 }]",
            "opening.lots[0]"),
    opening("opening-lot-after-start", "lots = [{ purchased = 2027-02-01, remaining = 5 }]",
            "opening.lots[0]"),
    opening("opening-lot-zero", "lots = [{ purchased = 2026-12-01, remaining = 0 }]",
            "opening.lots[0].remaining"),
    opening("opening-lot-negative", "lots = [{ purchased = 2026-12-01, remaining = -5 }]",
            "opening.lots[0].remaining"),
    opening("opening-lot-sub-cent", "lots = [{ purchased = 2026-12-01, remaining = 0.001 }]",
            "opening.lots[0].remaining"),
    opening("opening-lot-1e30", "lots = [{ purchased = 2026-12-01, remaining = 1e30 }]",
            "opening.lots[0].remaining"),
    opening("opening-lot-nan", "lots = [{ purchased = 2026-12-01, remaining = nan }]",
            "opening.lots[0].remaining"),
    opening("opening-lot-text-date", 'lots = [{ purchased = "last year", remaining = 5 }]',
            "opening.lots[0].purchased"),
    opening("opening-lot-naive-datetime",
            "lots = [{ purchased = 2026-12-01T10:00:00, remaining = 5 }]",
            "opening.lots[0].purchased"),
    opening("opening-lot-unknown-key",
            "lots = [{ purchased = 2026-12-01, remaining = 5, expires = 2027-12-01 }]",
            "expires"),
    opening("opening-lots-not-a-list", "lots = 5", "opening.lots"),
    opening("opening-too-many-lots",
            "lots = [" + ", ".join(["{ purchased = 2026-12-01, remaining = 1 }"] * 1001) + "]",
            "OPENING_LOTS_MAX"),
    opening("opening-pending-before-start",
            "pending_recharge = { at = 2026-12-01T00:00:00Z, amount = 5 }",
            "opening.pending_recharge"),
    opening("opening-pending-zero", "pending_recharge = { at = 2027-01-02, amount = 0 }",
            "opening.pending_recharge.amount"),
]  # fmt: skip

OPTIONS = [
    balance("balance-words", "--balance", "lots", names="--balance"),
    balance("balance-negative", "--balance", "-5", names="--balance"),
    balance("balance-sub-cent", "--balance", "0.001", names="--balance"),
    balance("balance-1e30", "--balance", "1e30", names="--balance"),
    balance("balance-and-lots", "--balance", "5", "--lots", LOTS, names="--lots"),
    balance("lots-missing-file", "--lots", "data/none.csv", names="none.csv"),
    balance("lots-is-folder", "--lots", "data", names="data"),
    lots("lots-empty", "", names="lots.csv:1"),
    lots("lots-no-header", "2026-12-01,5\n", names="lots.csv:1"),
    lots("lots-binary", bytes(range(256)) * 4, names="lots.csv"),
    lots("lots-not-utf8", HEADER.encode() + b"2026-12-01,caf\xe9\n", names="lots.csv:2"),
    lots("lots-bad-date", HEADER + "yesterday,5\n", names="lots.csv:2"),
    lots("lots-naive-datetime", HEADER + "2026-12-01T10:00:00,5\n", names="lots.csv:2"),
    lots("lots-three-fields", HEADER + "2026-12-01,5,6\n", names="lots.csv:2"),
    lots("lots-amount-words", HEADER + "2026-12-01,five\n", names="lots.csv:2"),
    lots("lots-amount-zero", HEADER + "2026-12-01,0\n", names="lots.csv:2"),
    lots("lots-amount-1e30", HEADER + "2026-12-01,1e30\n", names="lots.csv:2"),
    lots("lots-expired", HEADER + "2026-12-01,5\n2025-12-01,5\n", names="lots.csv:3"),
    lots("lots-after-start", HEADER + "2027-03-01,5\n", names="lots.csv:2"),
    lots("lots-huge-field", HEADER + "2026-12-01," + "9" * 500_000 + "\n", names="lots.csv:2"),
    lots("lots-too-big", HEADER + "2026-12-01,5\n" * 100_000, names="LOTS_CSV_MAX_BYTES"),
    lots("lots-too-many", HEADER + "2026-12-01,5\n" * 1001, names="OPENING_LOTS_MAX"),
    lots("lots-unclosed-quote", HEADER + '"2026-12-01,5\n', names="lots.csv"),
    lots("lots-ok", HEADER + "2026-12-01,5\n", exit=0),
]

CASES = [*SECTION, *OPTIONS]
