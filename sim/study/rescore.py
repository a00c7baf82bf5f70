"""A finished sweep scored again under other objective prices, without simulating again.

Why: the objective (risk limit, cost of capital, cost per recharge and per
outage hour, cap on recharges a month) only prices and ranks the outcomes a
sweep already has; the runs do not depend on it. So the dashboard, when a
planner edits the objective after a sweep, re-prices the kept runs (seconds
at most) instead of replaying hundreds of policies. The summary is built by
the same ``build_summary`` as ``credsim sweep``'s, on the same runs.
"""

from __future__ import annotations

from dataclasses import replace

from sim.study.sweep import Swept
from sim.study.sweep_summary import POLICY_COLUMNS, build_summary, summary_table
from sim.world.scenario import Scenario


def rescored(swept: Swept, scenario: Scenario) -> Swept:
    """``swept`` with its summary (and summary.csv) built at ``scenario``'s ``[objective]``.

    ``scenario`` is the one swept, but for its objective; the rule of thumb's
    spend and every policy's runs are the sweep's own.
    """
    raw = swept.runs.drop(columns=list(POLICY_COLUMNS[1:]))
    spend = swept.summary.reference("rule_of_thumb").mean_spend_per_month or 0.0
    summary = build_summary(swept.summary.head, raw, swept.policies, scenario, spend)
    csv_text = summary_table(summary).to_csv(index=False, lineterminator="\n")
    return replace(swept, summary=summary, summary_csv=csv_text)
