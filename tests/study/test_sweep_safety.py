"""Sweeps that cannot mix: the folder lock, every part's identity, damaged parts and manifests.

One small uninterrupted sweep (module fixture) is the reference; each test
damages a copy of it, or races a second sweep against a live one (two real
processes), and checks that the result is either that reference byte for
byte or one line and exit status 2, never a mixture and never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from sim.cli.commands import main
from sim.errors import InputError
from sim.study.folder_lock import LOCK_FILE, folder_lock
from sim.study.sweep_store import PART_KEY, SweepStore
from tests.paths import ROOT, TINY

REPLICATIONS = 8
FINAL = ("runs.parquet", "summary.csv", "summary.json")
PART = Path("parts") / "main" / "r000003.parquet"


def sweep_args(out: Path, *extra: str, replications: int = REPLICATIONS) -> list[str]:
    return ["sweep", str(TINY), "--triggers", "0,50", "--amounts", "100", "--replications",
            str(replications), "--workers", "1", "--quiet", "--out",
            str(out), *extra]  # fmt: skip


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def same_files(one: Path, other: Path) -> None:
    for name in FINAL:
        assert (one / name).read_bytes() == (other / name).read_bytes(), name


def errors(result: Result) -> list[str]:
    """stderr without the portal warning every sweep of this grid prints (trigger 0)."""
    return [line for line in result.stderr.splitlines() if "admin portal" not in line]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "sweep"
    result = invoke(*sweep_args(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same grid and replications with seed 2: its parts look just like the reference's."""
    out = tmp_path_factory.mktemp("other") / "sweep"
    result = invoke(*sweep_args(out, "--seed", "2"))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def copy(reference: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    return out


def test_every_part_carries_the_sweeps_identity(reference: Path) -> None:
    held = json.loads(pq.read_schema(reference / PART).metadata[PART_KEY])
    identity = manifest(reference)["identity"]
    assert {name: held[name] for name in identity} == identity
    assert (held["stage"], held["replication"]) == ("main", 3)
    assert held["policies"] == ["T0/A100/I100", "T50/A100/I100", "T400/A1000/I1000"]
    assert held["credsim_version"] == manifest(reference)["credsim_version"]
    assert not (reference / LOCK_FILE).exists()  # released and removed at the end


def test_a_part_copied_from_another_sweep_is_recomputed_on_resume(
    copy: Path, other: Path, reference: Path
) -> None:
    assert (other / PART).read_bytes() != (copy / PART).read_bytes()
    shutil.copyfile(other / PART, copy / PART)
    result = invoke(*sweep_args(copy, "--resume"))
    assert result.exit_code == 0, result.output
    assert errors(result) == [
        f"credsim: warning: {copy / 'parts' / 'main'}: 1 part(s) not used and recomputed: "
        "r000003.parquet is from another sweep (seed: 2 there, 1 here)"
    ]
    same_files(reference, copy)
    stages = manifest(reference)["invocations"][-1]["computed"]  # widen<k> too, if it widened
    computed = manifest(copy)["invocations"][-1]["computed"]
    assert computed == {stage: 0 for stage in stages} | {"main": 1}


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ("truncate", "is not a readable parquet file (truncated or damaged)"),
        ("garbage", "is not a readable parquet file (truncated or damaged)"),
        ("plain pandas", "carries no sweep identity"),
        ("altered", "is damaged (its data does not match its checksum)"),
    ],
)
def test_a_damaged_part_is_recomputed_on_resume(
    copy: Path, reference: Path, damage: str, problem: str
) -> None:
    part = copy / PART
    if damage == "truncate":
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    elif damage == "garbage":
        part.write_bytes(b"\x00\xffnot parquet at all\n" * 40)
    elif damage == "altered":  # one number changed, identity and schema kept (a flipped bit)
        table = pq.read_table(part)
        frame = table.to_pandas()
        frame.loc[0, "consumed"] += 1
        changed = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(changed.replace_schema_metadata(table.schema.metadata), part)
    else:  # a part as credsim wrote them before parts carried an identity
        pd.read_parquet(part).to_parquet(part, index=False)
    result = invoke(*sweep_args(copy, "--resume"))
    assert result.exit_code == 0, result.output
    [line] = errors(result)
    assert line.startswith("credsim: warning: ") and f"r000003.parquet {problem}" in line
    same_files(reference, copy)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"status": "complete", "identity": ', "not JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b"[" * 100_000, "not JSON"),
    ],
    ids=["cut-short", "not-utf8", "not-object", "nested"],
)
def test_a_damaged_manifest_is_one_line_and_resume_still_checks_every_part(
    copy: Path, other: Path, reference: Path, content: bytes, problem: str
) -> None:
    (copy / "manifest.json").write_bytes(content)
    shutil.copyfile(other / PART, copy / PART)  # without a manifest only the parts can tell
    refused = invoke(*sweep_args(copy))
    assert refused.exit_code == 2
    assert errors(refused) == [
        f"credsim: error: {copy}: holds a damaged sweep; use --resume to continue the same "
        "sweep, --force to replace it, or another folder"
    ]
    resumed = invoke(*sweep_args(copy, "--resume"))
    assert resumed.exit_code == 0, resumed.output
    first, second = errors(resumed)
    assert first == (
        f"credsim: warning: {copy / 'manifest.json'}: is not a sweep manifest ({problem}); "
        "it is replaced, and each part is checked against this sweep"
    )
    assert "r000003.parquet is from another sweep (seed: 2 there, 1 here)" in second
    same_files(reference, copy)
    assert manifest(copy)["status"] == "complete"


