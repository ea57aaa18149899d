"""A WebSocket reads no document before its `connection_init` carries a valid token: a subscribe sent first is
closed (4401), a bad token is refused (4403), and the document limits apply to what a signed-in socket sends."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from api.db import Database
from tests.api.factories import People
from tests.api.test_subscriptions import running_server

SUBSCRIBE = {"id": "1", "type": "subscribe", "payload": {"query": "subscription { dealChanged { deal { id } } }"}}


async def _closed_code(socket_: websockets.ClientConnection) -> int:
    """The close code the server sent, after whatever messages came before it."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(_read_until_closed(socket_), timeout=10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def _read_until_closed(socket_: websockets.ClientConnection) -> None:
    while True:
        await socket_.recv()


async def test_a_subscribe_before_connection_init_is_closed_unread(database: Database, people: People):
    async with (
        running_server(database) as server,
        websockets.connect(f"ws://{server.url}/graphql", subprotocols=["graphql-transport-ws"]) as socket_,
    ):
        await socket_.send(json.dumps(SUBSCRIBE))
        assert await _closed_code(socket_) == 4401


async def test_a_huge_document_on_a_signed_in_socket_is_refused_by_the_document_limits(
    database: Database, people: People
):
    # given: a signed-in socket
    async with (
        running_server(database) as server,
        websockets.connect(f"ws://{server.url}/graphql", subprotocols=["graphql-transport-ws"]) as socket_,
    ):
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {people.rep_a.token}"}}
        await socket_.send(json.dumps(init))
        assert json.loads(await socket_.recv())["type"] == "connection_ack"
        # when: it sends the anonymous amplifier of the hardening issue (1,003 repeated fields)
        huge = {"id": "2", "type": "subscribe", "payload": {"query": "{ " + "me{id} " * 1003 + "}"}}
        await socket_.send(json.dumps(huge))
        answer = json.loads(await asyncio.wait_for(socket_.recv(), timeout=10))

    # then: an error naming the limit, not an answer
    assert answer["type"] == "error"
    assert answer["payload"][0]["extensions"]["code"] in {"DOCUMENT_TOO_LARGE", "DOCUMENT_TOO_COMPLEX"}
