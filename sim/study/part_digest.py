"""A digest of each column of a sweep's part, kept in the part and checked when it is read.

Why: a part read back on ``--resume`` may have been damaged or copied from another sweep;
``sim.study.sweep_store`` refuses it unless every column's values give the digest written
with it.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa


def column_digest(column: pa.ChunkedArray) -> str:
    """A digest of a column's values as arrow holds them: BLAKE2b of its type and values.

    Why not pandas' row hashes (``hash_pandas_object``) of each column of the frame, as
    before: with pandas' column access they took 2 s for the 40 parts of issue 15's sweep
    (docs/performance.md#fixed-costs-of-a-sweep); a number column's bytes are hashed here
    in one pass (a null is NaN in them). The protection is the same: any changed value
    changes the digest. Text (the policy labels) is hashed value by value, each marked
    null or not and given its length, so no two lists of labels give the same bytes.
    """
    digest = hashlib.blake2b(str(column.type).encode(), digest_size=16)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        for value in column.to_pylist():
            text = b"" if value is None else value.encode("utf-8", "surrogatepass")
            digest.update(
                b"\0" if value is None else b"\1" + len(text).to_bytes(8, "little") + text
            )
    else:
        digest.update(np.ascontiguousarray(column.to_numpy()).tobytes())
    return digest.hexdigest()


def column_digests(table: pa.Table) -> dict[str, str]:
    """Each column's ``column_digest``, by name."""
    return {name: column_digest(table.column(name)) for name in table.column_names}
