"""What a replication's demand depends on, as one hash: the key of a kept demand bank.

Why: the dashboard keeps every replication's generated demand and replays
each policy against it. Payments (delays, failures, the card), the policy,
the opening balance and the objective never reach ``sim.world.demand.generate``,
so an edit of one of them must reuse the demand already generated; keying
the bank by the whole scenario's hash regenerated it (9 s on enterprise for a
new recharge delay, issue 15).
"""

from __future__ import annotations

import hashlib
import json

from sim.world.scenario import Scenario

DEMAND_SECTIONS = (
    "scenario",
    "calendar",
    "users",
    "meetings",
    "big_meetings",
    "user_calling",
    "streams",
    "plans",
    "rates",
)
"""The sections ``generate`` reads (with the rate table, covered by the file's hash)."""


def demand_hash(file_hash: str, scenario: Scenario) -> str:
    """sha256 hex of the file's content hash and the scenario's demand sections (as edited).

    ``file_hash`` is the scenario file's (and rate table's) content hash
    before any edit; the scenario's other sections do not enter it.
    """
    sections = scenario.model_dump(mode="json", include=set(DEMAND_SECTIONS))
    digest = hashlib.sha256(file_hash.encode())
    digest.update(json.dumps(sections, sort_keys=True).encode())
    return digest.hexdigest()
