"""A part's column digests: the same after a parquet round trip, different for any change."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

from sim.study.part_digest import column_digests


def table(labels: list[str | None], consumed: list[float | None]) -> pa.Table:
    return pa.table({"label": labels, "replication": [0] * len(labels), "consumed": consumed})


def test_the_digests_survive_a_parquet_round_trip() -> None:
    written = table(["T0/A100/I100", None, "T50/A100/I100"], [1.5, None, 2.25])
    buffer = io.BytesIO()
    pq.write_table(written, buffer)
    assert column_digests(pq.read_table(io.BytesIO(buffer.getvalue()))) == column_digests(written)


def test_any_changed_value_changes_its_column_digest_only() -> None:
    base = column_digests(table(["a", "b"], [1.0, 2.0]))
    number = column_digests(table(["a", "b"], [1.0, 2.0000000000000004]))
    assert number["consumed"] != base["consumed"] and number["label"] == base["label"]
    for labels in (["a", "c"], ["ab", ""], ["a", None], ["a\x00", "b"]):
        assert column_digests(table(labels, [1.0, 2.0]))["label"] != base["label"], labels
    assert (
        column_digests(table(["", ""], [1.0, 2.0]))["label"]
        != column_digests(table([None, None], [1.0, 2.0]))["label"]
    )
