"""``credsim fetch``: PSTN call records of a tenant from Microsoft Graph into a file.

Thin like the rest of the CLI: windows, pages, retries and the atomic write live
in ``sim.calls.graph_fetch``. Graph's ``getPstnCalls`` accepts only the
application permission ``CallRecords.Read.All`` (delegated sign-in, device code
included, is documented as not supported), so the credential is an app
registration's client secret, read from the environment and never from an
argument (arguments end up in shell history and process lists).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.account.clock import Instant, to_datetime
from sim.calls.graph_fetch import GRAPH_URL, INSTALL_HINT, fetch, windows
from sim.cli.options import ISO, bad_input
from sim.errors import InputError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

SECRET_VARIABLE = "AZURE_CLIENT_SECRET"
"""The environment variable holding the app registration's client secret."""


def credential(tenant: str, client_id: str) -> TokenCredential:
    """A client-secret credential for the app; the secret comes from the environment."""
    try:
        from azure.identity import ClientSecretCredential  # noqa: PLC0415  (optional extra)
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    secret = os.environ.get(SECRET_VARIABLE, "")
    if not secret:
        raise InputError(
            f"set {SECRET_VARIABLE} to the app's client secret (getPstnCalls needs the "
            "application permission CallRecords.Read.All; see docs/cli.md)"
        )
    return ClientSecretCredential(tenant, client_id, secret)


@click.command("fetch")
@click.option("--tenant", required=True, help="Microsoft Entra tenant ID (or domain).")
@click.option("--client-id", required=True, help="Application (client) ID of the app.")
@click.option("--from", "start", type=ISO, required=True, help="First call start (UTC).")
@click.option("--to", "end", type=ISO, required=True, help="Last call start (UTC).")
@click.option(
    "-o", "--output", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
    help="JSON file to write (one Graph page a line); replaced only when all pages arrived.",
)  # fmt: skip
@click.option("--graph-url", "url", default=GRAPH_URL, hidden=True, help="Graph base URL (tests).")
def fetch_command(
    tenant: str, client_id: str, start: Instant, end: Instant, out: Path, url: str
) -> None:
    """Fetch the tenant's PSTN call records (Graph getPstnCalls) into a file.

    The file is read by `credsim backtest`. Needs `pip install credsim[graph]`,
    an app registration with the application permission CallRecords.Read.All
    (admin consent) and its client secret in AZURE_CLIENT_SECRET. Ranges longer
    than 90 days are fetched window by window; throttled pages are retried.
    """
    import asyncio  # noqa: PLC0415  (only when records are fetched: start-up)

    with bad_input():
        first, last = to_datetime(start), to_datetime(end)
        windows(first, last)  # a bad range is refused before any sign-in
        login = credential(tenant, client_id)
        work = fetch(login, first, last, out, sleep=asyncio.sleep, progress=_say, base_url=url)
        asyncio.run(work)


def _say(line: str) -> None:
    """Progress goes to stderr, so stdout stays free for a pipe."""
    click.echo(line, err=True)
