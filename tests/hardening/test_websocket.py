"""The API has no subscriptions and routes /graphql for GET and POST only, so a WebSocket there is closed at once:
no document reaches the schema past the HTTP checks (the token before the body, the body's size and nesting)."""

from __future__ import annotations

from typing import Any


async def test_a_websocket_to_graphql_is_closed_before_anything_is_read(app):
    # given: a client opening a graphql-transport-ws socket, then sending a document
    incoming = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": '{"type": "subscribe", "payload": {"query": "{ me { id } }"}}'},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [(b"sec-websocket-protocol", b"graphql-transport-ws")],
        "server": ("waymark.test", 80),
        "subprotocols": ["graphql-transport-ws"],
    }

    # when
    await app(scope, receive, send)

    # then: closed without being accepted; nothing the client sent was read
    assert sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]
    assert len(incoming) == 2
