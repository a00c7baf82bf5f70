"""Every bound on input and work, declared once, checked before work starts.

Why one module: a limit that lives next to the code it protects drifts from
its twin elsewhere (``validate`` accepting what ``run`` then cannot allocate,
the dashboard allowing a file the CLI refuses). Each bound here is a named
constant with its unit, and a small check that raises ``InputError`` with a
message naming the limit and the knob that changes it. Readers, the scenario
schema, the pre-flight estimate, the CLI and the dashboard all import from
here; ``docs/limits.md`` lists them for users.

The figures are generous for real tenants (a 300,000-seat enterprise, ten
years of calls) and far from the places where Python, numpy or int64 break.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sim.errors import InputError

# --- money -----------------------------------------------------------------
MONEY_MAX_MINOR = 10**13
"""Largest amount (balance, trigger, recharge, top-up) in minor units: 100 billion
dollars in cents. int64 holds 9.2e18, so even a million such amounts sum exactly."""

CHARGE_MAX_MINOR = 10**10
"""Largest charge of one call in minor units (100 million dollars in cents)."""

JUMP_CHARGE_MAX_MINOR = 2**39
"""Most minor units the skip engine posts in one jump (``sim.engines.skip_layout``), about
5.5e11 (5.5 billion dollars in cents): a quiet stretch costing more is posted in several
jumps. It keeps the jump's balance-integral terms inside int64 (the proof is in
``sim.engines.skip_layout``); real stretches cost far less, so it never splits one."""

RATE_SUBMINOR_DIGITS = 6
"""Decimal digits a rate or connection fee may have below its currency's minor unit
(USD: 2 + 6 = 8 places, 0.00000001 USD a minute; JPY: 6 places). Rating holds every
rate as an exact int64 count of these micro-minor units."""

RECHARGES_TO_TRIGGER_MAX = 100_000
"""Auto-recharges one request may need to bring the balance back up to the trigger
(``ceil((trigger - balance) / amount)``). A chain of recharges at one instant is
one loop step per recharge, each a lot and an email; beyond this count the run is
refused before the first of them, so a huge deficit or a tiny amount cannot loop
for ever. Real policies need a handful (trigger 400, amount 1,000: one or two)."""

# --- time ------------------------------------------------------------------
DATE_MIN = date(1970, 1, 1)
"""Earliest date a call, a start or an end may have."""

DATE_MAX = date(2200, 12, 31)
"""Latest date a call or an end may have; lots bought then expire 12 months later,
still far from ``datetime.max`` (year 9999)."""

CALL_DURATION_MAX_S = 7 * 24 * 3600
"""Longest call in seconds (a week); a Teams call cannot last longer than a day."""

DELAY_MAX_H = 24 * 366
"""Longest processing, retry or payment delay in hours (a year)."""

# --- input sizes -----------------------------------------------------------
SCENARIO_MAX_BYTES = 2 * 1024 * 1024
"""A scenario TOML file or upload."""

RATE_TABLE_MAX_BYTES = 16 * 1024 * 1024
"""A rate table CSV."""

USAGE_UPLOAD_MAX_BYTES = 50 * 1024 * 1024
"""A usage report uploaded to the dashboard (the CLI streams files of any size)."""

CSV_FIELD_MAX_CHARS = 4096
"""One CSV field (a header name, a call id, an amount)."""

GRAPH_JSON_MAX_BYTES = 64 * 1024 * 1024
"""A Graph ``getPstnCalls`` response saved as one JSON document (an object or an array of
pages), which is parsed whole. A file of one page a line (what ``credsim fetch`` writes) is
read a page at a time and has no total bound."""

GRAPH_PAGE_MAX_CHARS = 32 * 1024 * 1024
"""One line of a Graph JSON-lines file: one page of records (Graph sends at most about a
thousand records of under 2 KB a page)."""

USAGE_LINE_MAX_CHARS = 256 * 1024
"""One line of a usage file, the header included. Lines are read at most this long, so a
file of one endless line is refused after this many characters, not read whole (nor split
by ``csv`` into millions of empty fields). Real rows are about 400 characters; 20 fields
of ``CSV_FIELD_MAX_CHARS`` fit."""

USAGE_RECORDS_MAX = 10_000_000
"""Rows of usage read into one records table (``sim.calls.records``, for calibration), over
all the files given together. Unlike a backtest, which streams, the table is held in memory
(about 200 bytes a row); 10 million rows is some 14 years of a 2,000-call-a-day tenant."""

CALIBRATION_HOLDOUT_MONTHS_MAX = 24
"""``credsim calibrate --holdout-months``: whole months held out of the fit and simulated
(the data must hold them and at least a week more)."""

USAGE_ZIP_MEMBERS_MAX = 100
"""Members of an admin-center export zip (a real one holds a PSTN CSV, a Direct Routing
CSV and ``parameters.json``); the central directory is checked before any member is read."""

USAGE_ZIP_MEMBER_MAX_BYTES = 16 * 1024**3
"""Uncompressed bytes of one member of an export zip, as declared and as read (a member
that inflates beyond its declared size is stopped). 16 GiB is ~40 million rows."""

USAGE_ZIP_RATIO_MAX = 100
"""Uncompressed size over compressed size of one member larger than
``USAGE_ZIP_RATIO_FLOOR_BYTES``. A usage CSV deflates 5 to 20 times; a zip bomb of
repeated bytes 1,000 times. Checked from the central directory, before inflating."""

USAGE_ZIP_RATIO_FLOOR_BYTES = 1024 * 1024
"""Uncompressed bytes below which a member's compression ratio is not checked (a tiny
member inflating 200 times costs nothing)."""

ARGUMENT_DECIMALS_MAX = 9
"""Digits after the decimal point in a command-line amount or delay (``1e-999999``
would otherwise be written out as a million zeros before being refused)."""

TOML_DEPTH_MAX = 16
"""Nested tables and arrays in a scenario file."""

TOML_KEY_MAX_CHARS = 128
"""One key of a scenario file, dotted parts included."""

TOML_KEYS_MAX = 10_000
"""Key/value pairs in a scenario file (the bundled ones have under 200): 60,000 unknown
keys in one table cost seconds to parse and describe before this bound."""

# --- the scenario world and the work it asks for ---------------------------
USERS_MAX = 1_000_000
"""Users of a tenant (the largest Teams tenants have a few hundred thousand), also at the
horizon's end after ``monthly_growth``, and licences or plan users of ``[plans]``."""

