"""A usage file's bytes as text: zip or not, UTF-8 lines of bounded length, the header line.

Why a module of its own, with no numpy: ``sim.calls.sniff`` tells a usage report
from a scenario by its header line for every scenario FILE a command is given,
``credsim validate`` included, and must not load the row readers (``Call``
records, duplicate keys: numpy) to do it. ``sim.calls.usage`` reads the same
header with the same functions, so both agree on what a usage file is.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from sim.errors import InputError
from sim.limits import USAGE_LINE_MAX_CHARS

Opener = Callable[[], BinaryIO]
"""Opens the usage bytes afresh: a file on disk, or a member of an export zip."""
_ZIP_MAGIC = b"PK\x03\x04"


def is_zip(path: Path) -> bool:
    """True when the file starts as a zip archive does (whatever its name)."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
    except OSError:
        return False  # the usage reader reports the unreadable file


def open_text(path: Path, opener: Opener | None = None) -> TextIO:
    """UTF-8 with an optional BOM (Excel writes one); newline="" as csv requires."""
    if opener is None:
        return path.open(encoding="utf-8-sig", newline="")
    return io.TextIOWrapper(opener(), encoding="utf-8-sig", newline="")


def first_line(path: Path, opener: Opener | None = None) -> str:
    """The header line (read no longer than ``USAGE_LINE_MAX_CHARS``)."""
    try:
        with open_text(path, opener) as handle:
            first = next(text_lines(handle, path), "")
    except (OSError, UnicodeDecodeError) as exc:
        raise unreadable(path, exc, opener) from None
    if not first:
        raise InputError("the file is empty; expected a header line", source=path)
    return first


def text_lines(handle: TextIO, path: Path) -> Iterator[str]:
    """The file's lines, each read at most ``USAGE_LINE_MAX_CHARS`` long.

    Why not iterate the handle: it reads a line whole, however long, and csv then
    splits it; a 200 MB line of commas would become a list of 10^8 fields.
    """
    number = 0
    while line := handle.readline(USAGE_LINE_MAX_CHARS + 1):
        number += 1
        if len(line) > USAGE_LINE_MAX_CHARS:
            limit = f"{USAGE_LINE_MAX_CHARS:,} characters (USAGE_LINE_MAX_CHARS in sim/limits.py)"
            what = "the header line" if number == 1 else "the line"
            raise InputError(f"{what} is longer than {limit}", source=path, line=number)
        yield line


def unreadable(
    path: Path, exc: OSError | UnicodeDecodeError, opener: Opener | None = None
) -> InputError:
    """The one-line error for a usage file that cannot be read, or is not UTF-8 (with the line)."""
    if isinstance(exc, OSError):
        return InputError(f"cannot read the usage file: {exc.strerror or exc}", source=path)
    line, byte = _first_bad_line(opener or (lambda: path.open("rb")), exc.object[exc.start])
    message = f"not UTF-8 text (byte 0x{byte:02x}); export or save the file as UTF-8"
    return InputError(message, source=path, line=line)


def _first_bad_line(opener: Opener, byte: int) -> tuple[int | None, int]:
    """Find the line that is not UTF-8: the text decoder fails whole chunks, not lines."""
    try:
        with opener() as raw:
            for number, text in enumerate(raw, 1):
                try:
                    text.decode("utf-8")
                except UnicodeDecodeError as bad:
                    return number, text[bad.start]
    except OSError:
        pass
    return None, byte
