"""``credsim report``: everything a planner needs to choose a policy, computed for one file.

Why a module of its own: the report is a sweep (``sim.study.sweep``, run as is in a
temporary folder, so its numbers are exactly ``credsim sweep``'s) plus the
views the sweep does not keep: the end-of-day balances of the recommended
policy (``sim.study.runner``: a fan chart), one replication of it told in full
(``sim.study.trace``: its journal), that replication's demand
(``sim.world.demand_summary``), and, unless turned off, how the recommended
policy's risk and cost move with each uncertain input, with the robust choice
(``sim.study.sensitivity``). Here they are computed into ``ReportData``;
``sim.views.report_render`` turns that into one HTML file.

Replication 1 of the report (the sample path, the demand charts) is
replication 1 of ``credsim run`` and ``credsim demand`` with the same seed.
"""

from __future__ import annotations

import math
import shlex
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.account.outcome import year_count
from sim.engines.batch import DEFAULT_ENGINE, Engine
from sim.study.calibration import Calibration
from sim.study.executors import LocalExecutor
from sim.study.experiment import Levers
from sim.study.grid import Grid
from sim.study.kpis import Replications, select, spread
from sim.study.recommend import replications_needed
from sim.study.runner import replication_seeds, run_replications
from sim.study.sensitivity import run_sensitivity
from sim.study.sensitivity_result import Sensitivity
from sim.study.stats import balance_bands
from sim.study.summary import SweepSummary
from sim.study.sweep import Advance, ProgressFactory, SweepPlan, Swept, sweep_in_scratch
from sim.study.trace import SamplePath, Trace, path_picture, traced_run
from sim.study.widen import WidenLimits
from sim.world.demand import generate
from sim.world.demand_summary import DemandSummary, hour_weekday_counts, summarize
from sim.world.load import LoadedScenario
from sim.world.scenario import Scenario

MIN_REPLICATIONS = 100
REPLICATION_STEP = 50
KPIS = select(
    ("outage_risk_per_year", "outage_hours_per_year",
     "blocked_toll_free_per_year", "forfeited_per_year", "mean_balance", "cost_per_year",
     "recharges_per_year", "emails_per_year")
)  # fmt: skip
"""The figures shown for the recommended policy and beside it for the references."""
FROM_SUMMARY = ("outage_risk_per_year", "cost_per_year")
"""KPIs taken from the sweep's summary (the recommendation's own numbers, as in summary.json)."""
ROLES = (("recommendation", "recommended"), ("documented_example", "documented example"),
         ("rule_of_thumb", "rule of thumb"))  # fmt: skip


def default_replications(scenario: Scenario) -> int:
    """Enough for a policy without outages to qualify under the scenario's risk limit.

    ``replications_needed`` rounded up to a multiple of 50, at least 100: 200
    for a 1 % limit over 24 months. Fewer, and no policy could be recommended.
    """
    needed = replications_needed(
        float(scenario.objective.max_outage_risk_per_year),
        year_count(scenario.scenario.horizon_months),
    )
    return max(MIN_REPLICATIONS, math.ceil(needed / REPLICATION_STEP) * REPLICATION_STEP)


@dataclass(frozen=True)
class ReportPlan:
    """What a report computes: a sweep's identity (the grid at the scenario's initial balance)."""

    loaded: LoadedScenario
    grid: Grid
    replications: int
    seed: int = 1
    engine: Engine = DEFAULT_ENGINE
    widen: WidenLimits | None = None
    """Widen the grid while the optimum sits at its edge (``sim.study.widen``; None: never)."""
    sensitivity: bool = True
    """Whether to run the sensitivity analysis (``sim.study.sensitivity``) after the sweep."""
    sensitivity_replications: int | None = None
    """Its replications (None: the sweep's)."""
    opening_args: tuple[str, ...] = ()
    """``--balance B`` or ``--lots F`` as given, for the command that recomputes the report."""
    calibration: Calibration | None = None
    """How the scenario was fitted to the tenant's exports (``credsim plan``); None: a file's."""
    grid_note: str = ""
    """Where the grid's values came from, when not the scenario's own multiples."""

    def sweep_plan(self) -> SweepPlan:
        """The sweep behind the report."""
        return SweepPlan(
            self.loaded, self.grid, self.replications, self.seed, self.engine, self.widen
        )

    def command(self, out: Path) -> str:
        """A ``credsim report`` command line that recomputes this report."""
        grid = self.grid.to_dict()
        return shlex.join(
            ["credsim", "report", str(self.loaded.path), "-o", str(out),
             "--triggers", ",".join(grid["triggers"]), "--amounts", ",".join(grid["amounts"]),
             "--replications", str(self.replications), "--seed", str(self.seed),
             "--engine", self.engine, "--widen" if self.widen else "--no-widen",
             *self._sensitivity_options(), *self.opening_args]
        )  # fmt: skip

    def _sensitivity_options(self) -> list[str]:
        if not self.sensitivity:
            return ["--no-sensitivity"]
        if self.sensitivity_replications is None:
            return []
        return ["--sensitivity-replications", str(self.sensitivity_replications)]


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, computed; nothing here is HTML."""

    plan: ReportPlan
    summary: SweepSummary
    """The sweep's summary (summary.json)."""
    manifest: dict[str, Any]
    """The sweep's manifest.json (versions and identity)."""
    kpis: pd.DataFrame
    """``KPIS`` per role (``policy``, ``label``, ``roles``), each with its CI bounds."""
    levers: Levers
    """The recommended policy."""
    bands: pd.DataFrame
    trace: Trace
    path: SamplePath
    lots: pd.DataFrame
    demand: DemandSummary
    hours: pd.DataFrame
    created: str
    wall_s: float
    sensitivity: Sensitivity | None = None
    """The recommended policy's sensitivity and the robust choice (None: not asked for)."""