PER_USER_PER_DAY_MAX = 100.0
"""Meetings (``[meetings]``) or own calls (``[user_calling]``) per user per business day."""

STREAM_CALLS_PER_DAY_MAX = 1_000_000.0
"""Calls per business day of one ``[[streams]]`` entry (a very large contact centre), also at
the horizon's end after its ``monthly_growth`` and on the busiest weekday of its
``hour_of_week`` profile."""

DAILY_DISPERSION_MAX = 10.0
"""Largest ``[[streams]] daily_dispersion`` (coefficient of variation of a stream's daily level,
no unit). Real call counts measure 0.1 to 1; at 10 a day's level is a gamma of shape 0.01,
almost always near 0 and now and then thousands of times the mean, which no fit produces."""

PARTICIPANTS_MAX = 10_000
"""Phone participants of one meeting: the mean, fixed or largest listed value (and sd) of
``dial_ins``/``dial_outs`` (a Teams town hall holds up to 10,000 attendees)."""

REPLICATIONS_MAX = 100_000
"""Replications of one run or of each policy of a sweep."""

RECURRENCES_MAX = 10_000
"""Occurrences of one recurring big meeting over the horizon (daily for 27 years)."""

OPENING_LOTS_MAX = 1_000
"""Lots an ``[opening]`` account (or a ``--lots`` file) may hold, in lots.

A tenant buys a few lots a month and each lives 12 months, so even a busy
account holds dozens; a thousand leaves room and keeps a hand-made or garbled
file from turning every run's lot table into an allocation of its own."""

LOTS_CSV_MAX_BYTES = 1024 * 1024
"""Bytes of a ``--lots`` file (``purchased,remaining``): ``OPENING_LOTS_MAX`` lines of a
date and an amount fit in a few dozen KiB; a MiB leaves room for long ISO datetimes and spacing."""

CALLS_PER_REPLICATION_MAX = 20_000_000
"""Expected calls of one replication; beyond it, refuse before generating any.
The environment variable ``CREDSIM_MAX_CALLS`` replaces it (``max_calls_per_replication``)."""

MEMORY_MAX_BYTES = 8 * 1024**3
"""Memory a run or sweep may expect to need at once (the machine has 24 GB).
The environment variable ``CREDSIM_MAX_MEMORY_GB`` replaces it (``max_memory_bytes``)."""

SENSITIVITY_CALLS_MAX = 20_000_000_000
"""Calls one sensitivity analysis (``sim.study.sensitivity``) may replay in all: expected
calls per replication of each setting (the scenario as it is and each uncertain input at
its low and high) x replications. Checked before the first replication; ``enterprise`` at
200 replications replays about 12 billion (about ten minutes on two cores). Fewer
replications (``--sensitivity-replications``) lower the work."""

