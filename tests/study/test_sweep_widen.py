"""``credsim sweep`` widening its grid: the rounds, their reuse, resumability, ``--no-widen``.

On the tiny fixture, the grid triggers 0, 50 x amounts 100, 200 has its optimum
(T50/A200) at the highest trigger and amount; one widening (to 150 and 400)
puts it inside (T50/A300). Few replications: the widening, not the figures,
is under test.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sim.cli.commands import main
from sim.study.executors import LocalExecutor
from sim.study.grid import Grid
from sim.study.sweep import SweepPlan, run_sweep
from sim.study.widen import WidenLimits
from sim.world.load import LoadedScenario
from tests.paths import TINY

REPLICATIONS = 6
ASKED = {"triggers": ["0", "50"], "amounts": ["100", "200"], "initials": ["100"]}
WIDENED = {"triggers": ["0", "50", "100", "150"], "amounts": ["100", "200", "300", "400"],
           "initials": ["100"]}  # fmt: skip
FILES = ("runs.parquet", "summary.csv", "summary.json", "portal.json")


def sweep(out: Path, *extra: str, triggers: str = "0,50", amounts: str = "100,200") -> Result:
    args = ["sweep", str(TINY), "--triggers", triggers, "--amounts", amounts,
            "--replications", str(REPLICATIONS), "--workers", "1",
            "--quiet", "--out", str(out), *extra]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result


def read(out: Path, name: str) -> dict[str, Any]:
    held: dict[str, Any] = json.loads((out / name).read_text(encoding="utf-8"))
    return held


@pytest.fixture(scope="module")
def widened(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("widened") / "sweep"
    return out, sweep(out).stdout


def test_an_optimum_at_the_grids_edge_is_widened_until_it_lies_inside(
    widened: tuple[Path, str],
) -> None:
    out, printed = widened
    summary = read(out, "summary.json")
    assert summary["grid"] == WIDENED
    assert summary["recommendation"]["label"] == "T50/A300/I100"
    assert "edge of the grid" not in summary["recommendation"]["reason"]
    widening = summary["widening"]
    assert (widening["rounds"], widening["stopped"], widening["asked"]) == (1, "inside", ASKED)
    added = widening["steps"][0]["added"]
    assert [(item["axis"], item["end"], item["values"]) for item in added] == [
        ("triggers", "highest", ["100", "150"]), ("amounts", "highest", ["300", "400"]),
    ]  # fmt: skip
    line = (
        "Grid widened once: triggers 0-50 -> 0-150 (the optimum sat at the highest trigger); "
        "amounts 100-200 -> 100-400 (the optimum sat at the highest amount); the optimum now "
        "lies inside the grid."
    )
    verdict = summary["recommendation"]["verdict"]
    assert printed.startswith(f"{verdict}\n\n{line}\n\n")  # the verdict first, then the widening
    assert "Sweep of sweep-tiny: 16 policies" in printed


def test_the_manifest_names_the_grid_asked_for_and_the_grid_swept(
    widened: tuple[Path, str],
) -> None:
    out, _ = widened
    manifest = read(out, "manifest.json")
    assert manifest["identity"]["grid"] == ASKED
    assert manifest["identity"]["widen"] == WidenLimits().to_dict()
    assert (manifest["grid"], manifest["policies"]) == (WIDENED, 16)
    assert manifest["invocations"][-1]["computed"] == {
        "main": REPLICATIONS, "rule_of_thumb": REPLICATIONS, "widen1": REPLICATIONS,
    }  # fmt: skip
    assert "--widen" in manifest["command"].split()
    stage = json.loads((out / "parts" / "widen1" / "policies.json").read_text(encoding="utf-8"))
    assert len(stage) == 12, "the 4 policies of the grid asked for are not computed again"


def test_a_widened_sweep_equals_a_sweep_of_the_final_grid(
    widened: tuple[Path, str], tmp_path: Path
) -> None:
    """Common random numbers: a policy's rows do not depend on the stage that computed them."""
    out, _ = widened
    direct = tmp_path / "direct"
    sweep(direct, "--no-widen", triggers="0,50,100,150", amounts="100,200,300,400")
    for name in ("runs.parquet", "summary.csv", "portal.json"):
        assert (out / name).read_bytes() == (direct / name).read_bytes(), name
    summary = read(out, "summary.json")
    del summary["widening"]
    assert summary == read(direct, "summary.json")