def compute_report(
    plan: ReportPlan,
    *,
    workers: int | None = None,
    progress: ProgressFactory | None = None,
    swept: Swept | None = None,
) -> ReportData:
    """Run the sweep, then the recommended policy's fan, sample path, demand and sensitivity.

    ``swept`` is that sweep when the caller has run it already (the dashboard's
    Trade-offs view): it must be ``plan.sweep_plan()``'s, and is not run again.
    """
    began = time.perf_counter()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    if swept is None:
        swept = sweep_in_scratch(
            plan.sweep_plan(), executor=LocalExecutor(workers), progress=progress,
            arguments={"report": True},
        )  # fmt: skip
    else:
        began -= swept.wall_s  # the report's time includes the sweep it reuses
    summary = swept.summary
    levers = summary.recommendation.levers
    bands = _fan(plan, levers, workers, progress)
    trace, demand, hours = _replication_one(plan, levers)
    scenario = plan.loaded.scenario
    picture = path_picture(trace, levers, scenario)
    sensitivity = None
    if plan.sensitivity:
        sensitivity = run_sensitivity(
            plan.loaded, summary, replications=plan.sensitivity_replications,
            engine=plan.engine, executor=LocalExecutor(workers), progress=progress,
        )  # fmt: skip
    return ReportData(
        plan=plan, summary=summary, manifest=swept.manifest,
        kpis=kpi_table(swept.runs, summary, scenario.scenario.horizon_months),
        levers=levers, bands=bands, trace=trace, path=picture.path, lots=picture.lots,
        demand=demand, hours=hours, created=created, wall_s=time.perf_counter() - began,
        sensitivity=sensitivity,
    )  # fmt: skip


def _fan(
    plan: ReportPlan, levers: Levers, workers: int | None, progress: ProgressFactory | None
) -> pd.DataFrame:
    """Balance bands of the recommended policy over the sweep's replications (same seeds)."""
    with _stage(progress, "recommended policy's balance", plan.replications) as advance:
        results = run_replications(
            plan.loaded, [levers], replications=plan.replications, seed=plan.seed,
            engine=plan.engine, workers=workers, progress=advance,
        )  # fmt: skip
    return balance_bands(results.policies[0].daily())


def _stage(
    progress: ProgressFactory | None, label: str, total: int
) -> AbstractContextManager[Advance | None]:
    """The caller's progress for one more stage, or nothing."""
    return nullcontext(None) if progress is None else progress(label, total)


def _replication_one(plan: ReportPlan, levers: Levers) -> tuple[Trace, DemandSummary, pd.DataFrame]:
    """Replication 1: its demand, and the recommended policy's journal over it."""
    loaded = plan.loaded
    demand_seed, _ = replication_seeds(plan.seed, 1)[0]
    stream = generate(loaded.scenario, loaded.rates, np.random.default_rng(demand_seed))
    trace = traced_run(loaded, levers, seed=plan.seed, index=0, stream=stream)
    counts = hour_weekday_counts(stream, loaded.scenario.calendar.timezone)
    return trace, summarize(stream, loaded.scenario), counts


def roles(summary: SweepSummary) -> list[tuple[str, list[str]]]:
    """(label, role names) of the recommended policy and the references, each label once."""
    named: dict[str, list[str]] = {}
    for key, name in ROLES:
        label = (
            summary.recommendation.label
            if key == "recommendation"
            else summary.reference(key).label
        )
        named.setdefault(label, []).append(name)
    return list(named.items())


def kpi_table(runs: pd.DataFrame, summary: SweepSummary, horizon_months: int) -> pd.DataFrame:
    """``KPIS`` of each role's policy: a row per label, mean and 95 % CI per figure.

    Outage risk a year and cost come from the summary (``FROM_SUMMARY``: the
    recommendation's own numbers); the rest are read by the KPI table from the
    replications of ``runs`` (runs.parquet).
    """
    rows = []
    for label, names in roles(summary):
        entry = summary.entry(label)
        row: dict[str, Any] = {"policy": f"{' = '.join(names)}: {label}", "label": label,
                               "roles": names}  # fmt: skip
        replications = Replications(runs[runs["label"] == label], horizon_months)
        for kpi in KPIS:
            if kpi.name in FROM_SUMMARY:
                spread(row, kpi.name, getattr(entry, kpi.name))
            else:
                spread(row, kpi.name, kpi.estimate(replications))
        rows.append(row)
    return pd.DataFrame(rows)
