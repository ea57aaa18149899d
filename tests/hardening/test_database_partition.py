"""The database partitioned away (a TCP proxy that stops forwarding, or refuses): `/readyz` answers 503 and
requests answer a clear SERVICE_UNAVAILABLE within 5 s instead of hanging; no driver message reaches a
client; no write is half done; and the server recovers by itself when the network heals."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from api.app import create_app
from api.db import Database, upgrade
from tests.api.conftest import make_settings
from tests.api.factories import People, add_people, create_deal, deal_gid, snapshot
from tests.hardening.tcp_proxy import TcpProxy
from tests.prerequisites import POSTGRES_URL, require_postgres

WITHIN = 5.0
"""The issue's bound on an answer during a partition."""
MARGIN = 1.5
"""Added for a busy machine; the benchmark reports the real figure."""
DEAL = "query($id: ID!) { deal(id: $id) { name } }"
RENAME = """mutation($id: ID!, $version: Int!) {
  updateDeal(input: {dealId: $id, expectedVersion: $version, name: "Renamed in the dark"}) { __typename } }"""


@dataclass
class Partitioned:
    proxy: TcpProxy
    database: Database
    client: httpx.AsyncClient
    people: People


@pytest.fixture
async def partitioned() -> AsyncIterator[Partitioned]:
    await require_postgres()
    target = urlsplit(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    proxy = TcpProxy(target_host=target.hostname or "127.0.0.1", target_port=target.port or 5432)
    port = await proxy.start()
    schema = f"waymark_partition_{uuid.uuid4().hex[:12]}"
    admin = Database(url=POSTGRES_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = POSTGRES_URL.replace(f"{target.hostname}:{target.port}", f"127.0.0.1:{port}")
    database = Database(url=url, engine_options={"connect_args": {"server_settings": {"search_path": schema}}})
    try:
        await upgrade(database.engine)
        people = await add_people(database)
        app = create_app(make_settings(), database=database)
        async with app.router.lifespan_context(app):
            yield Partitioned(proxy=proxy, database=database, client=_client(app), people=people)
    finally:
        proxy.heal()
        await database.dispose()
        await proxy.close()
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://waymark.test", timeout=60)


async def _timed(request: object) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await request  # type: ignore[misc]
    return response, time.perf_counter() - started


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"].startswith("the service is unavailable")
    for driver_word in ("asyncpg", "sqlalchemy", "Timeout", "connection", "Traceback"):
        assert driver_word not in response.text


async def _recovers(client: httpx.AsyncClient, *, within: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < within:
        if (await client.get("/readyz")).status_code == 200:
            return time.perf_counter() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"/readyz still not ready {within} s after the network healed")


@pytest.mark.parametrize("fault", ["blackhole", "refuse"])
async def test_a_partition_is_reported_within_5_s_and_the_server_recovers_without_a_restart(partitioned, fault):
    # given: a deal, read once so the pool holds a live connection
    p = partitioned
    deal = await create_deal(p.database, owner=p.people.rep_a, completed=())
    token = {"authorization": f"Bearer {p.people.rep_a.token}"}
    variables = {"id": deal_gid(deal), "version": deal.version}
    assert (await p.client.post("/graphql", json={"query": DEAL, "variables": variables}, headers=token)).is_success
    before = await snapshot(p.database)

    # when: the network to the database fails
    getattr(p.proxy, fault)()
    ready, ready_time = await _timed(p.client.get("/readyz"))
    read, read_time = await _timed(
        p.client.post("/graphql", json={"query": DEAL, "variables": variables}, headers=token)
    )
    write, write_time = await _timed(
        p.client.post("/graphql", json={"query": RENAME, "variables": variables}, headers=token)
    )

    # then: answers, not hangs; clear, not the driver's words
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] is False
    assert ready_time < WITHIN + MARGIN, ready_time
    _assert_unavailable(read)
    _assert_unavailable(write)
    assert read_time < WITHIN + MARGIN, read_time
    assert write_time < WITHIN + MARGIN, write_time

    # when: the network heals
    p.proxy.heal()
    await _recovers(p.client, within=15)

    # then: the same server answers again, and the write made in the dark left nothing behind
    assert await snapshot(p.database) == before
    again = await p.client.post("/graphql", json={"query": DEAL, "variables": variables}, headers=token)
    assert again.json() == {"data": {"deal": {"name": "Spend platform"}}}
    renamed = await p.client.post("/graphql", json={"query": RENAME, "variables": variables}, headers=token)
    assert renamed.json() == {"data": {"updateDeal": {"__typename": "UpdateDealSuccess"}}}
