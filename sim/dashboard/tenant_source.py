"""The sidebar's "Your tenant" source: usage exports in, a fitted scenario out.

Why here and thin: the fitting is ``sim.study.calibration`` (the CLI's
``credsim calibrate`` and ``credsim plan`` run the same function). This module
only takes the uploads (each size-limited like the Backtest view's), writes
them to a scratch folder under their own names so the CLI's readers open them
exactly as they open a path, and names the upload, not the scratch file, in
any message. The fitted scenario then goes through the same loader as an
uploaded TOML file, with its rate table uploaded beside it, so every view runs
on it as on any other scenario.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import streamlit as st

from sim.account.money import major_to_minor
from sim.account.opening import Opening
from sim.calls.records import UsageRecords, read_records
from sim.dashboard.usage_upload import MAX_REPORT_BYTES, REPORT_SUFFIXES, check_upload
from sim.errors import InputError
from sim.study.calibration import Calibration, calibrate
from sim.study.calibration.account import opening_at_start

UPLOAD_MB = max(1, MAX_REPORT_BYTES // (1024 * 1024))
HOLDOUT_CHOICES = (0, 1, 2, 3, 4, 6)
DEFAULT_HOLDOUT = 3
Upload = tuple[str, bytes]


@dataclass(frozen=True)
class Where:
    """The tenant's zone and country, as typed (None: not given; the fit says what it used)."""

    timezone: str | None = None
    country: str | None = None


def choose(bar: st.delta_generator.DeltaGenerator) -> tuple[bytes, Calibration] | None:
    """The uploads and options in the sidebar; the fitted scenario's TOML and its calibration."""
    files = bar.file_uploader(
        f"Usage exports ({', '.join(REPORT_SUFFIXES)}, up to {UPLOAD_MB} MB each)",
        type=[suffix.lstrip(".") for suffix in REPORT_SUFFIXES],
        accept_multiple_files=True,
        key="tenant_uploads",
        max_upload_size=UPLOAD_MB,
        help="One or more Teams PSTN usage exports (consecutive periods are joined; a call in "
        "two exports is counted once). Read by the same readers as `credsim calibrate`.",
    )
    balance = bar.text_input(
        "Balance today (optional)", key="tenant_balance", placeholder="e.g. 800",
        help="One lot bought now. Or upload the lots below, each with its purchase date.",
    )  # fmt: skip
    lots = bar.file_uploader(
        "Or the lots held (purchased,remaining CSV)", type=["csv"], key="tenant_lots"
    )
    country = bar.text_input(
        "Country (public holidays)",
        key="tenant_country",
        placeholder="e.g. US or US-CA",
        help="ISO 3166 code: its public holidays become the scenario's (credsim calibrate "
        "--country).",
    )
    timezone = bar.text_input(
        "Time zone",
        key="tenant_timezone",
        placeholder="e.g. America/New_York",
        help="IANA zone of the tenant's working hours [the country's only zone, else UTC].",
    )
    holdout = bar.selectbox(
        "Months held out to check the fit", HOLDOUT_CHOICES,
        index=HOLDOUT_CHOICES.index(DEFAULT_HOLDOUT), key="tenant_holdout",
    )  # fmt: skip
    if not files:
        bar.info("Upload your usage exports to fit a scenario to them.")
        return None
    uploads = tuple((upload.name, upload.getvalue()) for upload in files)
    lots_upload = None if lots is None else (lots.name, lots.getvalue())
    try:
        where = Where(timezone.strip() or None, country.strip() or None)
        calibration = fitted(uploads, balance.strip(), lots_upload, int(holdout), where)
    except InputError as error:
        bar.error(str(error))
        return None
    return calibration.scenario_toml.encode("utf-8"), calibration


@st.cache_resource(
    max_entries=4, show_spinner="Fitting a scenario to the exports (and checking it on the "
    "months held out)...", show_time=True,
)  # fmt: skip
def fitted(
    uploads: tuple[Upload, ...],
    balance: str,
    lots: Upload | None,
    holdout_months: int,
    where: Where,
) -> Calibration:
    """The calibration of the uploads (kept per content: a rerun of the page does not refit)."""
    return calibrate_uploads(uploads, balance, lots, holdout_months, where)


def calibrate_uploads(
    uploads: Sequence[Upload],
    balance: str,
    lots: Upload | None,
    holdout_months: int,
    where: Where = Where(),
) -> Calibration:
    """Fit a scenario to uploaded exports; InputError names the upload, never a scratch path."""
    with tempfile.TemporaryDirectory(prefix="credsim-tenant-") as folder:
        paths = [_scratch(Path(folder), name, data) for name, data in uploads]
        try:
            records = read_records(paths)
            opening = _opening(Path(folder), balance, lots, records, where)
            return calibrate(
                records, holdout_months=holdout_months, timezone=where.timezone,
                country=where.country, opening=opening,
            )  # fmt: skip
        except InputError as error:
            raise _named(error, Path(folder)) from None


def _scratch(folder: Path, name: str, data: bytes) -> Path:
    check_upload(data, name)
    path = folder / Path(name).name
    if path.exists():
        raise InputError("two uploads have the same name; rename one", source=name)
    path.write_bytes(data)
    return path


def _opening(
    folder: Path, balance: str, lots: Upload | None, records: UsageRecords, where: Where
) -> Opening | None:
    """The account today: one lot of ``balance`` bought at the start, or the lots file."""
    cur = records.currency
    minor = None
    if balance:
        try:
            minor = major_to_minor(Decimal(balance), cur)
        except (InvalidOperation, ValueError):
            raise InputError(
                f"{balance!r} is not an amount in {cur.code}", source="Balance today"
            ) from None
    path = None if lots is None else _scratch(folder, *lots)
    return opening_at_start(
        records, timezone=where.timezone, country=where.country, balance_minor=minor, lots=path
    )


def _named(error: InputError, folder: Path) -> InputError:
    scratch = f"{folder}/"
    source = None if error.source is None else str(error.source).replace(scratch, "")
    return InputError(
        error.message.replace(scratch, ""), source=source, line=error.line, column=error.column
    )
