"""Progress on stderr for long commands: a bar with ETA on a terminal, lines in a log.

Why two forms: click's bar redraws one line, which is right on a terminal
but shows nothing but its label when stderr is a file or a pipe (a batch
job's log, CI). There a line every tenth of the work (and at least every
minute) says how far it is and when it should end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import click

Advance = Callable[[int], None]
LOG_STEPS = 10
LOG_EVERY_S = 60.0


def progress_factory(*, quiet: bool) -> Callable[[str, int], AbstractContextManager[Advance]]:
    """``progress(label, total)`` for a command: silent with ``--quiet``."""
    if quiet:
        return _silent
    return _bar if sys.stderr.isatty() else _lines


@contextmanager
def _silent(label: str, total: int) -> Iterator[Advance]:
    yield lambda n: None


@contextmanager
def _bar(label: str, total: int) -> Iterator[Advance]:
    if total == 0:
        yield lambda n: None
        return
    with click.progressbar(
        length=total, label=label, file=sys.stderr, show_eta=True, show_pos=True, show_percent=True
    ) as bar:
        yield bar.update


@contextmanager
def _lines(label: str, total: int) -> Iterator[Advance]:
    """``main: 20/200 replications (10 %), 3.1 s, ETA 0:00:28`` every tenth, then a last line."""
    began = time.monotonic()
    done = shown = 0
    last = began

    def advance(n: int) -> None:
        nonlocal done, shown, last
        done += n
        now = time.monotonic()
        step = done * LOG_STEPS // total
        if step > shown or now - last >= LOG_EVERY_S:
            shown, last = step, now
            click.echo(status_line(label, done, total, now - began), err=True)

    click.echo(f"{label}: {total} replications to compute", err=True)
    yield advance


def status_line(label: str, done: int, total: int, elapsed_s: float) -> str:
    """One progress line with the estimated time left (from the mean time per item so far)."""
    line = f"{label}: {done}/{total} replications ({done * 100 // total} %), {elapsed_s:.1f} s"
    if 0 < done < total:
        left = round(elapsed_s / done * (total - done))
        line += f", ETA {left // 3600}:{left // 60 % 60:02d}:{left % 60:02d}"
    return line