def test_the_same_seed_gives_the_same_files_byte_for_byte(
    widened: tuple[Path, str], tmp_path: Path
) -> None:
    out, printed = widened
    again = tmp_path / "again"
    assert sweep(again).stdout.replace(str(again), str(out)) == printed
    for name in FILES:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_resume_after_widening_recomputes_only_the_missing_parts(
    widened: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = widened
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    sweep(copy, "--resume")
    assert read(copy, "manifest.json")["invocations"][-1]["computed"] == {
        "main": 0, "rule_of_thumb": 0, "widen1": 0,
    }  # fmt: skip
    (copy / "parts" / "widen1" / "r000002.parquet").unlink()
    (copy / "parts" / "main" / "r000004.parquet").unlink()
    (copy / "summary.json").unlink()
    sweep(copy, "--resume")
    assert read(copy, "manifest.json")["invocations"][-1]["computed"] == {
        "main": 1, "rule_of_thumb": 0, "widen1": 1,
    }  # fmt: skip
    for name in FILES:
        assert (out / name).read_bytes() == (copy / name).read_bytes(), name


def test_resume_refuses_a_folder_swept_with_other_widening(
    widened: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = widened
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    result = CliRunner().invoke(
        main, ["sweep", str(TINY), "--triggers", "0,50", "--amounts", "100,200",
               "--replications", str(REPLICATIONS), "--no-widen",
               "--resume", "--quiet", "--out", str(copy)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "cannot resume" in result.stderr and "widen: " in result.stderr


def test_no_widen_keeps_the_grid_and_the_edge_note(tmp_path: Path) -> None:
    out = tmp_path / "plain"
    printed = sweep(out, "--no-widen").stdout
    summary = read(out, "summary.json")
    assert "widening" not in summary and summary["grid"] == ASKED
    assert summary["recommendation"]["label"] == "T50/A200/I100"
    assert summary["recommendation"]["reason"].endswith(
        "Its trigger (50, the highest tried) and amount (200, the highest tried) are at the edge "
        "of the grid: a wider grid may do better."
    )
    assert sorted(path.name for path in (out / "parts").iterdir()) == ["main", "rule_of_thumb"]
    assert read(out, "manifest.json")["identity"]["widen"] is None
    verdict = summary["recommendation"]["verdict"]
    assert printed.startswith(f"{verdict}\n\nSweep of sweep-tiny: 4 policies")  # no widening line


def test_when_the_rounds_run_out_the_edge_note_stays(tiny: LoadedScenario, tmp_path: Path) -> None:
    grid = Grid((Decimal(50),), (Decimal(100), Decimal(110)), (Decimal(100),))
    plan = SweepPlan(tiny, grid, REPLICATIONS, 1, "replay", WidenLimits(rounds=1, values=1))
    result = run_sweep(plan, tmp_path / "bounded", executor=LocalExecutor(1))
    widening = result.summary.widening
    assert widening is not None and widening.stopped == "rounds"
    assert result.grid.amounts == (Decimal(100), Decimal(110), Decimal(120))
    assert result.summary.recommendation.label == "T50/A120/I100"
    assert widening.text().endswith(
        "the optimum still sits at the highest amount (120) after 1 widening, the most one "
        "sweep runs: a wider grid may do better"
    )
    assert result.summary.recommendation.reason.endswith(
        "Its amount (120, the highest tried) is at the edge of the grid: a wider grid may do "
        "better."
    )
