"""Reading the files a scenario names: only regular files, inside their folder, size-bounded.

Why: a scenario names its rate table by a path, and an uploaded scenario is
written by a stranger. Joining that path to a folder unchecked let
``table = "../../../../etc/passwd"`` show a server file's first line, and
``/dev/zero`` exhaust memory. So a named file must lie inside an allowed folder
after symlinks are resolved, must be a regular file (no device, fifo, folder or
``/proc`` pseudo-file, which reports size 0 and then yields content), and is
read with at most ``limit + 1`` bytes, never an unbounded ``read()``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sim.errors import InputError

_CHUNK_BYTES = 1 << 20
"""Bytes asked of the OS per read (a short read is normal for pipes and /proc)."""


def confined(
    folder: Path, written: str, *, root: Path | None = None, what: str, source: str | Path
) -> Path:
    """``folder / written`` resolved, or InputError when it is absolute or resolves outside.

    ``root`` (default ``folder``) is the folder the result must stay in; both
    are resolved, so a scenario folder reached through a symlink still works
    and a link inside it that points out of it does not.
    """
    if not written or Path(written).is_absolute():
        raise InputError(
            f"{what}: {written!r} must be a path relative to the scenario's folder", source=source
        )
    if "\x00" in written:
        raise InputError(f"{what}: {written!r} contains a NUL character", source=source)
    allowed = (root or folder).resolve()
    try:
        target = (folder.resolve() / written).resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop, a name too long
        raise InputError(f"{what}: cannot resolve {written!r}: {error}", source=source) from None
    if not target.is_relative_to(allowed):
        raise InputError(
            f"{what}: {written!r} lies outside the scenario's folder {allowed} "
            "(a table must be in that folder or below it)",
            source=source,
        )
    return target


def read_regular(
    path: Path, max_bytes: int, *, what: str, knob: str, shown: Path | None = None
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; OSError when missing or unreadable.

    The type and size are checked with ``stat`` before opening, then again on
    the open descriptor (the file may have been swapped in between), and the
    read stops at ``max_bytes + 1`` bytes whatever the file claims. ``knob``
    says how to change the limit, for the message; ``shown`` names the file in
    messages (default ``path``).
    """
    name = shown or path
    _check_stat(os.stat(path), name, max_bytes, what, knob)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_stat(os.fstat(descriptor), name, max_bytes, what, knob)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0 and (chunk := os.read(descriptor, min(left, _CHUNK_BYTES))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise _too_big(name, max_bytes, what, knob, size=None)
    return data


def check_size(data: bytes, max_bytes: int, *, what: str, knob: str, source: str | Path) -> None:
    """InputError when ``data`` (an upload, already in memory) exceeds ``max_bytes``."""
    if len(data) > max_bytes:
        raise _too_big(source, max_bytes, what, knob, size=len(data))


def _check_stat(info: os.stat_result, path: Path, max_bytes: int, what: str, knob: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InputError(f"the {what} is {kind}; a regular file is needed", source=path)
    if info.st_size > max_bytes:
        raise _too_big(path, max_bytes, what, knob, size=info.st_size)


def _too_big(
    source: str | Path, max_bytes: int, what: str, knob: str, *, size: int | None
) -> InputError:
    found = f" ({size:,} bytes)" if size is not None else ""
    return InputError(
        f"the {what}{found} is larger than the limit of {max_bytes:,} bytes ({knob})",
        source=source,
    )
