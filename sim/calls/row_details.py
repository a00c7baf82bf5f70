"""What a usage row says beyond its ``Call``: its id, fee, far end and direction.

Why a module apart from the row parsers (``sim.calls.usage_rows``): the backtest
needs only the ``Call`` (times, service, charge, whether credits pay); calibration
(``sim.calls.records``) also needs the call id (to join overlapping exports), the
connection fee, the destination country and number type, and the direction. These
are read from the same row, after the parser has checked it, so a row that the
backtest accepts yields exactly one ``Detail`` and nothing here can change a charge.

What is read, by column (lowercased names; Graph's are renamed to the Teams ones):

- ``call_id``: ``UsageId`` (one per record), else ``Call ID``, else the file's name
  and line (the canonical stream format and the Direct Routing report carry none);
- ``fee_minor``: ``Connection Fee`` when the call was charged (0 otherwise, and in the
  Skype report, which has no fee);
- ``country``: ``Destination Dialed`` (a country name or code) as ISO 3166 alpha-2:
  the dialled country for outbound calls, the bridge number's for dial-ins (no format
  states the caller's own country); "" when blank or not a country;
- ``number_type``: for inbound calls the tenant's number that was dialled: a toll-free
  one is ``toll_free``, any other ``geographic``; for outbound calls the reports name
  the caller's number type (``user``, ``service``), not the far end's, so it is "" unless
  the column holds one of the model's own types (``landline``, ``mobile``, ...);
- ``direction``: ``inbound`` for call types ending in ``_in`` (and, without a call type,
  the inbound services), else ``outbound``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import NamedTuple

from sim.account.money import Currency, parse_minor
from sim.account.stream import Call
from sim.calls.usage_layout import Layout

NUMBER_TYPES = ("landline", "mobile", "toll_free", "geographic")
"""The far-end number types of the model's rate tables (``sim.world.scenario``)."""
INBOUND_SERVICES = frozenset({"toll_free_dial_in", "inbound", "dial_in"})
"""Services that are calls into the tenant when a format has no call type."""
_NO_DATA = "No data"  # the Skype report's empty field
_CACHE_LIMIT = 4096


class Detail(NamedTuple):
    """One row's fields beyond its ``Call`` (see the module doc)."""

    call_id: str
    fee_minor: int
    country: str
    number_type: str
    direction: str
    reason: str
    """Why the row is not credit-billed (the backtest's reason), "" when it is."""
    key: int | None
    """Digest of what identifies the row in another export (None: nothing can)."""


class RowDetails:
    """Reads the ``Detail`` of each accepted row of one file (built once per pass)."""

    def __init__(self, layout: Layout, path: Path, reasons: Counter[str]) -> None:
        columns = layout.columns
        self.i_usage = columns.get("usageid")
        self.i_call = columns.get("call id")
        self.i_fee = columns.get("connection fee")
        self.i_country = columns.get("destination dialed")
        self.i_number = columns.get("number type")
        self.i_type = columns.get("call type")
        self.name = path.name
        self.reasons = reasons
        self._counted: dict[str, int] = {}
        self._countries: dict[str, str] = {}
        self._fees: dict[tuple[str, str], int] = {}

    def __call__(
        self, line: int, row: list[str], call: Call, cur: Currency, key: tuple[str, ...] | None
    ) -> Detail:
        """The detail of ``row`` (on ``line``), which the parser read as ``call``."""
        call_id = self._text(row, self.i_usage) or self._text(row, self.i_call)
        fee = 0
        if call.charge_minor and (text := self._text(row, self.i_fee)):
            fee = self._fee(text, cur)
        kind = self._text(row, self.i_type).lower()
        inbound = kind.endswith("_in") if kind else call.service in INBOUND_SERVICES
        return Detail(
            call_id or f"{self.name}:{line}",
            fee,
            self._country(self._text(row, self.i_country)),
            _number_type(self._text(row, self.i_number), inbound),
            "inbound" if inbound else "outbound",
            "" if call.credit_billed else self._reason(),
            None if key is None else hash(key),
        )

    @staticmethod
    def _text(row: list[str], index: int | None) -> str:
        if index is None:
            return ""
        text = row[index].strip()
        return "" if text == _NO_DATA else text

    def _fee(self, text: str, cur: Currency) -> int:
        """The fee in minor units (the parser already read it within bounds); cached."""
        found = self._fees.get((text, cur.code))
        if found is None:
            found = parse_minor(text, cur)
            if len(self._fees) < _CACHE_LIMIT:
                self._fees[text, cur.code] = found
        return found

    def _reason(self) -> str:
        """The reason the parser just counted (the one count that moved since the last)."""
        for reason, count in self.reasons.items():
            if self._counted.get(reason, 0) != count:
                self._counted[reason] = count
                return reason
        return ""

    def _country(self, name: str) -> str:
        found = self._countries.get(name)
        if found is None:
            found = country_code(name)
            if len(self._countries) < _CACHE_LIMIT:
                self._countries[name] = found
        return found


def country_code(name: str) -> str:
    """ISO 3166 alpha-2 of a country name or code (``United Kingdom`` -> ``GB``); "" if none."""
    if not name:
        return ""
    import pycountry  # noqa: PLC0415  (0.13 s that every command's start would pay)

    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return ""


def _number_type(text: str, inbound: bool) -> str:
    """The far end's number type in the model's words (see the module doc)."""
    word = text.lower().replace(" ", "_").replace("-", "_")
    if word in NUMBER_TYPES:
        return word
    if "toll" in word and "free" in word:
        return "toll_free"
    return "geographic" if inbound and word else ""
