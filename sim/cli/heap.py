"""The cyclic collector in a command's process: what the command loaded is not scanned again.

Why: a sweep loads numpy, pandas, pyarrow, scipy, pydantic and numba's registries, some
180,000 objects that live until the process ends and are never garbage. Python's cyclic
collector still walks all of them in every full collection: two or three while a sweep
runs (0.04-0.08 s each on the 2-core machine), and, as the interpreter exits, full
collections over everything, 0.35-0.55 s of issue 15's sweep (more than its summary and
files), measured between the last ``atexit`` handler and the end of the process
(docs/performance.md#fixed-costs-of-a-sweep). ``gc.freeze()`` moves every object that
exists into a generation the collector never scans; objects made later are collected as
before, and a frozen object is still freed the moment its last reference goes.

So a command's process freezes its heap when it exits (``freeze_at_exit``), and a command
that loads its libraries and inputs before long work runs with the collector off while it
loads them (``collector_off``: imports make few cycles and no garbage, yet set off passes
that walked the growing heap, 0.1-0.15 s of a sweep's start) and freezes them for that
work (``frozen``). Process pool workers forked inside it inherit the frozen generation:
their collections skip what they share with the parent and do not write to its pages.
"""

from __future__ import annotations

import atexit
import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_exit_registered = False


def freeze_at_exit() -> None:
    """Freeze the heap when the process exits (once per process, whatever calls it).

    What the interpreter's shutdown then collects is only what was never frozen: cyclic
    garbage made after the freeze, none in a finished command. Python never promised to
    collect cyclic garbage at exit; files and pools are closed by the commands themselves.
    """
    global _exit_registered  # noqa: PLW0603  (one registration per process, by design)
    if not _exit_registered:
        atexit.register(gc.freeze)
        _exit_registered = True


def collector_off(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command`` with the cyclic collector off, except inside its ``frozen`` blocks.

    For a command that imports and loads before its work: what it loads is frozen, not
    collected, once the work starts. The collector is put back as it was when the command
    returns or raises, so a caller in the same process (a test) keeps collecting.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        was_on = gc.isenabled()
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()

    return run


@contextmanager
def frozen() -> Iterator[None]:
    """The objects that exist now are not scanned by the collector until the block ends;
    the collector is on inside the block (objects made there are collected as usual).

    Leaving the block unfreezes them and puts the collector back as it was, so a caller
    in the same process (a test, a notebook running the command in-process) collects
    everything as before. A heap already frozen by someone else is left to them.
    """
    was_on, mine = gc.isenabled(), not gc.get_freeze_count()
    if mine:
        gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        if mine:
            gc.unfreeze()
        if not was_on:
            gc.disable()
