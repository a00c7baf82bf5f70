"""A policy sweep: every policy of a grid x N replications, resumable, on any executor.

The work is the runner's (``sim.study.runner.replicate``): replication ``i`` draws
its demand from child ``i`` of the seed once and replays every policy of the
stage against it (common random numbers), so each policy's rows are exactly
what ``credsim run`` of that policy computes. Two stages:

1. ``main``: the grid, plus the documented example (trigger 400, amount
   1,000, initial 1,000) when the grid does not hold it;
2. ``rule_of_thumb``: one week / one month of the mean spend found in stage
   1, when neither the grid nor the example is that policy. It needs stage 1's
   results, hence a second pass over the same replications and seeds.

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
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.account.policy import Policy
from sim.engines.batch import Engine
from sim.study.executors import Executor
from sim.study.experiment import Levers, build_policy, scenario_levers, with_overrides
from sim.study.folder_lock import folder_lock
from sim.study.grid import Grid
from sim.study.recommend import (
    EXAMPLE_AMOUNT,
    EXAMPLE_INITIAL,
    EXAMPLE_TRIGGER,
    mean_spend_per_month,
    rule_of_thumb,
)
from sim.study.runner import replicate, replication_seeds
from sim.study.summary import SweepHead, SweepPolicy, SweepSummary
from sim.study.sweep_store import PORTAL_JSON, RUNS, SUMMARY_CSV, SUMMARY_JSON, SweepStore, Warn
from sim.study.sweep_summary import POLICY_COLUMNS, build_summary, portal_dict, summary_table
from sim.world.load import LoadedScenario

MAIN = "main"
RULE_OF_THUMB = "rule_of_thumb"
DOCUMENTED_EXAMPLE = "documented_example"
LIBRARIES = ("numpy", "pandas", "pyarrow", "scipy", "simpy", "numba", "dask", "distributed")

Advance = Callable[[int], None]
ProgressFactory = Callable[[str, int], AbstractContextManager[Advance]]
"""``progress(label, total)`` -> a context giving ``advance(n)``; the CLI draws the bar."""
STAGE_LABELS = {MAIN: "policy grid", RULE_OF_THUMB: "rule of thumb"}
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep computes: its identity. Executors, workers and output never change it."""

    loaded: LoadedScenario
    grid: Grid
    replications: int
    seed: int
    engine: Engine

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
        }

    def command(self, out: Path) -> str:
        """A ``credsim sweep`` command line that recomputes this sweep."""
        grid = self.grid.to_dict()
        return shlex.join(
            ["credsim", "sweep", str(self.loaded.path),
             "--triggers", ",".join(grid["triggers"]), "--amounts", ",".join(grid["amounts"]),
             "--initials", ",".join(grid["initials"]),
             "--replications", str(self.replications), "--seed", str(self.seed),
             "--engine", self.engine, "--out", str(out)]
        )  # fmt: skip


@dataclass
class SweepResult:
    """What a finished sweep wrote, and what it took."""

    store: SweepStore
    runs: pd.DataFrame
    summary: SweepSummary
    policies: list[SweepPolicy]
    computed: dict[str, int] = field(default_factory=dict)
    """Replications computed in this invocation, per stage (a resume computes only the missing)."""
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Context:
    """What every replication task of a stage shares (sent to each worker once)."""

    loaded: LoadedScenario
    policies: tuple[Policy, ...]
    labels: tuple[str, ...]
    engine: Engine


