"""The app called as a server calls it: one ASGI call per request, without an HTTP client in between (an
httpx client through its ASGI transport added about 0.5 ms of its own work to every request)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message


class AsgiCaller:
    """POSTs GraphQL requests to `app` as uvicorn would pass them on, and returns the response body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def post(self, body: dict[str, Any], *, token: str) -> bytes:
        content = json.dumps(body).encode()
        headers = [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "server": ("bench", 80),
            "client": ("127.0.0.1", 50000),
            "state": {},
        }
        request: list[Message] = [{"type": "http.request", "body": content, "more_body": False}]
        status: list[int] = []
        chunks: list[bytes] = []

        async def receive() -> Message:
            if request:
                return request.pop()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        answer = b"".join(chunks)
        if status != [200]:
            raise AssertionError(f"status {status}: {answer[:500]!r}")
        return answer