MAX_CALLS_VARIABLE = "CREDSIM_MAX_CALLS"
MAX_MEMORY_VARIABLE = "CREDSIM_MAX_MEMORY_GB"

# --- sweep folders and regression baselines --------------------------------
SWEEP_MANIFEST_MAX_BYTES = 16 * 1024 * 1024
"""A sweep's manifest.json (it grows by a few hundred bytes per invocation)."""

SWEEP_CHUNK_ROWS = 1_000_000
"""Rows (policy x replication) of a sweep's results the client lays out at once while it
builds summary.csv and runs.parquet: the policies are taken in chunks of at most this many
rows (one policy at least), each read from the parts on its own (about 0.3 KB a row with
enterprise's metrics, a few times that while a chunk is sorted and written). A sweep with
fewer rows keeps its parts in memory and is read once, as before."""

SWEEP_SPEND_BYTES_PER_ROW = 24
"""Bytes per row (policy x replication) a sweep's client keeps for the whole sweep: the spend
columns (consumed, blocked charge) and the replication, which the rule of thumb and the first
guess average over every row in the order a single table has them (sums in another order
could differ in the last digit). 10,000 policies x 1,000 replications: 0.24 GB."""

SWEEP_KEPT_DEMAND_BYTES = 256 * 1024 * 1024
"""Bytes of compact demand (``sim.engines.compact.CompactCalls``, about 6 bytes a charged
call: 0.3 MB a replication of midsize) a sweep keeps in its own process between its stages,
sent back by whichever process generated it, so that the rule-of-thumb and widening stages
replay each replication's demand instead of generating it again (``sim.study.kept_demand``).
Replications beyond it are generated again, as before: 256 MB hold about 800 replications
of midsize."""

SWEEP_REPLAY_HERE_BYTES = 32 * 1024 * 1024
"""A later stage of a sweep whose replications are all kept (``SWEEP_KEPT_DEMAND_BYTES``)
replays them in the sweep's own process, not in a new process pool, while their compact
bytes times its policies stay within this (``sim.study.sweep_stages.replay_here``): a
pool's start and sending each replication to a worker cost about 0.1 s, one policy's
replay of a kept midsize replication (0.3 MB) about 2 ms, so 32 MB are about 0.2 s of
replays (the rule of thumb of 100 midsize replications)."""


BASELINE_MAX_BYTES = 64 * 1024 * 1024
"""One ``credsim regress`` baseline JSON (every replication's value of every metric)."""

REGRESS_TOLERANCE_SE = 4.0
"""``credsim regress --tolerance`` by default, in standard errors: a metric whose difference
from its baseline exceeds this many standard errors has drifted. Here, not in
``sim.study.regress``, so that the command's options load without numpy."""

# --- widening a sweep's grid -------------------------------------------------
GRID_WIDENINGS_MAX = 3
"""Rounds of widening one sweep may run when its optimum sits at an edge of the grid
(``sim.study.widen``): each round sweeps only the policies the wider grid adds. Beyond
it the recommendation keeps its note that a wider grid may do better."""

GRID_WIDEN_VALUES = 2
"""Values one widening adds at an end of an axis (continuing the axis's spacing)."""

GRID_WIDENED_POLICIES_MAX = 1_000
"""Policies a widened grid may hold; a widening that would exceed it is not run (the
dashboard keeps its own, lower ceiling on a sweep). ``--no-widen`` turns widening off."""

# --- the dashboard: work one click may start --------------------------------
DASHBOARD_JOB_MAX_S = 300
"""Seconds one dashboard computation (a demand bank, a sweep, a backtest) may run before
it is stopped with a message; the environment variable CREDSIM_DASHBOARD_JOB_MAX_S
changes it for a server."""

DASHBOARD_JOB_MAX_BYTES = 4 * 1024**3
"""Bytes one dashboard computation may hold: a demand bank in the server (checked before
it is built) or a sweep's worker processes together (checked while they run); the
environment variable CREDSIM_DASHBOARD_JOB_MAX_MB changes it for a server."""

DASHBOARD_KEPT_ENGINE_BYTES = 384 * 1024**2
"""Bytes (384 MiB) of engine arrays (``sim.engines.fast.Prepared`` and the skip engine's
prefix arrays) a dashboard demand bank keeps between policies, on top of its compact
demand: replications kept so replay at once, the others are rebuilt from their compact
calls at each policy (2.7-3.9x slower). Midsize keeps about 100 of 200 replications.
A big bank keeps less: see ``DASHBOARD_BANK_KEPT_TOTAL_BYTES``."""