def replication_rows(context: _Context, item: tuple[int, tuple[Any, ...]]) -> pd.DataFrame:
    """One replication of a stage: a row per policy (label, replication, metrics)."""
    index, seeds = item
    per_policy, _ = replicate(
        context.loaded, context.policies, index, seeds, context.engine, daily=False
    )
    rows = [
        {"label": label, "replication": index, **run.metrics}
        for label, run in zip(context.labels, per_policy, strict=True)
    ]
    return pd.DataFrame(rows)


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
    timings: dict[str, float] = {}
    computed: dict[str, int] = {}

    policies = _main_policies(plan)
    stage_began = time.perf_counter()
    computed[MAIN] = _run_stage(store, MAIN, plan, policies, executor, progress)
    timings[f"{MAIN}_s"] = time.perf_counter() - stage_began

    spend = mean_spend_per_month(
        store.read_parts(MAIN, ["consumed", "blocked_charge"]),
        plan.loaded.scenario.scenario.horizon_months,
    )
    rule = _rule_levers(plan, spend)
    policies, extra = _with_reference(policies, rule, RULE_OF_THUMB)
    stage_began = time.perf_counter()
    computed[RULE_OF_THUMB] = (
        _run_stage(store, RULE_OF_THUMB, plan, extra, executor, progress) if extra else 0
    )
    timings[f"{RULE_OF_THUMB}_s"] = time.perf_counter() - stage_began

    stage_began = time.perf_counter()
    runs, summary = _write_results(store, plan, policies, spend, with_rule_stage=bool(extra))
    timings["summary_s"] = time.perf_counter() - stage_began
    timings["wall_s"] = time.perf_counter() - began

    manifest["status"] = "complete"
    invocation["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    invocation["computed"] = computed
    invocation["wall_s"] = timings["wall_s"]
    manifest["timings"] = timings
    manifest["files"] = [RUNS, SUMMARY_CSV, SUMMARY_JSON, PORTAL_JSON]
    store.write_manifest(manifest)
    return SweepResult(store, runs, summary, policies, computed, timings)


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
    return Swept(
        result.runs, result.summary, result.policies, manifest, csv_text, result.timings["wall_s"]
    )


def _write_results(
    store: SweepStore,
    plan: SweepPlan,
    policies: Sequence[SweepPolicy],
    spend_per_month: float,
    *,
    with_rule_stage: bool,
) -> tuple[pd.DataFrame, SweepSummary]:
    """runs.parquet, summary.csv and summary.json, built from the parts on disk alone."""
    raw = _read_all(store, policies, with_rule_stage=with_rule_stage)
    runs = runs_table(raw, policies)
    summary = build_summary(plan_info(plan), raw, policies, plan.loaded.scenario, spend_per_month)
    store.write_parquet(RUNS, runs)
    store.write_text(SUMMARY_CSV, summary_table(summary).to_csv(index=False, lineterminator="\n"))
    store.write_text(SUMMARY_JSON, json.dumps(summary.to_dict(), indent=2) + "\n")
    store.write_text(PORTAL_JSON, json.dumps(portal_dict(summary), indent=2) + "\n")
    return runs, summary


def plan_info(plan: SweepPlan) -> SweepHead:
    """The head of summary.json: what was swept, without anything that varies by run."""
    info = plan.loaded.scenario.scenario
    return SweepHead(
        scenario=info.name,
        currency=info.currency,
        horizon_months=info.horizon_months,
        replications=plan.replications,
        seed=plan.seed,
        engine=plan.engine,
        grid=plan.grid,
    )


def _main_policies(plan: SweepPlan) -> list[SweepPolicy]:
    """The grid in order, then the documented example if the grid lacks it."""
    grid = [SweepPolicy(levers, in_grid=True) for levers in plan.grid_levers()]
    policies, _ = _with_reference(grid, plan.example_levers(), DOCUMENTED_EXAMPLE)
    return policies


def _with_reference(
    policies: list[SweepPolicy], levers: Levers, name: str
) -> tuple[list[SweepPolicy], list[SweepPolicy]]:
    """Mark the policy equal to ``levers`` as reference ``name``, or append it (and return it)."""
    for position, policy in enumerate(policies):
        if policy.levers == levers:
            marked = policy.with_reference(name)
            return [*policies[:position], marked, *policies[position + 1 :]], []
    added = SweepPolicy(levers, in_grid=False, references=(name,))
    return [*policies, added], [added]


def _rule_levers(plan: SweepPlan, spend_per_month: float) -> Levers:
    trigger, amount, initial = rule_of_thumb(spend_per_month)
    base = scenario_levers(plan.loaded.scenario)
    return with_overrides(base, trigger=trigger, amount=amount, initial=initial)


def _run_stage(
    store: SweepStore,
    stage: str,
    plan: SweepPlan,
    policies: Sequence[SweepPolicy],
    executor: Executor,
    progress: ProgressFactory,
) -> int:
    """Compute and write the stage's missing replications; how many there were."""
    labels = tuple(policy.label for policy in policies)
    store.prepare_stage(stage, labels)
    missing = sorted(set(range(plan.replications)) - store.done(stage))
    seeds = replication_seeds(plan.seed, plan.replications)
    context = _Context(
        plan.loaded,
        tuple(build_policy(plan.loaded.scenario, policy.levers) for policy in policies),
        labels,
        plan.engine,
    )
    items = [(index, seeds[index]) for index in missing]
    with progress(STAGE_LABELS[stage], len(items)) as advance:
        for position, frame in executor.run(replication_rows, context, items):
            store.write_part(stage, items[position][0], frame)
            advance(1)
    return len(items)


def _read_all(
    store: SweepStore, policies: Sequence[SweepPolicy], *, with_rule_stage: bool
) -> pd.DataFrame:
    """Every stage's parts, in policy order then replication order (metrics as stored)."""
    frames = [store.read_parts(MAIN)]
    if with_rule_stage:
        frames.append(store.read_parts(RULE_OF_THUMB))
    raw = pd.concat(frames, ignore_index=True)
    order = {policy.label: position for position, policy in enumerate(policies)}
    ranked = raw.assign(_order=raw["label"].map(order))
    ranked = ranked.sort_values(["_order", "replication"], kind="stable")
    return ranked.drop(columns="_order").reset_index(drop=True)


def runs_table(raw: pd.DataFrame, policies: Sequence[SweepPolicy]) -> pd.DataFrame:
    """runs.parquet: policy columns, the replication, then every metric by name (missing: 0)."""
    by_label = {policy.label: policy for policy in policies}
    metrics = sorted(set(raw.columns) - {"label", "replication"})
    table = pd.DataFrame({"label": raw["label"]})
    for column in POLICY_COLUMNS[1:]:
        table[column] = pd.Series(
            [by_label[label].column(column) for label in raw["label"]], index=raw.index
        )
    table["replication"] = raw["replication"]
    return pd.concat([table, raw[metrics].fillna(0.0)], axis=1)


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
