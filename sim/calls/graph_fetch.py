"""Fetch PSTN call records from Microsoft Graph into a file ``credsim backtest`` reads.

Why this shape: ``GET /communications/callRecords/getPstnCalls(fromDateTime=..,
toDateTime=..)`` answers a window of at most ``GRAPH_WINDOW_MAX_DAYS`` days in pages
(``value`` + ``@odata.nextLink``) and throttles with 429 and ``Retry-After``. So a
range is split into windows, every page is followed, a throttled or failing page
(429, 5xx) is tried again after the wait the server asks for (or a doubling
backoff), at most ``GRAPH_TRIES_MAX`` times, and the pages are written one a line
to a temporary file renamed over the output only when all arrived: a failed
fetch never leaves a half file that would backtest as a quiet month.

The SDK (``msgraph-sdk``, the optional extra ``credsim[graph]``) builds the
requests and adds the token; its own retry handler is switched off so that the
tries, the waits and the progress lines are these. Pages are taken as raw JSON,
so every property Graph sends is kept as sent. Randomness-free and clock-free:
the wait function is injected (tests pass one that does not sleep).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sim.errors import InputError
from sim.limits import GRAPH_RETRY_WAIT_MAX_S, GRAPH_TRIES_MAX, GRAPH_WINDOW_MAX_DAYS

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

GRAPH_URL = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
INSTALL_HINT = "credsim fetch needs the Graph SDK: pip install credsim[graph]"
_RETRIED = frozenset({429, 500, 502, 503, 504})
_FIRST_BACKOFF_S = 2.0
_MESSAGE_MAX_CHARS = 200

Sleep = Callable[[float], Awaitable[None]]
Progress = Callable[[str], None]


def windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """``start``..``end`` cut into consecutive windows of at most the API's span."""
    if end <= start:
        raise InputError(f"--to {end.isoformat()} is not after --from {start.isoformat()}")
    span = timedelta(days=GRAPH_WINDOW_MAX_DAYS)
    cuts, at = [], start
    while at < end:
        cuts.append((at, min(at + span, end)))
        at += span
    return cuts


async def fetch(
    credential: TokenCredential,
    start: datetime,
    end: datetime,
    out: Path,
    *,
    sleep: Sleep,
    progress: Progress,
    base_url: str = GRAPH_URL,
) -> int:
    """Write every PSTN call record of ``start``..``end`` to ``out``; the number written."""
    pages = _Pages(credential, base_url, sleep, progress)
    total, before = 0, set[str]()
    with _atomic(out) as handle:
        for number, (window_start, window_end) in enumerate(windows(start, end), 1):
            progress(f"window {number}: {window_start.isoformat()} to {window_end.isoformat()}")
            seen: set[str] = set()
            async for page in pages.window(window_start, window_end):
                records = _new_records(page, before, seen)
                handle.write(json.dumps({"value": records}, separators=(",", ":")) + "\n")
                total += len(records)
                progress(f"  page of {len(records)} records ({total} in all)")
            before = seen
    progress(f"wrote {total} records to {out}")
    return total


def _new_records(page: dict[str, Any], before: set[str], seen: set[str]) -> list[Any]:
    """The page's records less those the previous window already gave.

    Both ends of a window are inclusive, so a call that starts exactly on the
    boundary comes in both windows; its ``id`` tells it.
    """
    records = page.get("value")
    if not isinstance(records, list):
        raise InputError("Graph answered a page without a 'value' array")
    kept = []
    for record in records:
        key = record.get("id") if isinstance(record, dict) else None
        if isinstance(key, str):
            if key in before:
                continue
            seen.add(key)
        kept.append(record)
    return kept


