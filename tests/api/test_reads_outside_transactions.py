"""On PostgreSQL a query runs its statements outside a transaction: no BEGIN and COMMIT round trips (under READ
COMMITTED each statement sees what was committed when it started either way). A mutation keeps its
transaction, and a query answers the same as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from api.db import Database
from tests.api.factories import create_deal, deal_gid, gql

BOARD = """{ deals(first: 10) { edges { node { id name stage { key } owner { name } blockers { key }
  history { kind } } } } }"""
COMPLETE = """mutation($id: ID!) { completeMilestone(dealId: $id, milestoneKey: "icp-fit") { __typename } }"""


@contextmanager
def sent_to_postgresql(database: Database) -> Iterator[list[str]]:
    """What the requests' connections send by `execute` (BEGIN among it; prepared statements are not listed)."""
    sent: list[str] = []
    logged: list[Any] = []

    def log(query: Any) -> None:
        sent.append(query.query)

    def taken(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        driver.add_query_logger(log)
        logged.append(driver)

    pool = database.engine.sync_engine.pool
    event.listen(pool, "checkout", taken)
    try:
        yield sent
    finally:
        event.remove(pool, "checkout", taken)
        for driver in logged:
            driver.remove_query_logger(log)


async def test_a_query_sends_no_begin_and_a_mutation_sends_one(client, database, people):
    if not database.reads_outside_transactions:
        pytest.skip("SQLite: a transaction costs no round trip there, and every request keeps its own")
    # given
    deal = await create_deal(database, owner=people.rep_a)
    await gql(client, "{ me { id } }", token=people.rep_a.token)  # the token is known: no read to admit it

    # when
    with sent_to_postgresql(database) as by_the_query:
        board = await gql(client, BOARD, token=people.rep_a.token)
    with sent_to_postgresql(database) as by_the_mutation:
        completed = await gql(client, COMPLETE, {"id": deal_gid(deal)}, token=people.rep_a.token)
    with sent_to_postgresql(database) as by_the_next_query:
        again = await gql(client, BOARD, token=people.rep_a.token)

    # then
    assert "errors" not in board
    assert len(board["data"]["deals"]["edges"]) == 1
    assert not [sql for sql in by_the_query if sql.startswith("BEGIN")]
    assert completed["data"]["completeMilestone"]["__typename"] == "CompleteMilestoneSuccess"
    assert [sql for sql in by_the_mutation if sql.startswith("BEGIN")]
    assert not [sql for sql in by_the_next_query if sql.startswith("BEGIN")]
    assert [e["node"]["history"] for e in again["data"]["deals"]["edges"]] != [
        e["node"]["history"] for e in board["data"]["deals"]["edges"]
    ]  # the completion is seen: the connection went back to the pool in its usual mode
