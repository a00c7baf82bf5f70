"""The Teams admin center's PSTN usage export: a zip read in place, member by member.

Why read the zip directly: "Export to Excel" in the admin center downloads
``Calls.Export.{id}.zip`` holding ``PSTN.calls.{UTC date}.csv`` (Calling Plans and
Communications Credits), ``DirectRouting.calls.{UTC date}.csv`` (the tenant's own
carrier) and ``parameters.json`` (Microsoft Learn, "Microsoft Teams PSTN usage
report", section "Exporting PSTN usage report"). Unpacking it by hand loses nothing
but invites mixing files of two exports.

Why bounded: a zip is a promise about sizes that its bytes may break. Before a
member is opened, the central directory is checked against ``sim/limits.py``
(member count, each member's declared size and compression ratio) and every
member name must be a plain relative name; while a member is read, the bytes
inflated are counted, so one that inflates past its declared size is stopped.
Nothing is extracted: each member is streamed through the usage reader
(``sim.calls.usage``) row by row, so memory stays flat whatever its size.
"""

from __future__ import annotations

import fnmatch
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from sim.account.money import Currency, currency
from sim.account.stream import Call
from sim.calls.duplicates import Seen
from sim.calls.excel_dates import DateOrder
from sim.calls.row_details import Detail
from sim.calls.usage import UsageFile, open_usage
from sim.calls.usage_layout import UsageFormat
from sim.calls.usage_text import is_zip
from sim.errors import InputError
from sim.limits import (
    USAGE_ZIP_MEMBER_MAX_BYTES,
    USAGE_ZIP_MEMBERS_MAX,
    USAGE_ZIP_RATIO_FLOOR_BYTES,
    USAGE_ZIP_RATIO_MAX,
)

PSTN_MEMBERS = "PSTN.calls.*.csv"
"""Rows replayed: the Calling Plans and Communications Credits report (Teams format)."""
DIRECT_ROUTING_MEMBERS = "DirectRouting.calls.*.csv"
"""Rows counted as not credit-billed (``direct_routing``): calls on the tenant's carrier."""
_READ_CHUNK = 1 << 16


class _Bounded(io.RawIOBase):
    """A member's inflated bytes, stopped once they pass the size the zip declared."""

    def __init__(self, member: IO[bytes], declared: int, source: str) -> None:
        super().__init__()
        self._member, self._left, self._source = member, declared, source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._member.read(min(len(buffer), _READ_CHUNK))
        self._left -= len(data)
        if self._left < 0:
            raise InputError("the member inflates beyond its declared size", source=self._source)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._member.close()
        super().close()


