"""A policy sweep: every policy of a grid x N replications, resumable, on any executor.

The work is the runner's (``sim.study.runner.replicate``): replication ``i`` draws
its demand from child ``i`` of the seed once and replays every policy of the
stage against it (common random numbers), so each policy's rows are exactly
what ``credsim run`` of that policy computes. Two stages:

1. ``main``: the grid, plus the documented example (trigger 400, amount
   1,000, initial 1,000) when the grid does not hold it;
2. ``rule_of_thumb``: one week / one month of the mean spend found in stage
   1, when neither the grid nor the example is that policy. Its policy is known
   only once every replication's demand is (the mean of all of them: no
   replication can be replayed against it before the last is generated), hence
   a second step over the same replications, which replays the demand stage 1
   generated (kept compact: ``sim.study.kept_demand``), in this process when a
   pool would cost more (``sim.study.sweep_stages.replay_here``);
3. with widening (``SweepPlan.widen``), ``widen1``, ``widen2``, ...: while the
   recommendation sits at an edge of the grid, the policies a wider grid adds
   (``sim.study.widen``); the policies already evaluated are reused
   (``sim.study.sweep_pool``), so the final files equal a sweep of the final grid.

Each replication of a stage is written as one parquet part the moment it
finishes (``sim.study.sweep_store``); the final files are built from the parts
alone, so a resumed sweep ends with the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import json
import logging
import platform
import shlex
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sim import __version__
from sim.engines.batch import Engine
from sim.study.executors import Executor
from sim.study.experiment import (
    EXAMPLE_AMOUNT,
    EXAMPLE_INITIAL,
    EXAMPLE_TRIGGER,
    Levers,
    scenario_levers,
    with_overrides,
)
from sim.study.folder_lock import folder_lock
from sim.study.grid import Grid
from sim.study.json_text import indented
from sim.study.kept_demand import KeptDemand
from sim.study.recommend import mean_spend_per_month, rule_of_thumb
from sim.study.summary import SweepHead, SweepPolicy, SweepSummary
from sim.study.sweep_pool import Evaluated, write_runs
from sim.study.sweep_stages import Advance, ProgressFactory, run_stage, with_reference
from sim.study.sweep_store import PORTAL_JSON, RUNS, SUMMARY_CSV, SUMMARY_JSON, SweepStore, Warn
from sim.study.sweep_summary import portal_dict, summarize, summary_table
from sim.study.widen import Step, Widening, WidenLimits, edges, widen
from sim.world.load import LoadedScenario

MAIN = "main"
RULE_OF_THUMB = "rule_of_thumb"
WIDEN = "widen"
"""Stage ``widen<k>``: the policies the ``k``-th widening of the grid adds."""
DOCUMENTED_EXAMPLE = "documented_example"
LIBRARIES = ("numpy", "pandas", "pyarrow", "scipy", "simpy", "numba", "dask", "distributed")

STAGE_LABELS = {MAIN: "policy grid", RULE_OF_THUMB: "rule of thumb"}
"""What the progress bar calls a stage (``widen<k>``: ``wider grid <k>``)."""
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep computes: its identity. Executors, workers and output never change it."""

    loaded: LoadedScenario
    grid: Grid
    replications: int
    seed: int
    engine: Engine
    widen: WidenLimits | None = None
    """Widen the grid while the optimum sits at its edge, within these limits (None: never)."""

    def __post_init__(self) -> None:
        if self.replications < 1:
            raise ValueError(f"replications(={self.replications}) must be >= 1")

    def grid_levers(self) -> list[Levers]:
        """The grid's policies on the scenario's own levers (its top-ups are kept)."""
        return self.grid.levers(scenario_levers(self.loaded.scenario))

    def example_levers(self) -> Levers:
        """The documented example, on the scenario's own levers."""
        return with_overrides(
            scenario_levers(self.loaded.scenario),
            trigger=EXAMPLE_TRIGGER,
            amount=EXAMPLE_AMOUNT,
            initial=EXAMPLE_INITIAL,
        )

    def identity(self) -> dict[str, Any]:
        """What ``--resume`` compares with the folder's manifest."""
        return {
            "scenario_hash": self.loaded.content_hash,
            "seed": self.seed,
            "grid": self.grid.to_dict(),
            "replications": self.replications,
            "engine": self.engine,
            "widen": None if self.widen is None else self.widen.to_dict(),
        }

    def command(self, out: Path) -> str:
        """A ``credsim sweep`` command line that recomputes this sweep."""
        grid = self.grid.to_dict()
        return shlex.join(
            ["credsim", "sweep", str(self.loaded.path),
             "--triggers", ",".join(grid["triggers"]), "--amounts", ",".join(grid["amounts"]),
             "--initials", ",".join(grid["initials"]),
             "--replications", str(self.replications), "--seed", str(self.seed),
             "--engine", self.engine, "--widen" if self.widen else "--no-widen",
             "--out", str(out)]
        )  # fmt: skip


