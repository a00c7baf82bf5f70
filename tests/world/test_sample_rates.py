"""The bundled sample rate tables: illustrative, in their currency, every figure sourced.

Why: a row labelled "ACS published rate" that is not the published figure
(GB and AE mobile were) lends an assumed number an authority it lacks. Every
such row must be a figure of docs/model.md#sample-rates, and every row of the
EUR, GBP and JPY tables must be the USD row converted exactly at the rate of
exchange its note states.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from sim.world.rates import RateKey, load_rates
from tests.paths import ROOT, SCENARIOS

TABLES = SCENARIOS / "rates"
USD = TABLES / "sample-usd.csv"
CONVERTED = {"EUR": TABLES / "sample-eur.csv", "GBP": TABLES / "sample-gbp.csv",
             "JPY": TABLES / "sample-jpy.csv"}  # fmt: skip
PUBLISHED = "ACS published rate"
ASSUMED = "assumed for illustration"
CONVERSION = re.compile(
    rf"^({PUBLISHED}|{ASSUMED}): ([\d.]+) USD(?: \+ ([\d.]+) USD a call)?, "
    r"converted at an assumed 1 USD = ([\d.]+) ([A-Z]{3})$"
)
ROW = re.compile(r"^\| ([A-Z]{2}) \| (\w+) \| (\w+) \| ([\d.]+) \|$")


def documented() -> dict[RateKey, Decimal]:
    """The published USD figures listed under docs/model.md's "Sample rates" heading."""
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text[text.index("### Sample rates") :].split("\n## ", 1)[0]
    figures = {
        (m[1], m[2], m[3]): Decimal(m[4]) for line in section.splitlines() if (m := ROW.match(line))
    }
    assert len(figures) >= 10
    return figures


def notes(path: Path) -> dict[RateKey, str]:
    """Each row's ``note`` by rate key."""
    text = path.read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {(r["country"], r["number_type"], r["direction"]): r["note"] for r in rows}


@pytest.mark.parametrize("path", [USD, *CONVERTED.values()], ids=lambda path: path.name)
def test_a_sample_table_says_it_is_illustrative_and_is_in_its_currency(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ILLUSTRATIVE rate table")
    table = load_rates(path)
    assert table.illustrative
    assert table.currency == path.stem.removeprefix("sample-").upper()


def test_every_published_row_of_the_usd_table_is_a_documented_figure() -> None:
    figures, table = documented(), load_rates(USD)
    labels = notes(USD)
    published = {key for key, note in labels.items() if note.startswith(PUBLISHED)}
    assert {key: table.rates[key].rate_per_min for key in published} == {
        key: figures[key] for key in published
    }
    assert published == set(figures)  # and every documented figure is used
    assert all(note.startswith(ASSUMED) for key, note in labels.items() if key not in published)


def test_gb_and_ae_mobile_are_assumed_not_published() -> None:
    labels = notes(USD)
    assert labels[("GB", "mobile", "outbound")].startswith(ASSUMED)
    assert labels[("AE", "mobile", "outbound")].startswith(ASSUMED)


@pytest.mark.parametrize("code", CONVERTED)
def test_a_converted_table_is_the_usd_table_times_its_stated_rate(code: str) -> None:
    figures, usd, usd_notes = documented(), load_rates(USD), notes(USD)
    path = CONVERTED[code]
    table, labels = load_rates(path), notes(path)
    assert set(table.rates) == set(usd.rates)
    rates_of_exchange = set()
    for key, note in labels.items():
        match = CONVERSION.match(note)
        assert match, f"{path.name} {key}: {note!r}"
        basis, rate_usd, fee_usd, fx, to = match.groups()
        assert to == code and usd_notes[key].startswith(basis)
        assert Decimal(rate_usd) == usd.rates[key].rate_per_min
        assert Decimal(fee_usd or 0) == usd.rates[key].connection_fee
        if basis == PUBLISHED:
            assert Decimal(rate_usd) == figures[key]
        assert table.rates[key].rate_per_min == Decimal(rate_usd) * Decimal(fx)
        assert table.rates[key].connection_fee == Decimal(fee_usd or 0) * Decimal(fx)
        rates_of_exchange.add(fx)
    assert len(rates_of_exchange) == 1