def test_force_replaces_a_damaged_sweep(copy: Path, other: Path, reference: Path) -> None:
    """Once, not per damage: ``--force`` clears the folder whatever the manifest holds
    (how each damage is read is checked just above)."""
    (copy / "manifest.json").write_bytes(b"[" * 100_000)
    shutil.copyfile(other / PART, copy / PART)  # replaced too, not kept
    forced = invoke(*sweep_args(copy, "--force"))
    assert forced.exit_code == 0, forced.output
    same_files(reference, copy)
    assert manifest(copy)["status"] == "complete"


def test_a_part_damaged_after_the_check_is_refused_when_the_summary_is_read(
    reference: Path, other: Path, tmp_path: Path
) -> None:
    identity = manifest(reference)["identity"]
    shutil.copytree(reference, tmp_path / "copy")
    store = SweepStore(tmp_path / "copy", identity, warn=pytest.fail)
    store.prepare_stage("main", ["T0/A100/I100", "T50/A100/I100", "T400/A1000/I1000"])
    assert len(store.read_parts("main")) == 3 * REPLICATIONS
    shutil.copyfile(other / PART, tmp_path / "copy" / PART)
    with pytest.raises(InputError) as caught:
        store.read_parts("main", ["consumed"])
    assert str(caught.value) == (
        f"{tmp_path / 'copy' / PART}: is from another sweep (seed: 2 there, 1 here); it was "
        "removed: run the same sweep with --resume to recompute it"
    )
    assert not (tmp_path / "copy" / PART).exists()


def test_the_lock_refuses_a_second_holder_in_this_process_and_outlives_no_one(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    with folder_lock(out):
        assert (out / LOCK_FILE).read_text(encoding="ascii") == f"{os.getpid()}\n"
        held = rf"another sweep \(pid {os.getpid()}\) is running"
        with pytest.raises(InputError, match=held), folder_lock(tmp_path / "." / "out"):
            pass
    assert not (out / LOCK_FILE).exists()
    (out / LOCK_FILE).write_text("999999999\n", encoding="ascii")  # left by a killed sweep
    with folder_lock(out):
        assert (out / LOCK_FILE).read_text(encoding="ascii") == f"{os.getpid()}\n"


def wait_for_parts(out: Path, child: subprocess.Popen[bytes], count: int) -> None:
    parts = out / "parts" / "main"
    deadline = time.monotonic() + 120
    while len(list(parts.glob("r*.parquet"))) < count:
        assert child.poll() is None, "the sweep ended before the test could race it"
        assert time.monotonic() < deadline, "no parts appeared"
        time.sleep(0.005)


def test_a_running_sweep_holds_its_folder_until_killed_then_resume_ends_identical(
    reference: Path, tmp_path: Path
) -> None:
    """The issue's case: ``--force`` into a folder where another sweep runs mixed two seeds.

    The sweep runs in a child process; the second sweeps run in this one. The resumed
    sweep must end as the module's uninterrupted ``reference`` (the same sweep).
    """
    replications = REPLICATIONS
    out = tmp_path / "raced"
    child = subprocess.Popen(
        [sys.executable, "-m", "sim", *sweep_args(out, replications=replications)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_parts(out, child, 2)
        os.killpg(child.pid, signal.SIGSTOP)  # frozen mid-sweep, still holding the lock
        parts = sorted(path.name for path in (out / "parts" / "main").glob("r*.parquet"))
        for extra in (("--force", "--seed", "7"), ("--resume",)):
            second = invoke(*sweep_args(out, *extra, replications=replications))
            assert second.exit_code == 2, second.output
            assert errors(second) == [
                f"credsim: error: {out}: another sweep (pid {child.pid}) is running in this "
                "folder and holds its lock; wait for it to finish, or use another --out"
            ]
        assert sorted(path.name for path in (out / "parts" / "main").glob("r*.parquet")) == parts
        assert manifest(out)["identity"]["seed"] == 1
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    assert (out / LOCK_FILE).exists()  # kill -9 leaves the file, but not the lock
    resumed = invoke(*sweep_args(out, "--resume", replications=replications))
    assert resumed.exit_code == 0, resumed.output
    same_files(reference, out)
    assert not (out / LOCK_FILE).exists()
