"""A fake Microsoft Graph on 127.0.0.1 that speaks the documented getPstnCalls shape.

Each request is answered by the next scripted reply for its path (a ``Reply`` of
status, JSON body and headers); every request is recorded (path, Authorization
header) so a test can check what the client asked for. No test touches the network.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

TOKEN = "fake-token"
EXPIRED = {
    "error": {
        "code": "InvalidAuthenticationToken",
        "message": "Access token has expired or is not yet valid.",
    }
}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeGraph:
    """The scripted replies, by path prefix, and the requests seen."""

    base_url: str = ""
    script: dict[str, list[Reply]] = field(default_factory=dict)
    seen: list[tuple[str, str]] = field(default_factory=list)

    def next_reply(self, path: str) -> Reply:
        for prefix, replies in self.script.items():
            if path.startswith(prefix) and replies:
                return replies.pop(0)
        return Reply(404, {"error": {"code": "NotFound", "message": path}})


def page(records: list[dict[str, Any]], next_link: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(x)",
        "@odata.count": len(records),
        "value": records,
    }
    if next_link:
        body["@odata.nextLink"] = next_link
    return body


@contextmanager
def fake_graph() -> Iterator[FakeGraph]:
    """A running fake Graph on a free port; stopped when the block ends."""
    graph = FakeGraph()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = unquote(self.path)
            graph.seen.append((path, self.headers.get("Authorization", "")))
            reply = graph.next_reply(path)
            data = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is not the place for an access log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    graph.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1.0"
    try:
        yield graph
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