class _Pages:
    """The SDK objects of one fetch and the retry loop of one page request."""

    def __init__(self, credential: TokenCredential, base_url: str, sleep: Sleep, log: Progress):
        try:  # the optional extra credsim[graph]: imported only when a fetch is asked for
            from kiota_authentication_azure.azure_identity_authentication_provider import (  # noqa: PLC0415
                AzureIdentityAuthenticationProvider,
            )
            from kiota_http.middleware.options import RetryHandlerOption  # noqa: PLC0415
            from msgraph import GraphRequestAdapter, GraphServiceClient  # noqa: PLC0415
            from msgraph.generated.models.o_data_errors.o_data_error import (  # noqa: PLC0415
                ODataError,
            )
            from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]  # noqa: PLC0415
        except ImportError:
            raise InputError(INSTALL_HINT) from None
        host = urlsplit(base_url).hostname or ""
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[GRAPH_SCOPE], allowed_hosts=[host]
        )
        no_retry = RetryHandlerOption(max_retries=0, should_retry=False)
        http = GraphClientFactory.create_with_default_middleware(
            options={RetryHandlerOption.get_key(): no_retry}
        )
        self.adapter = GraphRequestAdapter(auth, http)
        self.adapter.base_url = self.base_url = base_url.rstrip("/")
        self.client = GraphServiceClient(request_adapter=self.adapter)
        self.errors = {"XXX": ODataError}
        self.sleep, self.log = sleep, log

    async def window(self, start: datetime, end: datetime) -> AsyncIterator[dict[str, Any]]:
        """The pages of one window, following ``@odata.nextLink`` to the last."""
        # The SDK's URL template drops the comma between the two parameters (msgraph-sdk
        # 1.x, microsoftgraph/msgraph-sdk-python#1234), so the documented URL is built here
        # and only the SDK's request machinery (token, headers, errors) is used.
        url = f"{self.base_url}/communications/callRecords/getPstnCalls({_range(start, end)})"
        records = self.client.communications.call_records
        builder = records.microsoft_graph_call_records_get_pstn_calls_with_from_date_time_with_to_date_time(  # noqa: E501  (the SDK's name)
            start, end
        ).with_url(url)
        while True:
            page = await self._page(builder.to_get_request_information())
            yield page
            link = page.get("@odata.nextLink")
            if not isinstance(link, str) or not link:
                return
            builder = builder.with_url(link)

    async def _page(self, request: Any) -> dict[str, Any]:
        for attempt in range(1, GRAPH_TRIES_MAX + 1):
            try:
                raw = await self.adapter.send_primitive_async(request, "bytes", self.errors)
            except Exception as exc:  # the SDK's APIError and its ODataError subclass
                status = getattr(exc, "response_status_code", None)
                if status not in _RETRIED or attempt == GRAPH_TRIES_MAX:
                    raise _failure(exc, status, attempt) from None
                wait_s = _wait_s(exc, attempt)
                self.log(f"  HTTP {status}; try {attempt + 1} of {GRAPH_TRIES_MAX} in {wait_s:g} s")
                await self.sleep(wait_s)
                continue
            try:
                page = json.loads(raw or b"{}")
            except ValueError:
                raise InputError("Graph answered a page that is not JSON") from None
            if not isinstance(page, dict):
                raise InputError("Graph answered a page that is not a JSON object")
            return page
        raise AssertionError("unreachable: the last try returns or raises")


def _range(start: datetime, end: datetime) -> str:
    """The function's parameters as the documentation writes them (UTC, ``Z``)."""
    utc = [moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for moment in (start, end)]
    return f"fromDateTime={utc[0]},toDateTime={utc[1]}"


def _wait_s(exc: Exception, attempt: int) -> float:
    """``Retry-After`` seconds when the server sent them, else a doubling backoff; capped."""
    headers = getattr(exc, "response_headers", None) or {}
    asked = next((v for k, v in dict(headers).items() if k.lower() == "retry-after"), None)
    try:
        wait_s = float(asked) if asked is not None else _FIRST_BACKOFF_S * 2 ** (attempt - 1)
    except ValueError:  # an HTTP date: not worth parsing, back off instead
        wait_s = _FIRST_BACKOFF_S * 2 ** (attempt - 1)
    return min(max(wait_s, 0.0), float(GRAPH_RETRY_WAIT_MAX_S))


def _failure(exc: Exception, status: int | None, attempt: int) -> InputError:
    """One line for a failed request: what the status means and Graph's own words."""
    error = getattr(exc, "error", None)
    detail = " ".join(str(getattr(error, name, "") or "") for name in ("code", "message"))
    detail = " ".join((detail.strip() or str(exc)).split())[:_MESSAGE_MAX_CHARS]
    if status == 401:
        why = "the access token was refused (expired, or not for this tenant); sign in again"
        return InputError(f"Graph answered HTTP 401: {why}: {detail}")
    if status == 403:
        why = "the app lacks the application permission CallRecords.Read.All (admin consent)"
        return InputError(f"Graph answered HTTP 403: {why}: {detail}")
    if type(exc).__name__ == "ClientAuthenticationError":  # azure-identity's sign-in failure
        return InputError(f"sign-in to Microsoft Entra ID failed: {detail}")
    if status is None:
        return InputError(f"cannot reach Microsoft Graph: {detail}")
    tries = f" after {attempt} tries (GRAPH_TRIES_MAX in sim/limits.py)" if attempt > 1 else ""
    return InputError(f"Graph answered HTTP {status}{tries}: {detail}")


@contextmanager
def _atomic(out: Path) -> Iterator[IO[str]]:
    """A temporary file beside ``out``, renamed over it only when the block succeeds."""
    out = Path(out)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    except OSError as exc:
        raise InputError(f"cannot write beside {out}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
