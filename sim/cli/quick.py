"""A quick command's run: Python's cyclic collector held off, and skipped at the exit after it.

Why: ``credsim validate`` (run after each edit of a scenario) builds the scenario
schema, some 30 pydantic models and their validators, and then exits. While it
runs, the collector's passes over the young objects keep finding nothing to free
(the schema is kept, and a check leaves no cycles worth a pass), and at the exit
the interpreter runs a last collection over every object it holds (some 200,000
with pydantic and babel's data), only to free what the process is about to drop
anyway. Both were about 60 ms of CPU of validate's 310 ms (docs/performance.md#start-up).

The collector is enabled again when the command returns, so a test that runs a
command in its own process keeps its collector; what is frozen at exit
(``gc.freeze``) is only skipped by that last collection: files are closed by
their ``with`` blocks and the standard streams are flushed by the interpreter
after it, as always.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quick_run() -> Iterator[None]:
    """Run a short command without the collector's passes, and without its last one at exit."""
    atexit.register(_freeze_once)
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _freeze_once() -> None:
    """At exit: move every object to the collector's permanent generation (skipped by its
    final pass); registered once however many quick commands ran in the process."""
    atexit.unregister(_freeze_once)
    gc.freeze()
