"""Per-minute rates by destination: the table a scenario's charges come from.

A rate table maps (country, number type, direction) to a per-minute rate and
a connection fee, both exact decimals in the scenario's currency. The bundled
``scenarios/rates/sample-usd.csv`` is illustrative (Azure Communication
Services figures), not Microsoft Teams' own prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

RateKey = tuple[str, str, str]
"""(country ISO 3166 alpha-2, number type, direction), e.g. ("US", "toll_free", "inbound")."""

DIRECTIONS = ("inbound", "outbound")


@dataclass(frozen=True, slots=True)
class Rate:
    """Price of one call: ``connection_fee + rate_per_min * billed minutes``."""

    rate_per_min: Decimal
    connection_fee: Decimal = Decimal(0)


@dataclass(frozen=True)
class RateTable:
    """Rates keyed by (country, number_type, direction); ``path`` names the source."""

    path: Path
    rates: dict[RateKey, Rate]

    def __contains__(self, key: object) -> bool:
        return key in self.rates

    def lookup(self, country: str, number_type: str, direction: str) -> Rate:
        """The rate for a destination; LookupError names the table and the key."""
        try:
            return self.rates[(country, number_type, direction)]
        except KeyError:
            raise LookupError(
                f"{self.path}: no rate for {country} {number_type} {direction}"
            ) from None
