"""A records table written as the Teams PSTN usage report (``write_teams_csv``).

Why: the known generator (``sim.calls.synthetic``) must produce what a planner
downloads, so that calibration is tested through the same reader a real export
goes through. The report carries the table's call id (``UsageId``), times, fee
and charge (``Charge`` is the part beyond the fee; the reader adds them back),
currency, the destination country's name and, for dial-ins, the dialled number's
type (``toll_free``, ``toll``). Like a real report it does not carry an outbound
call's far-end number type (its ``Number Type`` is the caller's: ``user``), so
reading the file back gives "" there. People, phone numbers and ids other than
``UsageId`` are derived from the call id (CRC-32), so the same table always writes
the same bytes.
"""

from __future__ import annotations

import csv
import uuid
import zlib
from pathlib import Path

import pandas as pd
import pycountry

from sim.account.money import currency as currency_of
from sim.calls.usage_layout import TEAMS_COLUMNS

_CALL_TYPES = {  # service -> (Call Type, Domestic/International)
    "toll_free_dial_in": ("conf_in", "Domestic"),
    "inbound": ("user_in", "Domestic"),
    "dial_out": ("conf_out", "Domestic"),
    "international": ("user_out", "International"),
    "domestic_outbound": ("user_out", "Domestic"),
}
_CALLING_CODES = {"US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "IN": "91",
                  "MX": "52", "JP": "81", "AU": "61", "IE": "353", "NL": "31"}  # fmt: skip
"""Country calling codes of the destinations the examples use (others: no number)."""
_PEOPLE = (
    ("Doe, Jane", "jane.doe"), ("Smith, Ana", "ana.smith"), ("Lee, Min", "min.lee"),
    ("Okafor, Chidi", "chidi.okafor"), ("Garcia, Luis", "luis.garcia"),
    ("Nguyen, Thao", "thao.nguyen"), ("Cohen, Dana", "dana.cohen"),
)  # fmt: skip
_BRIDGE = "+18005550100"
"""The tenant's toll-free conference bridge."""


def write_teams_csv(table: pd.DataFrame, path: Path, currency: str) -> None:
    """Write ``table`` (``RECORD_COLUMNS``) at ``path`` as a Teams PSTN usage report.

    UTF-8 with a BOM and CRLF line ends, as the admin center writes it; amounts with
    the currency's digits. ValueError for a service the report has no call type for.
    """
    cur = currency_of(currency)
    unknown = sorted(set(table["service"]) - _CALL_TYPES.keys())
    if unknown:
        raise ValueError(f"no Teams call type for the service(s) {unknown}")
    start = _iso(table["start_us"])
    end = _iso(table["end_us"])
    charge = _amounts(table["charge_minor"] - table["fee_minor"], cur.digits)
    fee = _amounts(table["fee_minor"], cur.digits)
    names = {code: _country_name(code) for code in set(table["country"])}
    columns = zip(
        table["call_id"], table["service"], table["country"], table["number_type"],
        table["duration_s"], table["charge_minor"] > 0, start, end, fee, charge, strict=True,
    )  # fmt: skip
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(TEAMS_COLUMNS)
        for call_id, service, country, number_type, seconds, charged, *text in columns:
            crc = zlib.crc32(str(call_id).encode())
            display, alias = _PEOPLE[crc % len(_PEOPLE)]
            kind, scope = _CALL_TYPES[service]
            own, far = f"+1212555{crc % 10000:04d}", _number(country, crc)
            conference = kind.startswith("conf")
            if kind.endswith("_in"):  # the caller is far; the number dialled is the tenant's
                toll_free = number_type == "toll_free"
                caller, number = far, "toll_free" if toll_free else "toll"
                dialled = _BRIDGE if toll_free else own
            else:
                caller, number, dialled = own, "user", far
            capability = "MCOMEETADD" if conference else "MCOPSTNPP" if charged else "MCOPSTN1"
            writer.writerow([
                call_id, uuid.uuid5(uuid.NAMESPACE_OID, str(call_id)),
                f"{crc % 10**9:09d}" if conference else "", "US",
                uuid.uuid5(uuid.NAMESPACE_DNS, alias), f"{alias}@contoso.com", display, caller,
                kind, number, scope, names[country], dialled, text[0], text[1], int(seconds),
                text[2], text[3], cur.code, capability,
            ])  # fmt: skip


def _iso(micros: pd.Series) -> list[str]:
    """UTC microseconds as ``2026-01-05T14:03:07Z`` (whole seconds, as the report writes)."""
    moments = pd.to_datetime(micros.to_numpy(), unit="us", utc=True)
    return list(moments.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _amounts(minor: pd.Series, digits: int) -> list[str]:
    """Minor units as decimal text with the currency's digits (``245`` -> ``2.45``)."""
    if digits == 0:
        return [str(int(value)) for value in minor]
    scale = 10**digits
    return [f"{int(value) // scale}.{int(value) % scale:0{digits}d}" for value in minor]


def _country_name(code: str) -> str:
    """``GB`` -> ``United Kingdom`` (the report's Destination Dialed); "" stays ""."""
    found = pycountry.countries.get(alpha_2=code) if code else None
    return "" if found is None else str(found.name)


def _number(country: str, crc: int) -> str:
    """A made-up number in ``country`` (from the call id's CRC), "" without a calling code."""
    prefix = _CALLING_CODES.get(country)
    return "" if prefix is None else f"+{prefix}{crc % 10**9:09d}"