DASHBOARD_BANK_KEPT_TOTAL_BYTES = 288 * 1024**2
"""Bytes (288 MiB) one dashboard demand bank may hold in all: its compact demand plus the
engine arrays it keeps between policies, which get what the demand leaves (at most
``DASHBOARD_KEPT_ENGINE_BYTES``). So 200 replications of enterprise (274 MB of compact
demand, compressed) keep one replication's engine arrays (27 MiB), not 8 (216 MiB, what
512 MiB left them once the demand was compressed; issue 15's 1 GB), and 200 of midsize
(40 MB) keep about 250 MiB."""

DASHBOARD_BANK_POOL_MIN_CALLS = 30_000_000
"""Calls (free ones included, the pre-flight estimate of all replications) from which a
dashboard demand bank is generated in worker processes, one per core, instead of in the
server: below it, starting the workers costs more than they save (measured in
docs/performance-history.md; about 27 replications of midsize, 7 of enterprise)."""

DASHBOARD_MAX_S_VARIABLE = "CREDSIM_DASHBOARD_JOB_MAX_S"
DASHBOARD_MAX_MB_VARIABLE = "CREDSIM_DASHBOARD_JOB_MAX_MB"


# --- Microsoft Graph fetch -------------------------------------------------
GRAPH_WINDOW_MAX_DAYS = 90
"""Longest span of one ``getPstnCalls`` request in days: the API refuses a wider
``fromDateTime``..``toDateTime``, so ``credsim fetch`` splits longer ranges."""

GRAPH_TRIES_MAX = 6
"""Tries of one page request throttled (429) or failing on the server (5xx) before
``credsim fetch`` gives up."""

GRAPH_RETRY_WAIT_MAX_S = 300
"""Longest wait before a retry in seconds, whatever ``Retry-After`` asks."""


def check_minor(amount_minor: int, what: str, *, source: str | Path | None = None) -> int:
    """``amount_minor`` when its magnitude is within ``MONEY_MAX_MINOR``, else InputError."""
    if abs(amount_minor) > MONEY_MAX_MINOR:
        raise InputError(
            f"{what} is beyond the supported {MONEY_MAX_MINOR:,} minor units", source=source
        )
    return amount_minor


def check_date(day: date | datetime, what: str, *, source: str | Path | None = None) -> None:
    """InputError unless ``day`` lies in ``DATE_MIN``..``DATE_MAX``."""
    plain = day.date() if isinstance(day, datetime) else day
    if not DATE_MIN <= plain <= DATE_MAX:
        raise InputError(
            f"{what} {plain.isoformat()} is outside the supported dates "
            f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}",
            source=source,
        )


def max_calls_per_replication() -> int:
    """``CALLS_PER_REPLICATION_MAX``, or the whole number in ``$CREDSIM_MAX_CALLS``.

    Read here and nowhere else, at each check, so a test or a big machine can
    raise it without editing code.
    """
    return int(_knob(MAX_CALLS_VARIABLE, CALLS_PER_REPLICATION_MAX, whole=True))


def max_memory_bytes() -> int:
    """``MEMORY_MAX_BYTES``, or ``$CREDSIM_MAX_MEMORY_GB`` gigabytes (GiB, decimals allowed)."""
    return int(_knob(MAX_MEMORY_VARIABLE, Decimal(MEMORY_MAX_BYTES) / 1024**3) * 1024**3)


def dashboard_job_max_s() -> float:
    """``DASHBOARD_JOB_MAX_S``, or the seconds in ``$CREDSIM_DASHBOARD_JOB_MAX_S`` of the server."""
    return float(_knob(DASHBOARD_MAX_S_VARIABLE, DASHBOARD_JOB_MAX_S))


def dashboard_job_max_bytes() -> int:
    """``DASHBOARD_JOB_MAX_BYTES``, or ``$CREDSIM_DASHBOARD_JOB_MAX_MB`` mebibytes of the server."""
    default_mb = Decimal(DASHBOARD_JOB_MAX_BYTES) / 2**20
    return int(_knob(DASHBOARD_MAX_MB_VARIABLE, default_mb) * 2**20)


def _knob(name: str, default: Decimal | int, *, whole: bool = False) -> Decimal:
    text = os.environ.get(name, "").strip().replace("_", "")
    if not text:
        return Decimal(default)
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or (whole and value != value.to_integral_value()):
        kind = "a whole number" if whole else "a number"
        raise InputError(f"the environment variable {name}={text[:40]!r} is not {kind} > 0")
    return value
