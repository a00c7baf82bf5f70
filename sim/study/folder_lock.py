"""An exclusive lock on a sweep's output folder, held for the whole run.

Why: two sweeps writing into one folder (a ``--force`` while another still
runs, two ``--resume`` at once) interleave their parts, and the last one to
finish writes a manifest that vouches for rows it did not compute. The lock
makes the second sweep stop at once with one line instead (it never waits:
a sweep can run for hours, and a refusal is easier to act on than a hang).

How: a POSIX record lock (``fcntl.lockf``) on ``.credsim-sweep.lock`` in the
folder, taken without blocking. The kernel drops it when the holder dies, so
``kill -9`` cannot leave a stale lock; and unlike ``flock`` it is not
inherited by the worker processes a local pool forks, so an orphaned worker
cannot keep a dead sweep's folder locked. The file holds the holder's pid,
for the message. It is removed on release; a lock taken on a file that was
removed meanwhile is retried on the new file, so two holders never coexist.

A record lock does not exclude its own process, so the folders locked by
this process are also kept in a set: a second sweep into the same folder
from the same process (a test, a long-lived server) is refused too.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import InputError

LOCK_FILE = ".credsim-sweep.lock"
"""The lock's file in the sweep folder (ignored when a folder is checked for emptiness)."""

_HELD: set[tuple[int, int]] = set()
"""(device, inode) of the folders this process holds."""


@contextmanager
def folder_lock(root: Path) -> Iterator[None]:
    """Hold ``root``'s lock (the folder is created if missing); InputError if another sweep does."""
    if root.exists() and not root.is_dir():
        raise InputError("is not a folder", source=root)
    root.mkdir(parents=True, exist_ok=True)
    folder = root.stat()
    key = (folder.st_dev, folder.st_ino)
    if key in _HELD:
        raise _held(root, os.getpid())
    path = root / LOCK_FILE
    fd = _acquire(root, path)
    _HELD.add(key)
    try:
        yield
    finally:
        _HELD.discard(key)
        try:
            path.unlink(missing_ok=True)  # before the lock goes: a waiter retries on a new file
        finally:
            os.close(fd)  # closing drops the record lock


def _acquire(root: Path, path: Path) -> int:
    """An open descriptor of ``path`` holding its lock, the pid written in it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise _held(root, _holder(path)) from None
        if _same_file(fd, path):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # the holder removed it between our open and our lock: try the new one


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _holder(path: Path) -> int | None:
    """The pid written in the lock file, when it can be read (it may be mid-write)."""
    try:
        text = path.read_bytes()[:32].decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _held(root: Path, pid: int | None) -> InputError:
    who = f"another sweep (pid {pid})" if pid is not None else "another sweep"
    return InputError(
        f"{who} is running in this folder and holds its lock; wait for it to finish, "
        "or use another --out",
        source=root,
    )
