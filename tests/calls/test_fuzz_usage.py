"""Fuzzing the usage-file readers: any bytes give rows or one InputError, never another exception.

Why: a usage report is the one input a planner takes from outside (an export
from the Teams admin centre, a spreadsheet someone edited), so every byte
sequence must end in calls or in a located message, never a traceback.
Bounded: a few hundred small examples in a few seconds (issue 11 item 9).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim.calls.usage import open_usage
from sim.errors import InputError
from tests.paths import EXAMPLES, FIXTURES

VALID = tuple(
    path.read_bytes()
    for path in (
        FIXTURES / "stream_calls.csv",
        FIXTURES / "teams_pstn_calls.csv",
        FIXTURES / "skype_pstn_calls.csv",
        EXAMPLES / "walkthrough.csv",
    )
)
"""One valid file of each format (the Teams one with a BOM), the seeds of the mutations."""

FUZZ = settings(
    max_examples=120,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def read_all(data: bytes) -> int:
    """Rows read from a usage file holding ``data``; InputError is the only failure allowed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calls.csv"
        path.write_bytes(data)
        usage = open_usage(path)
        return sum(1 for _ in usage.calls())


def outcome(data: bytes) -> str:
    try:
        read_all(data)
    except InputError as error:
        assert str(error).strip(), "an InputError without a message"
        return "refused"
    return "read"


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid file with a few byte-level edits: overwrite, insert, delete, repeat a line."""
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(("overwrite", "insert", "delete", "repeat", "cut")))
        if edit == "overwrite" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif edit == "insert":
            data[at:at] = draw(st.sampled_from(_INSERTS))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif edit == "repeat":
            lines = bytes(data).splitlines(keepends=True)
            index = draw(st.integers(0, max(len(lines) - 1, 0)))
            data = bytearray(b"".join([*lines[: index + 1], *lines[index:]]))
        else:
            del data[at:]
    return bytes(data)


_INSERTS = (
    b",", b"\t", b'"', b"\n", b"\r", b"\x00", b"\xff", b"9" * 25, b"-", b"e99", b"NaN",
    b"9999-12-31T23:59:59Z", b"0001-01-01 00:00:00", b"99999999999:00:00", b"\xef\xbb\xbf",
)  # fmt: skip
"""Fragments that have broken parsers before: delimiters, quotes, NULs, huge numbers, far dates."""


@given(st.binary(max_size=3000))
@FUZZ
@example(b"")
@example(b"\xef\xbb\xbf")
@example(b"start,end,service,charge\n")
def test_random_bytes_are_read_or_refused(data: bytes) -> None:
    assert outcome(data) in {"read", "refused"}


@given(mutated())
@FUZZ
def test_mutated_valid_files_are_read_or_refused(data: bytes) -> None:
    assert outcome(data) in {"read", "refused"}


def test_every_seed_file_is_read() -> None:
    assert [read_all(data) > 0 for data in VALID] == [True] * len(VALID)
