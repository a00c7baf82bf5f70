"""Broken sweep folders (resumed) and broken regress baselines.

A resumed sweep may recompute a corrupt or foreign part (or replace a corrupt
manifest, with a warning) or refuse it with a message; what it may never do is
use it. So an accepted resume must end with exactly the rows of the clean sweep
it was copied from.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from tests.corpus.harness import Case
from tests.corpus.inputs import (
    SWEEP_ARGS,
    first_part,
    regress_folder,
    sweep_copy,
    tiny_sweep,
)

RESUME = (*SWEEP_ARGS, "--resume")
BASELINES = "issue 11 item 6"


def same_rows_as_the_clean_sweep(folder: Path) -> str:
    """ "" when the resumed sweep's runs.parquet holds the clean sweep's rows, else why not."""

    def rows(path: Path) -> pd.DataFrame:
        frame = pd.read_parquet(path)
        return frame.sort_values(["label", "replication"]).reset_index(drop=True)

    clean = rows(tiny_sweep() / "out" / "runs.parquet")
    resumed = rows(folder / "data" / "out" / "runs.parquet")
    return "" if clean.equals(resumed) else "the resumed sweep used a corrupt or foreign part"


def resume(case_id: str, change: object, **expect: object) -> Case:
    """--resume of the tiny sweep after ``change(out)`` broke its copy."""
    return Case(
        case_id,
        RESUME,
        setup=sweep_copy(change),  # type: ignore[arg-type]
        check=same_rows_as_the_clean_sweep,
        cpu_s=3,  # a resume recomputes a replication or two
        **expect,  # type: ignore[arg-type]
    )


def _truncate(out: Path) -> None:
    part = first_part(out)
    part.write_bytes(part.read_bytes()[:100])


def _garbage_part(out: Path) -> None:
    first_part(out).write_bytes(b"PAR1" + bytes(range(256)) * 4)


def _empty_part(out: Path) -> None:
    first_part(out).write_bytes(b"")


def _another_replication(out: Path) -> None:
    """Replication 1's part in replication 0's place: a part that is not what it claims."""
    part = first_part(out)
    shutil.copy(part.with_name("r000001.parquet"), part)


def _doctored_part(out: Path) -> None:
    """The same columns with other numbers, as a part copied from another sweep would be."""
    part = first_part(out)
    frame = pd.read_parquet(part)
    frame["consumed"] = frame["consumed"] + 1
    frame.to_parquet(part, index=False)


def _manifest(content: bytes) -> object:
    def change(out: Path) -> None:
        (out / "manifest.json").write_bytes(content)

    return change


def _identity(**changes: object) -> object:
    def change(out: Path) -> None:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        manifest["identity"].update(changes)
        (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    return change


def _manifest_folder(out: Path) -> None:
    (out / "manifest.json").unlink()
    (out / "manifest.json").mkdir()


def _parts_a_file(out: Path) -> None:
    shutil.rmtree(out / "parts")
    (out / "parts").write_text("not a folder", encoding="utf-8")


def _stage_marker(out: Path) -> None:
    for marker in out.glob("parts/*/policies.json"):
        marker.write_bytes(b"\xff\xfe garbage")


SWEEP = [
    resume("sweep-part-truncated", _truncate, exit=None),
    resume("sweep-part-garbage", _garbage_part, exit=None),
    resume("sweep-part-empty", _empty_part, exit=None),
    resume(
        "sweep-part-of-another-replication",
        _another_replication,
        exit=None,
    ),
    resume(
        "sweep-part-from-another-sweep",
        _doctored_part,
        exit=None,
    ),
    resume("sweep-manifest-garbage", _manifest(b"{ not json"), exit=None, names="manifest.json"),
    resume(
        "sweep-manifest-not-utf8",
        _manifest(b'{"identity": "\xff\xfe"}'),
        exit=None,
        names="manifest.json",
    ),
    resume("sweep-manifest-a-list", _manifest(b"[1, 2, 3]"), exit=None, names="manifest.json"),
    resume(
        "sweep-manifest-identity-text",
        _manifest(b'{"identity": "seed 7"}'),
        exit=None,
        names="data/out",
    ),
    resume("sweep-manifest-other-seed", _identity(seed=8), names="seed"),
    resume("sweep-manifest-other-grid", _identity(grid={"triggers": ["1"]}), names="grid"),
    resume(
        "sweep-manifest-is-folder",
        _manifest_folder,
        names="manifest.json",
    ),
    resume(
        "sweep-parts-is-a-file",
        _parts_a_file,
        names="parts",
    ),
    resume(
        "sweep-stage-marker-not-utf8",
        _stage_marker,
        exit=None,
    ),
]

REGRESS = ("regress", "--scenarios", "data")


def regress(case_id: str, baseline: object, *args: str, **expect: object) -> Case:
    """regress of the tiny scenario against a baseline changed by ``baseline``."""
    setup = regress_folder(baseline)  # type: ignore[arg-type]
    return Case(case_id, (*REGRESS, *args), setup=setup, **expect)  # type: ignore[arg-type]


def _values(replace: str) -> object:
    """The baseline with every list of numbers replaced by ``replace``."""
    return lambda text: _number_lists(text, replace)


def _number_lists(text: str, replace: str) -> str:
    data = json.loads(text)
    for policy in data["policies"].values():
        for metric in policy["metrics"].values():
            if isinstance(metric, dict) and "values" in metric:
                metric["values"] = [json.loads(replace)] * len(metric["values"])
    return json.dumps(data).replace('"NaN-literal"', "NaN").replace('"Inf-literal"', "Infinity")


_BASELINE = "sweep-tiny.json"
BASELINE_CASES = [
    regress("regress-baseline-garbage", lambda text: "{ nope", names=_BASELINE),
    regress("regress-baseline-empty", lambda text: "", names=_BASELINE),
    regress("regress-baseline-not-utf8", lambda text: b"\xff\xfe{}", names=_BASELINE),
    regress("regress-baseline-a-list", lambda text: "[]", names=_BASELINE),
    regress("regress-baseline-no-policies", lambda text: '{"format": 1}', names=_BASELINE),
    regress(
        "regress-baseline-nan-values",
        _values('"NaN-literal"'),
        names=_BASELINE,
    ),
    regress(
        "regress-baseline-infinite-values",
        _values('"Inf-literal"'),
        names=_BASELINE,
    ),
    regress(
        "regress-baseline-text-values",
        _values('"many"'),
        names=_BASELINE,
    ),
    regress(
        "regress-baseline-one-value-too-many",
        lambda text: text.replace("[0, 0]", "[0, 0, 0]", 1),
        names=_BASELINE,
    ),
    regress("regress-baseline-missing", None, names=_BASELINE),
    regress("regress-tolerance-zero", str, "--tolerance", "0", names="--tolerance"),
    regress(
        "regress-tolerance-nan",
        str,
        *("--tolerance", "nan"),
        names="--tolerance",
    ),
    regress("regress-update-without-reason", str, "--update", names="--reason"),
    regress("regress-reason-without-update", str, "--reason", "x", names="--reason"),
    regress("regress-report-is-folder", str, "--report", "data", names="--report"),
    Case("regress-no-such-folder", ("regress", "--scenarios", "nowhere"), names="nowhere"),
    Case("regress-folder-without-checks", ("regress", "--scenarios", "."), names="regression"),
]

CASES = [*SWEEP, *BASELINE_CASES]