@dataclass
class ExportZip:
    """An admin-center export read as one usage file (the interface of ``UsageFile``).

    PSTN members are read first, then Direct Routing members, each in name order;
    the counts add up over the members and all PSTN members share one currency. A row
    that repeats one of an earlier member is a duplicate (``sim.calls.duplicates``);
    ``first_duplicate_member`` names the member of ``first_duplicate_line``.
    """

    path: Path
    members: list[tuple[str, bool]]  # (name, is Direct Routing)
    currency: Currency
    currency_code: str | None = None
    keep_duplicates: bool = False
    date_order: DateOrder | None = None
    not_credit_billed: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    duplicates: int = 0
    duplicates_dropped: int = 0
    first_duplicate_line: int | None = None
    first_duplicate_member: str | None = None
    charged_under_plan: int = 0
    first_charged_under_plan: int | None = None
    format: UsageFormat = UsageFormat.TEAMS
    details: list[Detail] | None = field(default=None, repr=False)
    """When a list: every member's details, in the order of the calls (``UsageFile``)."""
    currency_named: bool = False
    _used: bool = field(default=False, repr=False)

    def calls(self) -> Iterator[Call]:
        """Every member's calls in turn; may be called only once."""
        if self._used:
            raise RuntimeError(f"calls() of {self.path} was already iterated; open it again")
        self._used = True
        return self._read()

    def _read(self) -> Iterator[Call]:
        seen = Seen()  # one memory of legs for every member
        with _open_zip(self.path) as archive:
            for name, _ in self.members:
                usage = self._member(archive, name, seen)
                yield from usage.calls()
                self._add(usage, name)

    def _member(self, archive: zipfile.ZipFile, name: str, seen: Seen) -> UsageFile:
        info = archive.getinfo(name)
        source = Path(f"{self.path}[{name}]")
        usage = open_usage(
            source,
            currency_code=self.currency_code,
            keep_duplicates=self.keep_duplicates,
            date_order=self.date_order,
            opener=lambda: _open_member(archive, info, str(source)),
            seen=seen,
        )
        usage.details = self.details
        if usage.format not in (UsageFormat.TEAMS, UsageFormat.DIRECT_ROUTING):
            message = f"expected a Teams PSTN or Direct Routing report, found a {usage.format} file"
            raise InputError(message, source=source, line=1)
        return usage

    def _add(self, usage: UsageFile, name: str) -> None:
        """Fold one member's counts in; its currency holds the next PSTN members to it."""
        self.not_credit_billed.update(usage.not_credit_billed)
        self.duplicates += usage.duplicates
        self.duplicates_dropped += usage.duplicates_dropped
        if self.first_duplicate_line is None and usage.first_duplicate_line is not None:
            self.first_duplicate_line = usage.first_duplicate_line
            self.first_duplicate_member = name
        self.rows += usage.rows
        self.charged_under_plan += usage.charged_under_plan
        if self.first_charged_under_plan is None:
            self.first_charged_under_plan = usage.first_charged_under_plan
        if usage.format is UsageFormat.TEAMS:
            self.currency, self.currency_code = usage.currency, usage.currency.code
            self.currency_named = self.currency_named or usage.currency_named


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> BinaryIO:
    """A member's bytes, streamed (never extracted) and bounded by its declared size."""
    try:
        member = archive.open(info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        raise InputError(f"cannot read the member ({exc})", source=source) from None
    return io.BufferedReader(_Bounded(member, info.file_size, source))


def open_recorded(
    path: Path,
    *,
    currency_code: str | None = None,
    keep_duplicates: bool = False,
    date_order: DateOrder | None = None,
) -> UsageFile | ExportZip:
    """A usage file or an admin-center export zip, told apart by the file's first bytes."""
    opener = open_export if is_zip(path) else open_usage
    return opener(
        Path(path),
        currency_code=currency_code,
        keep_duplicates=keep_duplicates,
        date_order=date_order,
    )


def open_export(
    path: Path,
    *,
    currency_code: str | None = None,
    keep_duplicates: bool = False,
    date_order: DateOrder | None = None,
) -> ExportZip:
    """Open an export zip: its directory checked, its members chosen (none read yet)."""
    try:
        default = currency(currency_code or "USD")
    except ValueError as exc:
        raise InputError(str(exc)) from None
    with _open_zip(path) as archive:
        members = _members(archive.infolist(), path)
    return ExportZip(path, members, default, currency_code, keep_duplicates, date_order)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise InputError(f"not a readable zip archive ({exc})", source=path) from None


def _members(infos: list[zipfile.ZipInfo], path: Path) -> list[tuple[str, bool]]:
    """The report members in reading order, after every member passed the checks."""
    if len(infos) > USAGE_ZIP_MEMBERS_MAX:
        limit = f"{USAGE_ZIP_MEMBERS_MAX:,} (USAGE_ZIP_MEMBERS_MAX in sim/limits.py)"
        raise InputError(f"the zip holds {len(infos):,} members; at most {limit}", source=path)
    pstn, direct = [], []
    for number, info in enumerate(infos, 1):
        _check(info, number, path)
        if fnmatch.fnmatchcase(info.filename, PSTN_MEMBERS):
            pstn.append((info.filename, False))
        elif fnmatch.fnmatchcase(info.filename, DIRECT_ROUTING_MEMBERS):
            direct.append((info.filename, True))
    if not pstn and not direct:
        expected = f"{PSTN_MEMBERS} or {DIRECT_ROUTING_MEMBERS}"
        raise InputError(f"the zip holds no {expected} (an admin-center export)", source=path)
    return sorted(pstn) + sorted(direct)


def _check(info: zipfile.ZipInfo, number: int, path: Path) -> None:
    """A plain relative name, a declared size and a ratio within the limits."""
    name = PurePosixPath(info.filename.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts or ":" in info.filename:
        message = f"member {number} has a path outside the archive (absolute or with '..')"
        raise InputError(message, source=path)
    size = info.file_size
    if size > USAGE_ZIP_MEMBER_MAX_BYTES:
        limit = (
            f"{USAGE_ZIP_MEMBER_MAX_BYTES:,} bytes (USAGE_ZIP_MEMBER_MAX_BYTES in sim/limits.py)"
        )
        message = f"member {number} inflates to {size:,} bytes; at most {limit}"
        raise InputError(message, source=path)
    ratio = size / max(info.compress_size, 1)
    if size > USAGE_ZIP_RATIO_FLOOR_BYTES and ratio > USAGE_ZIP_RATIO_MAX:
        limit = f"{USAGE_ZIP_RATIO_MAX} (USAGE_ZIP_RATIO_MAX in sim/limits.py)"
        message = f"member {number} inflates {ratio:,.0f} times (a zip bomb?); at most {limit}"
        raise InputError(message, source=path)
