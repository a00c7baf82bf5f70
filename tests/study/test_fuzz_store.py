"""Fuzzing the sweep store: a corrupt part or manifest is recomputed or refused, never used.

A sweep folder is written by one process and read back by another, perhaps
after a crash, a full disk or a copy from elsewhere. Whatever bytes a part or
the manifest holds, ``--resume`` must end either with the clean sweep's exact
rows (the bad part recomputed) or with one InputError; anything else (an
ArrowInvalid, a UnicodeDecodeError, rows from a foreign part) is a defect.
Bounded (issue 11 item 9): a few dozen examples on a two-policy, three-
replication sweep that takes a fraction of a second to resume.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.study.executors import LocalExecutor
from sim.study.grid import Grid
from sim.study.sweep import SweepPlan, run_sweep
from sim.study.sweep_store import MANIFEST, RUNS
from sim.world.load import load_scenario
from tests.paths import TINY

FUZZ = settings(
    max_examples=25,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # each shrink step resumes a sweep
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@functools.cache
def plan() -> SweepPlan:
    grid = Grid((Decimal(50),), (Decimal(100), Decimal(200)), (Decimal(100),))
    return SweepPlan(load_scenario(TINY), grid, 3, seed=1, engine="fast")


@functools.cache
def clean_sweep() -> Path:
    """The finished sweep every example starts from, made once per process."""
    scratch = Path(tempfile.mkdtemp(prefix="fuzz-store-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    out = scratch / "out"
    run_sweep(plan(), out, executor=LocalExecutor(1))
    return out


def rows(out: Path) -> pd.DataFrame:
    frame = pd.read_parquet(out / RUNS)
    return frame.sort_values(["label", "replication"]).reset_index(drop=True)


def resume_with(name: str, data: bytes) -> str:
    """Copy the clean sweep, write ``data`` to its file ``name``, resume: the outcome."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        shutil.copytree(clean_sweep(), out)
        (out / name).write_bytes(data)
        try:
            run_sweep(plan(), out, executor=LocalExecutor(1), resume=True)
        except InputError:
            return "refused"
        assert rows(out).equals(rows(clean_sweep())), "a bad file's rows were used"
        return "recomputed"


def part_names() -> list[str]:
    out = clean_sweep()
    return sorted(str(path.relative_to(out)) for path in out.glob("parts/*/r*.parquet"))


@st.composite
def damaged(draw: st.DrawFn, name: str | None = None) -> tuple[str, bytes]:
    """(file, bytes): a file of the sweep truncated, bit-flipped or replaced by random bytes."""
    chosen = name or draw(st.sampled_from(part_names()))
    original = (clean_sweep() / chosen).read_bytes()
    how = draw(st.sampled_from(("truncate", "flip", "random")))
    if how == "truncate":
        return chosen, original[: draw(st.integers(0, len(original) - 1))]
    if how == "flip":
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= 1 << draw(st.integers(0, 7))
        return chosen, bytes(data)
    return chosen, draw(st.binary(max_size=2000))


@given(damaged())
@FUZZ
def test_a_damaged_part_is_recomputed_or_refused(damage: tuple[str, bytes]) -> None:
    assert resume_with(*damage) in {"recomputed", "refused"}


@given(damaged(MANIFEST))
@FUZZ
def test_a_damaged_manifest_is_refused_or_replaced(damage: tuple[str, bytes]) -> None:
    assert resume_with(*damage) in {"recomputed", "refused"}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from(("identity", "invocations", "grid")), _JSON, min_size=1))
@FUZZ
def test_a_manifest_of_another_shape_is_refused(manifest: dict[str, object]) -> None:
    assert resume_with(MANIFEST, json.dumps(manifest).encode()) in {"recomputed", "refused"}


def test_an_untouched_sweep_resumes_to_the_same_rows() -> None:
    name = part_names()[0]
    assert resume_with(name, (clean_sweep() / name).read_bytes()) == "recomputed"


def test_a_part_whose_column_name_is_not_utf8_is_recomputed() -> None:
    """Found by the fuzz above: one flipped bit in a name of the footer's schema made
    pyarrow raise UnicodeDecodeError (not an ArrowException) while reading the schema."""
    name = part_names()[0]
    original = (clean_sweep() / name).read_bytes()
    damaged = original.replace(b"funded_by_source.scheduled", b"fu\xeaded_by_source.scheduled", 1)
    assert damaged != original
    assert resume_with(name, damaged) == "recomputed"


def test_a_part_whose_label_is_not_utf8_is_recomputed() -> None:
    """Found by the fuzz above: a flipped bit inside a label's bytes let the part be read, then
    made pandas' hashing of the column raise ArrowException while the checksum was compared."""
    name = next(n for n in part_names() if "main" in n)
    original = (clean_sweep() / name).read_bytes()
    label = original[original.index(b"T50/A100/I100") : original.index(b"T50/A100/I100") + 13]
    damaged = original.replace(label, b"T50/A100/I\xb100", 1)
    assert damaged != original
    assert resume_with(name, damaged) in {"recomputed", "refused"}
