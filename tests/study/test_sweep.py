"""``credsim sweep`` end to end: its files, equality with single runs, resume, executors.

One uninterrupted sweep (module fixture) is the reference every other way of
running the same sweep must reproduce byte for byte: killed and resumed, on a
local pool, on a Dask cluster, from the manifest's own command.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from sim import __version__
from sim.cli.commands import main
from sim.study.executors import DaskExecutor, LocalExecutor
from sim.study.grid import Grid
from sim.study.recommend import Score, recommend, rule_of_thumb
from sim.study.stats import Estimate
from sim.study.sweep import SweepPlan, sweep_in_scratch
from sim.study.sweep_store import IDENTITY
from sim.world.load import LoadedScenario
from tests.paths import FIXTURES, ROOT, TINY

REPLICATIONS = 40
GRID = ("--triggers", "0,50", "--amounts", "100,200")
FINAL = ("runs.parquet", "summary.csv", "summary.json")
GRID_LABELS = ["T0/A100/I100", "T0/A200/I100", "T50/A100/I100", "T50/A200/I100"]
GOLDEN = FIXTURES / "golden"
"""summary.json and summary.csv of the ``reference`` sweep, as the dict-based summary wrote them;
runs.parquet and portal.json as the code of issue 14 wrote them."""


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def sweep_args(out: Path, *extra: str, scenario: Path = TINY) -> list[str]:
    return ["sweep", str(scenario), *GRID, "--replications", str(REPLICATIONS),
            "--engine", "replay", "--no-widen", "--out", str(out), *extra]  # fmt: skip


def same_files(one: Path, other: Path) -> None:
    for name in FINAL:
        assert (one / name).read_bytes() == (other / name).read_bytes(), name


def rule_label(out: Path) -> str:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary["references"]["rule_of_thumb"]["label"]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "sweep"
    result = invoke(*sweep_args(out, "--workers", "1", "--quiet"))
    assert result.exit_code == 0, result.output
    return out


def test_runs_parquet_has_a_row_per_policy_and_replication_sorted(reference: Path) -> None:
    runs = pd.read_parquet(reference / "runs.parquet")
    head = ["label", "trigger", "amount", "initial", "in_grid", "replication"]
    assert list(runs.columns[:6]) == head
    metrics = list(runs.columns[6:])
    assert metrics == sorted(metrics)
    expected = (
        "forfeited",
        "mean_balance",
        "outage_episodes",
        "emails.balance_depleted",
        "blocked_by_service.toll_free_dial_in.minutes",
        "funded_by_source.initial",
    )
    for name in expected:
        assert name in metrics, name
    labels = list(dict.fromkeys(runs["label"]))
    assert labels == [*GRID_LABELS, "T400/A1000/I1000", rule_label(reference)]
    assert len(runs) == len(labels) * REPLICATIONS
    for position, label in enumerate(labels):
        rows = runs.iloc[position * REPLICATIONS : (position + 1) * REPLICATIONS]
        assert (rows["label"] == label).all()
        assert rows["replication"].tolist() == list(range(REPLICATIONS))
    assert runs["in_grid"].tolist() == [True] * 4 * REPLICATIONS + [False] * 2 * REPLICATIONS
    first = runs.iloc[0]
    assert (first["trigger"], first["amount"], first["initial"]) == (0.0, 100.0, 100.0)
    assert not runs[metrics].isna().any().any()


@pytest.mark.parametrize("label", ["T0/A200/I100", "T50/A100/I100", "rule of thumb"])
def test_a_sweep_row_equals_credsim_run_of_that_policy_to_the_last_digit(
    reference: Path, label: str
) -> None:
    summary = json.loads((reference / "summary.json").read_text(encoding="utf-8"))
    label = rule_label(reference) if label == "rule of thumb" else label
    entry = next(item for item in summary["policies"] if item["label"] == label)
    policy = entry["policy"]
    result = invoke(
        "run", TINY, "--trigger", policy["trigger"], "--amount", policy["amount"],
        "--initial", policy["initial"], "--replications", str(REPLICATIONS), "--seed", "1",
        "--engine", "replay", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert entry["policy"] == run["policy"]
    assert entry["metrics"] == run["metrics"]  # every metric's mean and CI, exactly
    assert entry["outage_risk_per_year"] == run["per_year"]["outage_risk_per_year"]
    assert entry["cost_per_year"] == run["per_year"]["cost_per_year"]
    assert entry["metrics"]["outage_episodes"]["mean"] > 0 or not label.startswith("T0/")


def test_the_recommendation_frontier_and_references_follow_from_the_rows(reference: Path) -> None:
    summary = json.loads((reference / "summary.json").read_text(encoding="utf-8"))
    entries = {item["label"]: item for item in summary["policies"]}

    def score(item: dict) -> Score:
        risk, cost = item["outage_risk_per_year"], item["cost_per_year"]
        return Score(item["label"], Estimate(risk["estimate"], risk["ci_low"], risk["ci_high"]),
                     Estimate(cost["mean"], cost["ci_low"], cost["ci_high"]))  # fmt: skip

    grid = [score(entries[label]) for label in GRID_LABELS]
    rec = recommend(grid, summary["objective"]["max_outage_risk_per_year"])
    chosen = summary["recommendation"]["label"]
    assert chosen == GRID_LABELS[rec.index]
    assert chosen.startswith("T50/")  # trigger 0 has an outage at every recharge: never within
    assert (rec.qualifies, summary["recommendation"]["qualifies"]) == (True, True)
    assert summary["recommendation"]["reason"].startswith(f"{chosen} has the lowest expected")
    assert "The documented example (T400/A1000/I1000) costs" in summary["recommendation"]["reason"]
    assert [entries[label]["recommended"] for label in GRID_LABELS] == [
        label == chosen for label in GRID_LABELS
    ]
    assert set(summary["frontier"]) <= set(GRID_LABELS)
    assert summary["references"]["documented_example"]["label"] == "T400/A1000/I1000"
    # the rule of thumb comes from the sweep's own spend: consumed + blocked charge
    runs = pd.read_parquet(reference / "runs.parquet")
    main_stage = runs[runs["label"] != rule_label(reference)]
    spend = (main_stage["consumed"] + main_stage["blocked_charge"]).mean() / 3
    assert 300 < spend < 340
    trigger, amount, initial = rule_of_thumb(spend)
    rule = summary["references"]["rule_of_thumb"]
    assert rule["label"] == f"T{trigger}/A{amount}/I{initial}"
    assert (amount, initial) == (round(spend), round(spend)) and trigger == round(spend * 12 / 52)
    assert rule["mean_spend_per_month"] == pytest.approx(spend)
    # cost per year = (forfeited + capital + fees + outages + penalties) / years, from the rows
    rows = runs[runs["label"] == "T0/A100/I100"]
    years, objective = 0.25, summary["objective"]
    cost = (rows["forfeited"] + rows["mean_balance"] * objective["cost_of_capital_per_year"] * years
            + rows["recharges"] * objective["cost_per_recharge"]
            + rows["outage_hours"] * objective["cost_per_outage_hour"]
            + rows["blocked_minutes"] * objective["penalty_per_blocked_min"]) / years  # fmt: skip
    assert entries["T0/A100/I100"]["cost_per_year"]["mean"] == pytest.approx(cost.mean())
    csv = pd.read_csv(reference / "summary.csv")
    assert csv["label"].tolist() == list(entries)
    assert csv.loc[csv["recommended"], "label"].tolist() == [chosen]


def test_the_typed_summary_writes_the_files_of_before_byte_for_byte(reference: Path) -> None:
    """The golden files were written by ``build_summary`` when it returned a dict (commit
    7619e7f); ``SweepSummary.to_dict`` and ``summary_table`` must give the same bytes."""
    for name in ("summary.json", "summary.csv"):
        golden = (GOLDEN / f"sweep-tiny-{name}").read_bytes()
        assert (reference / name).read_bytes() == golden, name


def test_the_sweep_writes_the_files_of_issue_14_byte_for_byte(reference: Path) -> None:
    """Issue 15 changes what a sweep costs, never what it writes: runs.parquet and
    portal.json as the code of issue 14 wrote them for the ``reference`` sweep (and
    summary.csv, above). The parquet file is compared as bytes too: its metadata names the
    pandas and pyarrow versions, so a library upgrade means regenerating the golden file."""
    for name in ("runs.parquet", "portal.json", "summary.csv"):
        golden = (GOLDEN / f"sweep-tiny-{name}").read_bytes()
        assert (reference / name).read_bytes() == golden, name


def test_the_summary_is_read_through_attributes(tiny: LoadedScenario) -> None:
    loaded = tiny
    grid = Grid((Decimal(0), Decimal(50)), (Decimal(100),), (Decimal(100),))
    plan = SweepPlan(loaded, grid, 6, seed=2, engine="fast")
    swept = sweep_in_scratch(plan, executor=LocalExecutor(1))
    summary = swept.summary
    stored = summary.to_dict()
    assert json.loads(json.dumps(stored)) == stored  # plain JSON all the way down
    rec = summary.recommendation
    assert rec.label == stored["recommendation"]["label"]
    assert summary.entry(rec.label).recommended and rec.levers.label() == rec.label
    assert summary.grid_policies == 2 == rec.grid_policies
    assert [ref.heading for ref in summary.references] == [
        "The documented example",
        "The rule of thumb",
    ]
    example = summary.reference("documented_example")
    assert summary.entry(example.label).levers == plan.example_levers()
    entry = summary.policies[0]
    assert entry.metrics["forfeited"].as_mean() == stored["policies"][0]["metrics"]["forfeited"]
    assert entry.score.risk == entry.outage_risk_per_year
    with pytest.raises(KeyError, match="no policy 'T1/A1/I1'"):
        summary.entry("T1/A1/I1")


def test_the_manifest_says_how_to_reproduce_the_sweep(
    reference: Path, tiny: LoadedScenario
) -> None:
    """What the manifest holds; that its command reproduces the files is the Dask test's."""
    held = manifest(reference)
    assert held["status"] == "complete"
    assert set(held["identity"]) == set(IDENTITY)
    assert held["identity"]["scenario_hash"] == tiny.content_hash
    assert held["identity"]["grid"] == {
        "triggers": ["0", "50"], "amounts": ["100", "200"], "initials": ["100"],
    }  # fmt: skip
    assert (held["identity"]["seed"], held["identity"]["replications"]) == (1, REPLICATIONS)
    assert held["identity"]["engine"] == "replay"
    assert held["credsim_version"] == __version__
    assert held["executor"] == {"kind": "local", "workers": 1}
    assert (held["arguments"]["workers"], held["arguments"]["resume"]) == (1, False)
    assert set(held["timings"]) == {"main_s", "rule_of_thumb_s", "summary_s", "wall_s"}
    assert [run["computed"] for run in held["invocations"]] == [
        {"main": REPLICATIONS, "rule_of_thumb": REPLICATIONS}
    ]
    assert shlex.split(held["command"])[:2] == ["credsim", "sweep"]  # run by the Dask test


