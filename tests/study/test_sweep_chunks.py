"""A sweep too big to lay out whole: read and written chunk by chunk, on a Dask cluster too.

The chunked sweep must give the bytes of the whole-table sweep (summary.csv,
summary.json, portal.json; runs.parquet's rows, its file being row groups),
and a Dask cluster the bytes of a local run (runs.parquet included).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sim import limits
from sim.cli.commands import main
from tests.paths import TINY

REPLICATIONS = 4
POLICIES = 20
CHUNK_ROWS = 24
"""6 policies a chunk at 4 replications: the 22 policies (grid and references) in 4 chunks."""
TEXT = ("summary.csv", "summary.json", "portal.json")


def sweep(out: Path, *extra: str) -> None:
    args = ["sweep", str(TINY), "--triggers", "0:80:20", "--amounts", "100:400:100",
            "--replications", str(REPLICATIONS), "--engine", "replay", "--no-widen", "--quiet",
            "--out", str(out), *extra]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("whole") / "sweep"
    sweep(out, "--workers", "1")
    return out


@pytest.fixture(scope="module")
def chunked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("chunked") / "sweep"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "SWEEP_CHUNK_ROWS", CHUNK_ROWS)
        sweep(out, "--workers", "1")
    return out


def test_a_chunked_sweep_writes_what_the_whole_table_gives(whole: Path, chunked: Path) -> None:
    assert pq.ParquetFile(whole / "runs.parquet").metadata.num_row_groups == 1
    assert pq.ParquetFile(chunked / "runs.parquet").metadata.num_row_groups == 4
    for name in TEXT:
        assert (whole / name).read_bytes() == (chunked / name).read_bytes(), name
    runs = pd.read_parquet(whole / "runs.parquet")
    assert len(runs) == (POLICIES + 2) * REPLICATIONS  # the example and the rule of thumb added
    pd.testing.assert_frame_equal(runs, pd.read_parquet(chunked / "runs.parquet"), check_exact=True)


def test_a_dask_cluster_writes_the_bytes_of_a_local_run(chunked: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with (
        distributed.LocalCluster(
            n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(limits, "SWEEP_CHUNK_ROWS", CHUNK_ROWS)
        sweep(out, "--scheduler", cluster.scheduler_address)
    for name in ("runs.parquet", *TEXT):
        assert (chunked / name).read_bytes() == (out / name).read_bytes(), name
    executor = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["executor"]
    assert executor == {"kind": "dask", "scheduler": cluster.scheduler_address}


def test_a_sweep_its_client_cannot_summarise_is_refused_before_the_cluster_is_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(limits.MAX_MEMORY_VARIABLE, "0.0001")  # 100 KiB
    args = ["sweep", str(TINY), "--triggers", "0:80:20", "--amounts", "100:400:100",
            "--replications", "1000", "--scheduler", "tcp://127.0.0.1:1",
            "--out", str(tmp_path / "out")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "22 policies x 1,000 replications would need about" in result.stderr
    assert not (tmp_path / "out").exists()
