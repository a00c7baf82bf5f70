"""The one error type for bad input: it names the file, line and column.

The CLI turns it into a single line on stderr and exit status 2, never a
traceback, so a planner can fix the file without reading Python.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input from a file, an argument or an upload.

    ``line`` is 1-based as an editor shows it (the header is line 1);
    ``column`` is the column's name in the file's header when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.source = None if source is None else str(source)
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ":".join(
            part for part in (self.source, None if self.line is None else str(self.line)) if part
        )
        column = f"column {self.column!r}: " if self.column else ""
        return f"{where}: {column}{self.message}" if where else f"{column}{self.message}"


def decode_utf8(data: bytes, source: str | Path) -> str:
    """UTF-8 text with an optional BOM (Excel writes one); a bad byte is located by line."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text (byte 0x{body[exc.start]:02x}); save the file as UTF-8"
        raise InputError(message, source=source, line=line) from None