def test_a_sweep_killed_midway_and_resumed_ends_identical(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "killed"
    child = subprocess.Popen(
        [sys.executable, "-m", "sim", *sweep_args(out, "--workers", "2")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    parts = out / "parts" / "main"
    deadline = time.monotonic() + 60
    while len(list(parts.glob("r*.parquet"))) < 3 and child.poll() is None:
        assert time.monotonic() < deadline, "no parts appeared"
        time.sleep(0.005)
    os.killpg(child.pid, signal.SIGKILL)  # the sweep and its pool workers, mid-write or not
    child.wait()
    done = len(list(parts.glob("r*.parquet")))
    assert 3 <= done < REPLICATIONS, "the kill came too late to test anything"
    assert manifest(out)["status"] == "running"
    assert not (out / "summary.json").exists()
    (parts / ".r000039.parquet.12345.tmp").write_bytes(b"half a part")  # a write cut short

    # one worker here: the pool ran in the killed sweep (the workers do not enter its identity)
    result = invoke(*sweep_args(out, "--resume", "--workers", "1", "--quiet"))
    assert result.exit_code == 0, result.output
    same_files(reference, out)
    resumed = manifest(out)
    assert resumed["invocations"][-1]["computed"] == {
        "main": REPLICATIONS - done, "rule_of_thumb": REPLICATIONS,
    }  # fmt: skip
    assert not list(parts.glob("*.tmp"))
    killed, last = resumed["invocations"]
    assert killed["finished"] is None and "computed" not in killed  # the kill left its trace
    assert last["resume"] is True and last["finished"] is not None
    assert resumed["identity"] == manifest(reference)["identity"]


def test_resuming_a_complete_sweep_computes_nothing(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    result = invoke(*sweep_args(out, "--resume", "--quiet"))
    assert result.exit_code == 0, result.output
    same_files(reference, out)
    assert manifest(out)["invocations"][-1]["computed"] == {"main": 0, "rule_of_thumb": 0}
    assert len(manifest(out)["invocations"]) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--seed", "2"), "seed: 1 there, 2 now"),
        (("--replications", "41"), "replications: 40 there, 41 now"),
        (("--engine", "simpy"), "engine: 'replay' there, 'simpy' now"),
        (
            ("--initials", "100,200"),
            'grid: {"triggers":["0","50"],"amounts":["100","200"],"initials":["100"]} there',
        ),
        (("scenario",), "scenario_hash: "),
    ],
)
def test_resume_is_refused_when_the_sweep_differs(
    reference: Path, tmp_path: Path, change: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    before = (out / "manifest.json").read_bytes()
    scenario = TINY
    if change == ("scenario",):
        scenario = tmp_path / "edited.toml"
        scenario.write_text(TINY.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        change = ()
    args = sweep_args(out, "--resume", "--quiet", scenario=scenario)
    if change:
        position = args.index(change[0]) if change[0] in args else len(args)
        args[position : position + 2] = list(change)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    error = result.stderr.splitlines()[-1]
    assert error.startswith(f"credsim: error: {out}: cannot resume: the sweep in this folder")
    assert message in error
    assert (out / "manifest.json").read_bytes() == before


def test_a_folder_is_never_overwritten_without_force(reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    small = ("--replications", "3", "--quiet")
    args = [*sweep_args(out)[:-2], "--out", str(out)]
    refused = invoke(*args, *small)
    assert refused.exit_code == 2
    assert "holds another sweep; use --resume" in refused.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    assert "is not empty" in invoke(*sweep_args(other, *small)).stderr
    both = invoke(*sweep_args(out, "--resume", "--force"))
    assert both.exit_code == 2 and "--resume and --force exclude each other" in both.stderr

    (out / "notes.txt").write_text("mine", encoding="utf-8")
    forced = invoke(*[*sweep_args(out), "--force", "--seed", "2", "--replications", "3", "--quiet"])
    assert forced.exit_code == 0, forced.output
    assert manifest(out)["identity"]["seed"] == 2
    assert len(list((out / "parts" / "main").glob("r*.parquet"))) == 3
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_manifests_command_on_a_dask_cluster_gives_the_same_files(
    reference: Path, tmp_path: Path
) -> None:
    """The reference's manifest command, run again with ``--scheduler``: it reproduces the
    sweep, and so does a Dask cluster (one sweep for both checks; either fault fails it).
    One worker process: the tasks and their results cross a process boundary (the other
    Dask tests run their workers in-process); two workers only added a second start-up."""
    distributed = pytest.importorskip("distributed")
    command = shlex.split(manifest(reference)["command"])
    command[command.index("--out") + 1] = str(tmp_path / "dask")
    with distributed.LocalCluster(
        n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        result = invoke(*command[1:], "--scheduler", cluster.scheduler_address, "--quiet")
    assert result.exit_code == 0, result.output
    same_files(reference, tmp_path / "dask")
    assert manifest(tmp_path / "dask")["executor"] == {
        "kind": "dask", "scheduler": cluster.scheduler_address,
    }  # fmt: skip


def _square(context: int, item: int) -> int:
    return context * item * item


def test_the_local_pool_yields_every_item_once_with_its_position() -> None:
    items = list(range(25))
    for workers in (1, 3):
        results = dict(LocalExecutor(workers).run(_square, 2, items))
        assert results == {i: 2 * i * i for i in items}


def test_an_unreachable_scheduler_is_reported_before_anything_is_written(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    with pytest.raises(
        ConnectionError, match=re.escape("cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    ):
        DaskExecutor("tcp://127.0.0.1:9", timeout_s=0.5).connect()
