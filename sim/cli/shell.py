"""The command line's outer shell: every way a command can end, as one line and an exit status.

Why one place: bad input is the user's to fix (one line naming the file, line
or option, exit 2); a genuine bug is ours (one line saying so and where the
full traceback was written, exit 70, ``EX_SOFTWARE`` of sysexits.h); Ctrl+C
is the user's choice (one line, exit 130, as shells report SIGINT). No
traceback reaches the terminal in any of them. Exceptions raised in pool
workers arrive here as their own type (``concurrent.futures`` re-raises them,
the worker's traceback chained as the cause), so a worker's ``InputError`` is
exit 2 and its bug is exit 70 with the worker's traceback in the log.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from gettext import gettext as _
from pathlib import Path
from typing import IO, Any

import click

import sim
from sim.cli.heap import freeze_at_exit
from sim.cli.lazy import LazyCommands
from sim.cli.options import BadInput
from sim.errors import InputError

EXIT_BUG = 70
"""``EX_SOFTWARE`` (sysexits.h): an internal software error."""
EXIT_INTERRUPTED = 130
"""128 + SIGINT, what a shell reports for a command stopped by Ctrl+C."""


class InternalError(click.ClickException):
    """A bug: one line naming the exception and the log that holds its traceback; exit 70."""

    exit_code = EXIT_BUG

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"credsim: {self.format_message()}", err=True, file=file)


class Interrupted(click.ClickException):
    """Ctrl+C: one line and exit 130 (click's own "Aborted!" would exit 1)."""

    exit_code = EXIT_INTERRUPTED

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"credsim: {self.format_message()}", err=True, file=file)


class Shell(click.Group):
    """The ``credsim`` group: its subcommands run inside ``classified``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with classified():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        freeze_at_exit()  # the process's exit skips collecting what it loaded (sim.cli.heap)
        with classified():
            return super().invoke(ctx)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The "Commands" section of ``--help``, as click writes it, without importing the
        commands not yet loaded: their short help comes from ``LazyCommands`` (``sim.cli.lazy``)."""
        commands = self.commands
        if not isinstance(commands, LazyCommands):
            super().format_commands(ctx, formatter)
            return
        shown = [name for name in self.list_commands(ctx) if not commands.hidden(name)]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name in shown)  # as click reckons it
        with formatter.section(_("Commands")):
            formatter.write_dl([(name, commands.short_help(name, limit)) for name in shown])


@contextmanager
def classified() -> Iterator[None]:
    """Turn whatever escapes a command into BadInput, Interrupted or InternalError.

    A usage error (an unknown option, a bad value, a missing argument) is bad
    input too: one line, exit 2, like any other.
    """
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:  # ``credsim`` alone: the help, as click shows it
        raise
    except click.UsageError as error:  # click's own three lines, as one
        raise BadInput(usage_line(error)) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except KeyboardInterrupt:
        raise Interrupted("interrupted") from None
    except InputError as error:
        raise BadInput(str(error)) from None
    except OSError as error:
        if error.errno == errno.EPIPE:  # stdout closed (``| head``): click's own quiet exit
            raise
        raise BadInput(f"{error.filename or ''}: {error.strerror or error}") from None
    except Exception as error:  # MemoryError and RecursionError are bugs too
        raise InternalError(bug_line(error, write_log(error))) from None


def usage_line(error: click.UsageError) -> str:
    """``No such option: --x (see 'credsim run --help')``: the message and where help is."""
    where = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
    return f"{error.format_message()}{where}"


def bug_line(error: BaseException, log: Path | str) -> str:
    """``internal error (a bug): Type: message; the details are in LOG; please report it``."""
    message = " ".join(str(error).split()) or "(no message)"
    if len(message) > 300:
        message = message[:297] + "..."
    return (
        f"internal error (a bug): {type(error).__name__}: {message}; "
        f"the details are in {log}; please report it"
    )


def log_folders() -> list[Path]:
    """Where a bug's log may go, best first: a per-user state folder, then a temporary one.

    Never the working directory or a data folder: the log is ours, not the user's data.
    """
    import tempfile  # noqa: PLC0415  (only when a bug is logged)

    import platformdirs  # noqa: PLC0415

    user = getattr(os, "getuid", lambda: "user")()
    return [
        platformdirs.user_log_path("credsim", appauthor=False),
        Path(tempfile.gettempdir()) / f"credsim-{user}",
    ]


def write_log(error: BaseException) -> Path | str:
    """Write the full traceback (workers' included) and what ran; the file's path.

    What it needs is imported here: a command that ends well never loads it (start-up).
    """
    import platform  # noqa: PLC0415
    import traceback  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    text = "".join(
        [
            f"credsim {sim.__version__}, Python {platform.python_version()}, "
            f"{platform.platform()}\n",
            f"command: {' '.join(sys.argv)}\n",
            f"time: {stamp}\n\n",
            *traceback.format_exception(error),
        ]
    )
    reasons = []
    for folder in log_folders():
        path = folder / f"crash-{stamp}-{os.getpid()}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.write_text(text, encoding="utf-8")
        except OSError as failure:
            reasons.append(f"{folder}: {failure.strerror or failure}")
            continue
        return path
    return f"no log (it could not be written: {'; '.join(reasons)})"
