"""What the command line prints, as text (no printing): runs, sweeps, backtests, scenarios.

Every figure's unit and rounding come from ``sim.study.kpis`` and
``sim.account.format``, so the text says what the report and the dashboard say.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sim.account import format as fmt
from sim.account.clock import hours, to_iso
from sim.account.money import Currency, currency
from sim.account.outcome import EMAIL_KINDS, year_count
from sim.study.backtest import SHORT_WINDOW, Backtest, RowAccount
from sim.study.experiment import Levers, scenario_currency
from sim.study.kpis import kpi
from sim.study.recommend import Score, describe
from sim.study.run_summary import metric_estimates, per_year
from sim.study.runner import PolicyRuns, RunResults
from sim.study.stats import Estimate
from sim.study.summary import SweepSummary
from sim.views.advice import first_guess_text, verdict_lines
from sim.views.scenario_text import assumptions_text, opening_line
from sim.world.load import LoadedScenario

HEADLINE = (
    # credsim run's first rows, in this order (labels and units: sim.study.kpis)
    "outage_episodes",
    "outage_hours",
    "blocked_calls",
    "blocked_minutes",
    "blocked_charge",
    "forfeited",
    "consumed",
    "funded",
    "mean_balance",
    "min_balance",
    "final_balance",
    "recharges",
    "failed_recharges",
    "emails.recharge_succeeded",
    "emails.recharge_failed",
    "emails.balance_depleted",
)


def run_text(loaded: LoadedScenario, results: RunResults, runs: PolicyRuns) -> str:
    """Per year: outage risk, outage hours, forfeits, recharges, cost; then the horizon's totals."""
    scenario = loaded.scenario
    cur = scenario_currency(scenario)
    months = scenario.scenario.horizon_months
    estimates = metric_estimates(runs)
    lines = [
        f"Scenario {scenario.scenario.name}: {results.replications} replications, "
        f"seed {results.seed}, engine {results.engine}, {months} months from "
        f"{scenario.scenario.start.date().isoformat()} ({_years_text(months)})",
        f"Policy: {_levers_text(runs.levers, cur)}",
        *([held.capitalize()] if (held := opening_line(scenario)) else []),
    ]
    yearly = [(kpi(name).label, name, est) for name, est in per_year(scenario, runs).items()]
    totals = [
        (name, name, estimates[name])
        for name in [*HEADLINE, *sorted(set(estimates) - set(HEADLINE))]
        if name in estimates
    ]
    width = max([TITLE_WIDTH] + [len(title) + 2 for title, _, _ in yearly + totals])
    for heading, rows in (("per year", yearly), (f"over the {months} months", totals)):
        lines += ["", f"{heading:<{width}}{'mean':>16}{'95 % CI':>34}"]
        lines += [_row(name, est, cur, title, width) for title, name, est in rows]
    return "\n".join([*lines, "", assumptions_text(scenario)])


TITLE_WIDTH = 36
"""Characters of a run table's first column, widened to its longest title (a service's
blocked minutes, ``blocked_by_service.domestic_outbound.minutes``) so the columns align."""


def _years_text(horizon_months: int) -> str:
    """How the horizon's years are counted for the outage risk (docs/model.md#outage-risk)."""
    years = year_count(horizon_months)
    if horizon_months < 12:
        return (
            "outage risk a year counted over the horizon, shorter than a year: the chance of "
            f"an outage within {horizon_months} months"
        )
    windows = "1 window" if years == 1 else f"{years} windows"
    return f"outage risk a year over {windows} of 12 months"


def _row(name: str, est: Estimate, cur: Currency, title: str, width: int = TITLE_WIDTH) -> str:
    """``title  mean  low to high`` in the figure's unit (``sim.study.kpis``), the title in
    ``width`` characters."""
    figure = kpi(name)
    interval = figure.interval_text(est, cur)
    return f"{title:<{width}}{figure.text(est.estimate, cur):>16}{interval:>34}"


def _levers_text(levers: Levers, cur: Currency) -> str:
    def money(value: Decimal | None) -> str:
        return fmt.money_major(value or Decimal(0), cur)

    parts = [f"initial {money(levers.initial)}"]
    if levers.auto_recharge:
        parts.append(f"auto-recharge {money(levers.amount)} when below {money(levers.trigger)}")
    else:
        parts.append("auto-recharge off")
    if levers.manual_top_up is not None:
        parts.append(f"manual top-up {money(levers.manual_top_up)} after a below-zero email")
    if levers.monthly_top_up is not None:
        parts.append(f"monthly top-up {money(levers.monthly_top_up)}")
    return ", ".join(parts)


def widening_line(summary: SweepSummary) -> str:
    """``Grid widened twice: ...`` and a blank line, or nothing (no widening asked for, or
    none needed): printed under the verdict by ``credsim sweep`` and ``report``."""
    text = "" if summary.widening is None else summary.widening.text()
    return f"{text[:1].upper()}{text[1:]}.\n" if text else ""


