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
the canonical stream format has no id and is read as written.

Why hashes: a 200 MB report has about a million rows; an 8-byte BLAKE2b digest
of each leg (a Python int in a set, about 60 bytes) is kept instead of the row,
so memory grows by tens of MB, not by the file. Two distinct legs share a
digest with odds near 10^-8 in a file of 10^6 rows.
"""

from __future__ import annotations

from hashlib import blake2b

from sim.calls.usage_layout import Layout

ID_COLUMN = "call id"
"""The correlation id both report formats carry (lowercased header name)."""
LEG_COLUMNS = (
    "usageid", "upn", "aad objectid", "user id", "call type", "start time", "start time (utc)",
    "end time", "duration seconds", "duration", "charge", "connection fee", "currency",
)  # fmt: skip
"""The columns (those a header has) that tell the legs of one call apart."""
_SEPARATOR = "\x1f"  # ASCII unit separator: cannot be confused with text inside a field


class Duplicates:
    """Remembers the legs read so far (as digests) and counts the rows that repeat one."""

    def __init__(self, layout: Layout) -> None:
        columns = layout.columns
        self.id_index = columns.get(ID_COLUMN)
        self.leg_indexes = tuple(columns[name] for name in LEG_COLUMNS if name in columns)
        self.count = 0
        self.first_line: int | None = None
        self._seen: set[int] = set()

    @property
    def active(self) -> bool:
        """Whether the format has a call id to match rows by."""
        return self.id_index is not None

    def repeats(self, row: list[str], line: int) -> bool:
        """True (and counted) when ``row`` repeats the leg of an earlier row."""
        index = self.id_index
        if index is None or not row[index].strip():
            return False
        key = _SEPARATOR.join([row[index].strip()] + [row[i].strip() for i in self.leg_indexes])
        digest = int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "little")
        if digest not in self._seen:
            self._seen.add(digest)
            return False
        self.count += 1
        if self.first_line is None:
            self.first_line = line
        return True
