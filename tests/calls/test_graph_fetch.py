"""``sim.calls.graph_fetch`` against a fake Graph on 127.0.0.1: pages, windows, retries."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from sim.calls.graph_fetch import _wait_s, fetch, windows
from sim.calls.usage import open_usage
from sim.errors import InputError
from sim.limits import GRAPH_RETRY_WAIT_MAX_S, GRAPH_TRIES_MAX, GRAPH_WINDOW_MAX_DAYS
from tests.calls.graph_server import EXPIRED, TOKEN, FakeGraph, Reply, fake_graph, page

START = datetime(2024, 3, 1, tzinfo=UTC)
PSTN = "/v1.0/communications/callRecords/getPstnCalls"


class FakeCredential:
    """A TokenCredential that hands out a fixed token and never signs in."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(TOKEN, 4_102_444_800)  # 2100-01-01


def record(number: int, start: str = "2024-03-04T15:00:00Z") -> dict[str, Any]:
    """A pstnCallLogRow as the documentation shows one (fewer properties)."""
    return {
        "id": f"9c4984c7-6c3c-427d-a30c-bd0b2eacee{number:02d}",
        "callId": f"1835317186_112562680@61.221.3.{number}",
        "userId": "db03c14b-06eb-4189-939b-7cbf3a20ba27",
        "userPrincipalName": "richard.malk@contoso.com",
        "userDisplayName": "Richard Malk",
        "startDateTime": start,
        "endDateTime": start.replace("15:00:00", "15:02:00"),
        "duration": 120,
        "charge": 0.44,
        "callType": "user_out",
        "currency": "USD",
        "calleeNumber": "+1425555xxxx",
        "callerNumber": "+1425555yyyy",
        "destinationContext": "Domestic",
        "destinationName": "United States",
        "conferenceId": None,
        "licenseCapability": "MCOPSTN1",
        "inventoryType": "Subscriber",
        "connectionCharge": 0,
        "administrativeUnitInfos": [],
    }


def run(graph: FakeGraph, out: Path, start: datetime, end: datetime) -> tuple[int, list[float]]:
    """Fetch through the fake server; the waits asked for are recorded, not slept."""
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    lines: list[str] = []
    work = fetch(
        FakeCredential(),  # type: ignore[arg-type]  (duck-typed TokenCredential)
        start,
        end,
        out,
        sleep=no_sleep,
        progress=lines.append,
        base_url=graph.base_url,
    )
    return asyncio.run(work), waits


def test_windows_are_cut_to_the_api_limit_and_cover_the_range() -> None:
    end = START + timedelta(days=200)
    cuts = windows(START, end)
    assert len(cuts) == 3
    assert cuts[0][0] == START and cuts[-1][1] == end
    assert all(b - a <= timedelta(days=GRAPH_WINDOW_MAX_DAYS) for a, b in cuts)
    assert all(cuts[i][1] == cuts[i + 1][0] for i in range(len(cuts) - 1))
    with pytest.raises(InputError, match="not after"):
        windows(START, START)


def test_pages_are_followed_and_throttled_or_failing_pages_retried(tmp_path: Path) -> None:
    out = tmp_path / "calls.json"
    with fake_graph() as graph:
        base = graph.base_url
        graph.script = {
            PSTN: [Reply(200, page([record(1), record(2)], f"{base}/next/2"))],
            "/v1.0/next/2": [
                Reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "7"}),
                Reply(200, page([record(3)], f"{base}/next/3")),
            ],
            "/v1.0/next/3": [
                Reply(503, {"error": {"code": "ServiceUnavailable"}}, {"Retry-After": "0"}),
                Reply(200, page([record(4)])),
            ],
        }
        written, waits = run(graph, out, START, START + timedelta(days=30))
    assert written == 4
    assert waits == [7.0, 0.0]  # Retry-After honoured
    assert [path.split("?")[0].split("(")[0] for path, _ in graph.seen] == [
        PSTN, "/v1.0/next/2", "/v1.0/next/2", "/v1.0/next/3", "/v1.0/next/3",
    ]  # fmt: skip
    assert "fromDateTime=2024-03-01T00:00:00" in graph.seen[0][0]
    assert all(auth == f"Bearer {TOKEN}" for _, auth in graph.seen)
    pages = [json.loads(line) for line in out.read_text().splitlines()]
    assert [len(p["value"]) for p in pages] == [2, 1, 1]
    assert pages[0]["value"][0] == record(1)  # every property kept as sent
    usage = open_usage(out)
    calls = list(usage.calls())
    assert [call.charge_minor for call in calls] == [44, 44, 44, 44]
    assert [call.ref for call in calls] == [1, 2, 3, 4]  # the record numbers
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


def test_a_long_range_is_fetched_window_by_window_without_the_boundary_twice(
    tmp_path: Path,
) -> None:
    out = tmp_path / "calls.json"
    boundary = START + timedelta(days=GRAPH_WINDOW_MAX_DAYS)
    on_it = record(2, boundary.strftime("%Y-%m-%dT15:00:00Z"))
    with fake_graph() as graph:
        graph.script = {PSTN: [Reply(200, page([record(1), on_it])), Reply(200, page([on_it]))]}
        written, _ = run(graph, out, START, START + timedelta(days=100))
    assert written == 2
    assert len(graph.seen) == 2
    assert "fromDateTime=2024-05-30T00:00:00" in graph.seen[1][0]


def test_an_expired_token_is_one_clear_error_and_the_old_file_stays(tmp_path: Path) -> None:
    out = tmp_path / "calls.json"
    out.write_text("earlier fetch\n")
    with fake_graph() as graph:
        graph.script = {PSTN: [Reply(401, EXPIRED)]}
        with pytest.raises(InputError) as caught:
            run(graph, out, START, START + timedelta(days=1))
    message = str(caught.value)
    assert "HTTP 401" in message and "expired" in message and "\n" not in message
    assert out.read_text() == "earlier fetch\n"
    assert list(tmp_path.iterdir()) == [out]


def test_a_page_failing_every_try_gives_up_after_the_bound(tmp_path: Path) -> None:
    out = tmp_path / "calls.json"
    busy = Reply(503, {"error": {"code": "ServiceUnavailable", "message": "busy"}})
    with fake_graph() as graph:
        graph.script = {PSTN: [busy] * (GRAPH_TRIES_MAX + 2)}
        with pytest.raises(InputError, match=f"HTTP 503 after {GRAPH_TRIES_MAX} tries"):
            run(graph, out, START, START + timedelta(days=1))
    assert len(graph.seen) == GRAPH_TRIES_MAX
    assert not out.exists()


class _ThrottledError(Exception):
    def __init__(self, headers: dict[str, str]) -> None:
        self.response_headers = headers


def test_waits_back_off_without_retry_after_and_are_capped() -> None:
    assert [_wait_s(_ThrottledError({}), attempt) for attempt in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert _wait_s(_ThrottledError({"retry-after": "3"}), 5) == 3.0
    assert _wait_s(_ThrottledError({"Retry-After": "99999"}), 1) == GRAPH_RETRY_WAIT_MAX_S
    assert _wait_s(_ThrottledError({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}), 2) == 4.0