@dataclass
class SweepResult:
    """What a finished sweep wrote, and what it took."""

    store: SweepStore
    held_runs: pd.DataFrame | None
    """runs.parquet's table when it was built whole (None: written chunk by chunk)."""
    summary: SweepSummary
    policies: list[SweepPolicy]
    computed: dict[str, int] = field(default_factory=dict)
    """Replications computed in this invocation, per stage (a resume computes only the missing)."""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def runs(self) -> pd.DataFrame:
        """runs.parquet's table: as built, or read back from the file when it was chunked."""
        if self.held_runs is not None:
            return self.held_runs
        return pd.read_parquet(self.store.path(RUNS))

    @property
    def grid(self) -> Grid:
        """The grid of the final sweep (wider than the plan's when it was widened)."""
        return self.summary.head.grid


def run_sweep(
    plan: SweepPlan,
    out: Path,
    *,
    executor: Executor,
    resume: bool = False,
    force: bool = False,
    progress: ProgressFactory | None = None,
    arguments: dict[str, Any] | None = None,
    warn: Warn = _LOG.warning,
) -> SweepResult:
    """Run (or finish) the sweep into ``out``; InputError if the folder may not be used.

    The folder is locked for the whole run (``sim.study.folder_lock``): a
    second sweep into it, ``--force`` and ``--resume`` included, is refused.
    ``warn`` gets a line for each thing put right on the way (parts not used).
    """
    with folder_lock(out):
        store = SweepStore.open(out, plan.identity(), resume=resume, force=force, warn=warn)
        return _run_locked(plan, store, executor, resume, progress or _silent, arguments or {})


