"""On PostgreSQL a pooled connection is tested (pinged) before use only when it has waited in the pool for
`PING_AFTER_IDLE_SECONDS`: a busy server saves a round trip per request, and a server whose database restarted
while it was idle answers its next request as if nothing happened. Killed under a busy server, a connection
costs one request a clear "unavailable" answer, and the next one is served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

import api.db.session
from api.db import Database
from tests.api.factories import gql
from tests.api.wire import watching_the_wire

ME = "{ me { name } }"
BOARD = "{ deals(first: 5) { edges { node { id } } } }"


async def _kill(database: Database, pids: set[int]) -> None:
    """As a restart or a failover would: the database ends these connections (from a connection of its own)."""
    engine = database.separate_engine()
    try:
        async with engine.connect() as connection:
            for pid in pids:
                await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await engine.dispose()
    await asyncio.sleep(0.1)  # the server closes them


@pytest.fixture
async def killing(database: Database) -> AsyncIterator[None]:
    """The tests after this one start from a new pool: connections it had the database kill may still wait in
    it, idle for less than a second."""
    yield
    await database.engine.dispose()


async def _on_postgresql_with_a_new_pool(database: Database) -> None:
    """Skip on SQLite; on PostgreSQL, start from an empty pool, so that the connection a request gets is the
    one the test's previous request returned (the pool hands out the one returned last)."""
    if database.reads_outside_transactions is False:
        pytest.skip("SQLite: a connection is pinged before every use (a call within the process)")
    await database.engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged_and_one_that_waited_is(
    client, database, people, monkeypatch, killing
):
    await _on_postgresql_with_a_new_pool(database)
    monkeypatch.setattr(api.db.session, "PING_AFTER_IDLE_SECONDS", 0.3)
    await gql(client, BOARD, token=people.rep_a.token)

    # when
    with watching_the_wire(database) as at_once:
        await gql(client, BOARD, token=people.rep_a.token)
    await asyncio.sleep(0.5)
    with watching_the_wire(database) as after_a_wait:
        await gql(client, BOARD, token=people.rep_a.token)

    # then
    assert ";" not in at_once.sent
    assert ";" in after_a_wait.sent


async def test_a_connection_killed_while_it_waited_is_replaced_before_use(
    client, database, people, monkeypatch, killing
):
    await _on_postgresql_with_a_new_pool(database)
    monkeypatch.setattr(api.db.session, "PING_AFTER_IDLE_SECONDS", 0.3)
    with watching_the_wire(database) as used:
        await gql(client, BOARD, token=people.rep_a.token)

    # when: the database drops the connection (a restart, a failover) while the server is idle
    await _kill(database, used.pids)
    await asyncio.sleep(0.5)
    answer = await gql(client, BOARD, token=people.rep_a.token)

    # then
    assert "errors" not in answer, answer


async def test_a_connection_killed_under_a_busy_server_fails_one_request_clearly(client, database, people, monkeypatch):
    await _on_postgresql_with_a_new_pool(database)
    monkeypatch.setattr(api.db.session, "PING_AFTER_IDLE_SECONDS", 60)
    with watching_the_wire(database) as used:
        await gql(client, BOARD, token=people.rep_a.token)

    # when
    await _kill(database, used.pids)
    failed = await client.post(
        "/graphql", json={"query": BOARD}, headers={"Authorization": f"Bearer {people.rep_a.token}"}
    )
    served = await gql(client, BOARD, token=people.rep_a.token)

    # then
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "errors" not in served, served
