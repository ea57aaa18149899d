"""Subscriptions over `graphql-transport-ws`, with a real WebSocket client (`gql`) against a real server (uvicorn
on a free port, in the test's event loop), on SQLite and PostgreSQL: each subscriber receives exactly the
changes of the deals they may see, in order; a slow one is told and disconnected."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from starlette.applications import Starlette

from api.app import create_app
from api.db import Database
from api.db.models import Role
from tests.api.conftest import make_settings
from tests.api.factories import People, Person, add_person, create_deal, deal_gid
from tests.api.factories import gql as post

CHANGED = gql(
    """subscription { dealChanged { deal { id name stage { key } } event { kind milestoneKey } events { kind } } }"""
)
EVENTS = """subscription($id: ID!) { dealEvents(dealId: $id) { kind milestoneKey toStageKey } }"""
COMPLETE = "mutation($id: ID!, $key: String!) { completeMilestone(dealId: $id, milestoneKey: $key) { __typename } }"
MOVE = 'mutation($id: ID!) { moveDeal(dealId: $id, toStage: "sql") { __typename } }'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    url: str
    app: Starlette


@contextlib.asynccontextmanager
async def running_server(database: Database, *, port: int | None = None, **settings: Any) -> AsyncIterator[Running]:
    """The app served by uvicorn over real TCP, in this event loop (its lifespan included)."""
    app = create_app(replace(make_settings(), **settings), database=database)
    port = port or _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield Running(url=f"127.0.0.1:{port}", app=app)
    finally:
        server.should_exit = True
        await task


@dataclass
class Listening:
    """What one subscriber received, with when."""

    received: list[dict[str, Any]] = field(default_factory=list)
    at: list[float] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


async def listen(
    url: str, person: Person, document: Any = CHANGED, variables: dict[str, Any] | None = None
) -> Listening:
    listening = Listening()
    ready = asyncio.Event()

    async def run() -> None:
        transport = WebsocketsTransport(
            url=f"ws://{url}/graphql",
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"Authorization": f"Bearer {person.token}"},
        )
        async with Client(transport=transport) as session:
            ready.set()
            request = gql(document) if isinstance(document, str) else document
            if variables is not None:
                request.variable_values = variables
            async for result in session.subscribe(request):
                listening.received.append(result)
                listening.at.append(time.monotonic())

    listening.task = asyncio.create_task(run())
    await asyncio.wait_for(ready.wait(), timeout=10)
    await asyncio.sleep(0.3)  # the subscribe message is on its way
    return listening


async def until(condition: Any, *, seconds: float = 10) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "timed out"
        await asyncio.sleep(0.02)


async def stop(*listenings: Listening) -> None:
    for listening in listenings:
        assert listening.task is not None
        listening.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await listening.task


def names(listening: Listening) -> list[tuple[str, str | None]]:
    return [(r["dealChanged"]["deal"]["name"], r["dealChanged"]["event"]["milestoneKey"]) for r in listening.received]


async def test_each_subscriber_receives_exactly_the_deals_they_may_see_in_order(database: Database, people: People):
    # given: an East deal and a West deal, and subscribers from the East rep, a West manager and an admin
    async with database.transaction() as session:
        west_manager = await add_person(session, name="Will West", role=Role.MANAGER, team="West")
    east = await create_deal(database, owner=people.rep_a, stage="mql", name="East deal")
    west = await create_deal(database, owner=people.other_rep, stage="mql", name="West deal")
    async with running_server(database) as server:
        rep, manager, admin = [await listen(server.url, p) for p in (people.rep_a, west_manager, people.admin)]
        async with httpx.AsyncClient(base_url=f"http://{server.url}") as client:
            # when: both deals change over HTTP
            sent = time.monotonic()
            await post(client, COMPLETE, {"id": deal_gid(east), "key": "icp-fit"}, token=people.rep_a.token)
            await post(client, COMPLETE, {"id": deal_gid(west), "key": "icp-fit"}, token=people.other_rep.token)
            await post(client, COMPLETE, {"id": deal_gid(east), "key": "intro-call"}, token=people.rep_a.token)
        await until(lambda: len(admin.received) >= 3 and len(rep.received) >= 2 and len(manager.received) >= 1)
        await asyncio.sleep(0.5)  # anything more would arrive now
        await stop(rep, manager, admin)

    # then: each exactly what they may see, in order, and the rep nothing of the West
    assert names(rep) == [("East deal", "icp-fit"), ("East deal", "intro-call")]
    assert names(manager) == [("West deal", "icp-fit")]
    assert names(admin) == [("East deal", "icp-fit"), ("West deal", "icp-fit"), ("East deal", "intro-call")]
    assert max(admin.at) - sent < 10  # the real figure, well under a second, is in the benchmarks write-up


async def test_deal_events_follow_one_deal_and_end_when_it_moves_out_of_sight(database: Database, people: People):
    # given: rep A follows their deal
    deal = await create_deal(database, owner=people.rep_a, stage="mql", completed=("icp-fit",))
    async with running_server(database) as server:
        following = await listen(server.url, people.rep_a, EVENTS, {"id": deal_gid(deal)})
        async with httpx.AsyncClient(base_url=f"http://{server.url}") as client:
            # when: it moves, then is given to the West rep by the admin
            await post(client, MOVE, {"id": deal_gid(deal)}, token=people.rep_a.token)
            await until(lambda: len(following.received) >= 1)
            reassign = (
                "mutation($id: ID!, $owner: ID!) "
                "{ updateDeal(input: {dealId: $id, expectedVersion: 3, ownerId: $owner}) { __typename } }"
            )
            await post(
                client, reassign, {"id": deal_gid(deal), "owner": people.other_rep.global_id}, token=people.admin.token
            )
            assert following.task is not None
            await asyncio.wait_for(following.task, timeout=10)  # the stream completes

    # then
    assert [r["dealEvents"]["kind"] for r in following.received] == ["MOVED"]
    assert following.received[0]["dealEvents"]["toStageKey"] == "sql"


async def test_a_subscriber_that_falls_behind_is_told_and_disconnected(database: Database, people: People):
    # given: a subscriber allowed two waiting changes, and a burst of changes committed at once
    deals = [await create_deal(database, owner=people.rep_a, stage="mql", name=f"Deal {n}") for n in range(6)]
    async with (
        running_server(database, subscriber_queue_size=2) as server,
        websockets.connect(f"ws://{server.url}/graphql", subprotocols=["graphql-transport-ws"]) as socket_,
    ):
        await socket_.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {people.rep_a.token}"}})
        )
        assert json.loads(await socket_.recv())["type"] == "connection_ack"
        await socket_.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": "subscription { dealChanged { deal { id } } }"},
                }
            )
        )
        await asyncio.sleep(0.3)
        hub = server.app.state.parts.changes
        subscribers_before = hub.subscribers
        # when: six changes arrive in one go (as one transaction touching six deals would announce them)
        for deal in deals:
            hub.announce(deal.id)
        # then: the connection is closed with the reason, and the subscriber is gone
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await _receive_until_closed(socket_)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4413
    assert "Too slow: more than 2 changes waiting" in closed.value.rcvd.reason
    assert subscribers_before == 1
    assert hub.subscribers == 0


async def _receive_until_closed(socket_: Any) -> None:
    while True:
        await asyncio.wait_for(socket_.recv(), timeout=10)


async def test_a_websocket_without_a_valid_token_is_refused(database: Database, people: People):
    async with (
        running_server(database) as server,
        websockets.connect(f"ws://{server.url}/graphql", subprotocols=["graphql-transport-ws"]) as socket_,
    ):
        await socket_.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer wrong"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket_.recv(), timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