def _run_locked(
    plan: SweepPlan,
    store: SweepStore,
    executor: Executor,
    resume: bool,
    progress: ProgressFactory,
    arguments: dict[str, Any],
) -> SweepResult:
    began = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = _manifest(plan, store, executor, arguments)
    invocation: dict[str, Any] = {"started": started, "resume": resume, "finished": None}
    manifest["invocations"].append(invocation)  # stays unfinished if this run is killed
    store.write_manifest(manifest)
    rounds = _Rounds(plan, store, executor, progress)

    policies = _main_policies(plan)
    rounds.stage(MAIN, policies)
    spend = mean_spend_per_month(
        rounds.pool.spend(MAIN), plan.loaded.scenario.scenario.horizon_months
    )
    rule = _rule_levers(plan, spend)
    _, extra = with_reference(policies, rule, RULE_OF_THUMB)
    rounds.stage(RULE_OF_THUMB, extra)

    policies, summary = rounds.widened(rule, spend)
    stage_began = time.perf_counter()
    runs = _write_results(store, rounds.pool, policies, summary)
    rounds.add_time("summary_s", stage_began)
    timings = rounds.timings
    timings["wall_s"] = time.perf_counter() - began

    manifest["status"] = "complete"
    manifest["grid"] = summary.head.grid.to_dict()
    manifest["policies"] = len(summary.head.grid)
    if summary.widening is not None:
        manifest["widening"] = summary.widening.text()
    invocation["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    invocation["computed"] = rounds.computed
    invocation["demand"] = rounds.kept.record()
    invocation["wall_s"] = timings["wall_s"]
    manifest["timings"] = timings
    manifest["files"] = [RUNS, SUMMARY_CSV, SUMMARY_JSON, PORTAL_JSON]
    store.write_manifest(manifest)
    return SweepResult(store, runs, summary, policies, rounds.computed, timings)


class _Rounds:
    """The stages of one sweep: each computed (its missing parts) and read once, then the
    summary of the grid and, with widening, of each wider grid."""

    def __init__(
        self, plan: SweepPlan, store: SweepStore, executor: Executor, progress: ProgressFactory
    ) -> None:
        self.plan, self.store, self.executor, self.progress = plan, store, executor, progress
        self.pool = Evaluated(store, plan.replications)
        self.kept = KeptDemand()
        """Each replication's demand, for the stages after the first (``sim.study.kept_demand``)."""
        self.computed: dict[str, int] = {}
        self.timings: dict[str, float] = {}

    def stage(self, stage: str, policies: Sequence[SweepPolicy]) -> None:
        """Compute the stage's missing replications (none: nothing to do) and read it."""
        began = time.perf_counter()
        label = STAGE_LABELS.get(stage) or f"wider grid {stage.removeprefix(WIDEN)}"
        written: dict[int, pa.Table] | None = {} if self.pool.holds(policies) else None
        self.computed[stage] = (
            run_stage(
                self.store, stage, self.plan, policies, self.executor,
                lambda total, note: self.progress(label + note, total), self.kept, written,
            )
            if policies
            else 0
        )  # fmt: skip
        self.pool.add(stage, policies, written)
        self.timings[f"{stage}_s"] = time.perf_counter() - began

    def summary(
        self, grid: Grid, rule: Levers, spend: float
    ) -> tuple[list[SweepPolicy], SweepSummary]:
        """The policies of a sweep of ``grid`` (and the references) and its summary."""
        began = time.perf_counter()
        policies = _main_policies(self.plan, grid)
        policies, _ = with_reference(policies, rule, RULE_OF_THUMB)
        head = plan_info(self.plan, grid)
        summary = summarize(
            head, self.pool.chunks(policies), policies, self.plan.loaded.scenario, spend,
            lambda policy: self.pool.rows([policy], among=policies),
        )  # fmt: skip
        self.add_time("summary_s", began)
        return policies, summary

    def add_time(self, name: str, began: float) -> None:
        """Add the seconds since ``began`` to timing ``name``."""
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - began

    def widened(self, rule: Levers, spend: float) -> tuple[list[SweepPolicy], SweepSummary]:
        """The summary of the grid, widened while the optimum sits at an edge (within limits)."""
        limits, grid = self.plan.widen, self.plan.grid
        policies, summary = self.summary(grid, rule, spend)
        if limits is None:
            return policies, summary
        code = self.plan.loaded.scenario.scenario.currency
        steps: list[Step] = []
        last: Step | None = None
        while len(steps) < limits.rounds:
            step = widen(grid, summary.recommendation.levers, code, limits)
            if step.grid is None:
                last = step
                break
            steps.append(step)
            grid = step.grid
            added = [policy for policy in _main_policies(self.plan, grid)
                     if policy.in_grid and policy.label not in self.pool]  # fmt: skip
            self.stage(f"{WIDEN}{len(steps)}", added)
            policies, summary = self.summary(grid, rule, spend)
        final = tuple(edges(summary.recommendation.levers, grid))
        widening = Widening(self.plan.grid, tuple(steps), last, final, limits)
        return policies, replace(summary, widening=widening)


@dataclass(frozen=True)
class Swept:
    """A finished sweep held in memory, for callers that want answers, not a folder."""

    runs: pd.DataFrame
    summary: SweepSummary
    policies: list[SweepPolicy]
    manifest: dict[str, Any]
    summary_csv: str
    """summary.csv, byte for byte what ``credsim sweep`` writes."""
    wall_s: float


def sweep_in_scratch(
    plan: SweepPlan,
    *,
    executor: Executor,
    progress: ProgressFactory | None = None,
    arguments: dict[str, Any] | None = None,
) -> Swept:
    """``run_sweep`` into a scratch folder that is removed after; the results kept in memory.

    The dashboard's sweep and the report's run through here, so a report
    built from a dashboard sweep reuses it rather than sweeping again.
    """
    with tempfile.TemporaryDirectory(prefix="credsim-sweep-") as folder:
        out = Path(folder) / "sweep"
        result = run_sweep(plan, out, executor=executor, progress=progress, arguments=arguments)
        manifest = result.store.read_manifest() or {}
        csv_text = (out / SUMMARY_CSV).read_text(encoding="utf-8")
        runs = result.runs  # read before the folder goes, when it was written in chunks
    return Swept(
        runs, result.summary, result.policies, manifest, csv_text, result.timings["wall_s"]
    )


def _write_results(
    store: SweepStore, pool: Evaluated, policies: Sequence[SweepPolicy], summary: SweepSummary
) -> pd.DataFrame | None:
    """runs.parquet, summary.csv, summary.json and portal.json from the rows of the parts
    (runs.parquet chunk by chunk when it is too big to hold: None is returned then)."""
    runs = write_runs(store, RUNS, pool, policies)
    store.write_text(SUMMARY_CSV, summary_table(summary).to_csv(index=False, lineterminator="\n"))
    store.write_text(SUMMARY_JSON, indented(summary.to_dict()) + "\n")  # json.dumps' text
    store.write_text(PORTAL_JSON, json.dumps(portal_dict(summary), indent=2) + "\n")
    return runs


def plan_info(plan: SweepPlan, grid: Grid | None = None) -> SweepHead:
    """The head of summary.json: what was swept (``grid``: the plan's, or the widened one),
    without anything that varies by run."""
    info = plan.loaded.scenario.scenario
    return SweepHead(
        scenario=info.name,
        currency=info.currency,
        horizon_months=info.horizon_months,
        replications=plan.replications,
        seed=plan.seed,
        engine=plan.engine,
        grid=plan.grid if grid is None else grid,
    )


def _main_policies(plan: SweepPlan, grid: Grid | None = None) -> list[SweepPolicy]:
    """The grid (the plan's, or ``grid``) in order, then the documented example if it lacks it."""
    levers = (
        plan.grid_levers() if grid is None else grid.levers(scenario_levers(plan.loaded.scenario))
    )
    in_grid = [SweepPolicy(item, in_grid=True) for item in levers]
    policies, _ = with_reference(in_grid, plan.example_levers(), DOCUMENTED_EXAMPLE)
    return policies


def _rule_levers(plan: SweepPlan, spend_per_month: float) -> Levers:
    trigger, amount, initial = rule_of_thumb(spend_per_month)
    base = scenario_levers(plan.loaded.scenario)
    return with_overrides(base, trigger=trigger, amount=amount, initial=initial)


def _manifest(
    plan: SweepPlan, store: SweepStore, executor: Executor, arguments: dict[str, Any]
) -> dict[str, Any]:
    """The manifest at the start of an invocation (earlier invocations are kept)."""
    return {
        "status": "running",
        "identity": plan.identity(),
        "scenario": {
            "path": str(plan.loaded.path),
            "name": plan.loaded.scenario.scenario.name,
            "content_hash": plan.loaded.content_hash,
        },
        "grid": plan.grid.to_dict(),
        "policies": len(plan.grid),
        "credsim_version": __version__,
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "command": plan.command(store.root),
        "arguments": arguments,
        "executor": executor.describe(),
        "invocations": store.invocations(),
    }


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


@contextmanager
def _silent(stage: str, total: int) -> Iterator[Advance]:
    yield lambda n: None