def sweep_text(summary: SweepSummary) -> str:
    """What ``credsim sweep`` prints: the choice, its reason, the references, the frontier."""
    head, rec = summary.head, summary.recommendation
    cur = currency(head.currency)

    def money(value: float) -> str:
        return fmt.money_major(value, cur)

    def score(label: str) -> Score:
        return summary.entry(label).score

    lines = [
        *verdict_lines(summary),
        "",
        *([widening] if (widening := widening_line(summary)) else []),
        f"Sweep of {head.scenario}: {summary.grid_policies} policies x {head.replications} "
        f"replications, seed {head.seed}, engine {head.engine}, {head.horizon_months} months",
        f"Objective: outage risk <= {fmt.percent(summary.objective.max_outage_risk_per_year)} "
        "a year (95 % upper bound), then the lowest expected cost a year",
        "",
        f"Recommended: {rec.label}: {describe(score(rec.label), money)}",
        f"  {rec.reason}",
    ]
    if summary.first_guess is not None:
        lines.append(f"  {first_guess_text(summary.first_guess, rec.label, cur)}")
    lines.append("")
    for ref in summary.references:
        lines.append(f"{ref.heading}: {ref.label}: {describe(score(ref.label), money)}")
    lines += ["", "Pareto frontier (outage risk a year vs expected cost a year):"]
    lines.append(f"  {'policy':<24}{'risk':>10}{'upper':>10}{'cost':>16}")
    for label in summary.frontier:
        entry = score(label)
        lines.append(
            f"  {label:<24}{fmt.percent(entry.risk.estimate):>10}"
            f"{fmt.percent(entry.risk_upper):>10}{money(entry.cost.estimate):>16}"
        )
    return "\n".join(lines)


def _duplicates_lines(rows: RowAccount) -> list[str]:
    """One line when rows repeat a billed leg: how many, where, and what was done with them."""
    if not rows.duplicates:
        return []
    found = f"Duplicates: {rows.duplicates:,} row(s) repeat a billed leg (first on line"
    found += f" {rows.first_duplicate_line}"
    found += f" of {rows.first_duplicate_member})" if rows.first_duplicate_member else ")"
    if rows.duplicates_dropped:
        return [f"{found}; {rows.duplicates_dropped:,} dropped (--keep-duplicates bills them)"]
    return [f"{found}; billed as written (--keep-duplicates)"]


def capability_lines(rows: RowAccount) -> list[str]:
    """A warning when charged rows name a licence never paid from credits (a Calling Plan)."""
    if not rows.charged_under_plan:
        return []
    return [
        f"WARNING: {rows.charged_under_plan:,} charged row(s) name a Calling Plan licence in"
        f" Capability (first on line {rows.first_charged_under_plan}); billed to credits as"
        " charged: check the report or the users' plans"
    ]


def backtest_text(path: Path, result: Backtest, policy_line: str) -> str:
    """A dozen lines a finance planner can read at a glance."""
    outcome, rows = result.outcome, result.rows
    cur = outcome.currency

    def money(minor: int | float) -> str:
        return fmt.money_minor(minor, cur)

    by_source = ", ".join(
        f"{source.value.replace('_', '-')} {money(amount)}"
        for source, amount in outcome.funded_by_source_minor.items()
        if amount
    )
    skipped = ", ".join(f"{reason} {n:,}" for reason, n in sorted(rows.not_credit_billed.items()))
    total = outcome.blocked_total
    lines = [
        f"Backtest of {path} ({rows.format} format, {cur.code}), "
        f"{to_iso(outcome.start)} to {to_iso(outcome.end)}",
        f"Policy: {policy_line}",
        f"Rows: {rows.rows:,} read, {rows.replayed:,} replayed, "
        f"{rows.outside_window:,} outside the window; not credit-billed: {skipped or 'none'}",
        *_duplicates_lines(rows),
        *capability_lines(rows),
        f"Funded: {money(outcome.funded_minor)} ({by_source or 'nothing'})",
        f"Consumed: {money(outcome.consumed_minor)}   Forfeited: {money(outcome.forfeited_minor)}",
        f"Balance: final {money(outcome.final_balance_minor)}, "
        f"mean {money(outcome.mean_balance_minor)}, min {money(outcome.min_balance_minor)}",
        f"Recharges: {outcome.recharges} succeeded, {outcome.failed_recharges} failed"
        + (" (one still pending at the end)" if outcome.recharge_pending_at_end else ""),
        f"Calls: {outcome.calls:,}, credit-billed {outcome.credit_billed_calls:,}, "
        f"blocked {total.calls:,} ({fmt.minutes(total.duration_us / 60e6)}, "
        f"{money(total.charge_minor)})",
    ]
    lines.extend(
        f"  blocked {service}: {tally.calls:,} calls, {fmt.minutes(tally.duration_us / 60e6)}, "
        f"{money(tally.charge_minor)}"
        for service, tally in sorted(outcome.blocked.items())
    )
    lines.append(
        f"Outages: {len(outcome.outage_episodes)} episode(s), "
        f"{fmt.hours(hours(outcome.outage_us), digits=2)}"
    )
    lines.append(
        "Emails: " + ", ".join(f"{kind} {outcome.emails.get(kind, 0)}" for kind in EMAIL_KINDS)
    )
    lines += open_lot_lines(result)
    return "\n".join(lines)


def open_lot_lines(result: Backtest) -> list[str]:
    """The lots open at the window's end, their projected forfeits, and the short-window
    warning (docs/model.md#forfeit-projection)."""
    forfeits, cur = result.forfeits, result.outcome.currency
    lines = [f"Warning: {SHORT_WINDOW}"] if result.short_window else []
    if not forfeits.lots:
        return [*lines, "Open lots at the end: none"]
    held = sum(lot.remaining_minor for lot in forfeits.lots)
    lines.append(
        f"Open lots at the end: {len(forfeits.lots)}, {fmt.money_minor(held, cur)}; at the "
        f"window's average {fmt.money_minor(forfeits.rate_per_day_minor, cur)} a day, oldest "
        f"first, they would forfeit {fmt.money_minor(forfeits.total_minor, cur)}"
    )
    lines.extend(
        f"  bought {to_iso(lot.purchased)}: {fmt.money_minor(lot.remaining_minor, cur)} left, "
        f"expires {to_iso(lot.expires)}, would forfeit {fmt.money_minor(lot.forfeit_minor, cur)}"
        for lot in forfeits.lots
    )
    return lines
