"""Rows of a usage report that repeat a billed leg already read: found, counted, dropped.

Why: usage reports are exported by date range, and a planner who joins two
exports that overlap (or re-downloads a day) would otherwise bill the calls of
the overlap twice, silently doubling their cost in the backtest.

What is a duplicate. A Teams or Skype report has one row per billed *leg*: the
``Call ID`` is shared by the legs of one call (a transfer, a forward, the
dial-out of a conference), so the id alone is not a duplicate; two users on one
conference each have their own leg and both are billed. A row is a duplicate
only when an earlier row has the same non-blank ``Call ID`` *and* the same leg:
the same record id (``UsageId``, Teams), user (``UPN``, ``AAD ObjectId``;
``User ID`` in Skype), call type, start, end or duration, charge, fee and
currency. Any difference in those makes it a distinct leg that is billed as
written. A row with a blank ``Call ID`` cannot be matched and is never dropped;
the canonical stream format has no id and is read as written. One exception:
Teams gives every record its own ``UsageId``, so a row whose non-blank
``UsageId`` was already read is the same record exported twice (perhaps with a
different charge, if it was re-rated between exports): it is a duplicate
whatever else differs, and the first one read is the one billed.

Why one memory per export zip: the admin center splits an export into one
``PSTN.calls.{date}.csv`` per day or range, and two exports joined into one zip
may overlap; a row repeated in two members is the same leg billed twice, so the
members of one zip share the digests read so far (``seen``), and the rules above
apply across them as within one file.

Why digests in a flat table: a 200 MB report has about 730,000 rows; a 64-bit
digest of each leg is kept instead of the row, in an open-addressing table of
uint64 (``_DigestSet``: 8 bytes a slot, at most half full), so a 200 MB file
needs about 16 MB for it; a Python ``set`` of ints needed 76 MB (measured, see
the report of issue 11). The digest is Python's tuple hash: its string hashes
are SipHash with a key drawn per process, so a file cannot be crafted to put
many legs in one probe chain, and it is several times faster than BLAKE2b. Two
distinct legs share a digest with odds near 10^-8 in a file of 10^6 rows.
"""

from __future__ import annotations

import numpy as np

from sim.calls.usage_layout import Layout

ID_COLUMN = "call id"
"""The correlation id both report formats carry (lowercased header name)."""
RECORD_COLUMN = "usageid"
"""The id of one record (Teams): unique per row of a report, so it alone decides."""
LEG_COLUMNS = (
    "usageid", "upn", "aad objectid", "user id", "call type", "start time", "start time (utc)",
    "end time", "duration seconds", "duration", "charge", "connection fee", "currency",
)  # fmt: skip
"""The columns (those a header has) that tell the legs of one call apart."""
_DIGEST_MASK = (1 << 64) - 1
_FIRST_SLOTS = 1 << 12


class _DigestSet:
    """A set of non-zero 64-bit digests in one uint64 array (linear probing, 0 = empty).

    Why not ``set[int]``: each member would be a 36-byte int object plus its
    slot, about 105 bytes a row in all; here it is 8 to 32 bytes a row.
    """

    def __init__(self) -> None:
        self._slots = np.zeros(_FIRST_SLOTS, np.uint64)
        self._mask = _FIRST_SLOTS - 1
        self._count = 0

    def add(self, digest: int) -> bool:
        """Add ``digest`` (1 .. 2^64 - 1); False when it was already there."""
        slots, mask = self._slots, self._mask
        index = digest & mask
        while (found := int(slots[index])) != 0:
            if found == digest:
                return False
            index = (index + 1) & mask
        slots[index] = digest
        self._count += 1
        if 2 * self._count > len(slots):
            self._grow()
        return True

    def _grow(self) -> None:
        """Double the table and place every digest again (amortised O(1) an add)."""
        members = self._slots[self._slots != 0]  # 8 bytes each: no list of Python ints
        self._slots = np.zeros(2 * len(self._slots), np.uint64)
        self._mask, self._count = len(self._slots) - 1, 0
        for digest in members:
            self.add(int(digest))


class Seen:
    """The legs read so far, as digests: one file's, or shared by the members of a zip."""

    def __init__(self) -> None:
        self._digests = _DigestSet()

    def add(self, key: tuple[str, ...]) -> bool:
        """Remember ``key``; False when it was already read."""
        return self._digests.add(hash(key) & _DIGEST_MASK or 1)


class Duplicates:
    """Remembers the legs read so far (as digests) and counts the rows that repeat one.

    ``seen`` is the memory to share (the members of one zip); by default a fresh one.
    Counts are this file's; a leg is matched against every file that shares ``seen``.
    """

    def __init__(self, layout: Layout, seen: Seen | None = None) -> None:
        columns = layout.columns
        self.id_index = columns.get(ID_COLUMN)
        self.record_index = columns.get(RECORD_COLUMN)
        names = tuple(name for name in LEG_COLUMNS if name in columns)
        self.leg_indexes = tuple(columns[name] for name in names)
        self._legs = "|".join(names)  # legs match only between files with the same columns
        self.count = 0
        self.first_line: int | None = None
        self._seen = seen or Seen()

    @property
    def active(self) -> bool:
        """Whether the format has a call or record id to match rows by."""
        return self.id_index is not None or self.record_index is not None

    def repeats(self, row: list[str], line: int) -> bool:
        """True (and counted) when ``row`` repeats the record or the leg of an earlier row."""
        leg = self.key(row)
        if leg is None or self._seen.add(leg):
            return False
        self.count += 1
        if self.first_line is None:
            self.first_line = line
        return True

    def key(self, row: list[str]) -> tuple[str, ...] | None:
        """What identifies the row: its UsageId when it has one, else its call id and leg."""
        if self.record_index is not None and (record := row[self.record_index].strip()):
            return ("usageid", record)
        index = self.id_index
        if index is None or not row[index].strip():
            return None
        return (self._legs, row[index].strip(), *[row[i].strip() for i in self.leg_indexes])
