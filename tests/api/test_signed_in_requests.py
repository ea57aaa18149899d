"""A signed-in request that only asks who is asking reads nothing once its token is known, and a revoked token
is refused by every server sharing the database within the cache's few seconds."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
from sqlalchemy import event, text

from api.app import create_app
from api.db import Database
from tests.api.conftest import make_settings
from tests.api.factories import gql

ME = "{ me { id name role } }"
TTL = 0.5


async def test_me_reads_the_token_once_and_then_nothing(client, database, people):
    # given
    statements: list[str] = []
    transactions: list[str] = []

    def statement(*args: object) -> None:
        statements.append(str(args[2]))

    def transaction(*_: object) -> None:
        transactions.append("begin")

    event.listen(database.engine.sync_engine, "before_cursor_execute", statement)
    event.listen(database.engine.sync_engine, "begin", transaction)
    try:
        # when
        first = await gql(client, ME, token=people.rep_b.token)
        cold = list(statements)
        statements.clear()
        transactions.clear()
        second = await gql(client, ME, token=people.rep_b.token)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", statement)
        event.remove(database.engine.sync_engine, "begin", transaction)

    # then: one statement (the token with its user) the first time, no round trip at all after
    assert first == second == {"data": {"me": {"id": people.rep_b.global_id, "name": "Bob Rep", "role": "REP"}}}
    assert len(cold) == 1, cold
    assert statements == []
    assert transactions == []


async def test_a_revoked_token_is_refused_by_every_server_within_the_cache_time(database, people):
    # given: two servers on one database, each having served the token
    settings = dataclasses.replace(make_settings(), token_cache_seconds=TTL)
    other_database = Database(
        url=str(database.engine.url.render_as_string(hide_password=False)), engine_options=database.engine_options
    )
    servers = [create_app(settings, database=database), create_app(settings, database=other_database)]
    try:
        async with servers[0].router.lifespan_context(servers[0]), servers[1].router.lifespan_context(servers[1]):
            clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=s), base_url="http://w") for s in servers]
            before = [await gql(c, ME, token=people.rep_a.token) for c in clients]

            # when
            async with database.engine.begin() as connection:
                await connection.execute(text("UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP"))
            await asyncio.sleep(TTL * 1.5)
            after = [await gql(c, ME, token=people.rep_a.token) for c in clients]
            for c in clients:
                await c.aclose()
    finally:
        await other_database.dispose()

    # then
    assert [b["data"]["me"]["name"] for b in before] == ["Alice Rep", "Alice Rep"]
    assert after == [{"data": {"me": None}}, {"data": {"me": None}}]
