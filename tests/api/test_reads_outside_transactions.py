"""On PostgreSQL a query runs its statements outside a transaction: no BEGIN and COMMIT round trips (under READ
COMMITTED each statement sees what was committed when it started either way). A mutation keeps its
transaction, and a query answers the same as before."""

from __future__ import annotations

import pytest

from tests.api.factories import create_deal, deal_gid, gql
from tests.api.wire import watching_the_wire

BOARD = """{ deals(first: 10) { edges { node { id name stage { key } owner { name } blockers { key }
  history { kind } } } } }"""
COMPLETE = """mutation($id: ID!) { completeMilestone(dealId: $id, milestoneKey: "icp-fit") { __typename } }"""


async def test_a_query_sends_no_begin_and_a_mutation_sends_one(client, database, people):
    if not database.reads_outside_transactions:
        pytest.skip("SQLite: a transaction costs no round trip there, and every request keeps its own")
    # given
    deal = await create_deal(database, owner=people.rep_a)
    await gql(client, "{ me { id } }", token=people.rep_a.token)  # the token is known: no read to admit it

    # when
    with watching_the_wire(database) as by_the_query:
        board = await gql(client, BOARD, token=people.rep_a.token)
    with watching_the_wire(database) as by_the_mutation:
        completed = await gql(client, COMPLETE, {"id": deal_gid(deal)}, token=people.rep_a.token)
    with watching_the_wire(database) as by_the_next_query:
        again = await gql(client, BOARD, token=people.rep_a.token)

    # then
    assert "errors" not in board
    assert len(board["data"]["deals"]["edges"]) == 1
    assert not by_the_query.began()
    assert completed["data"]["completeMilestone"]["__typename"] == "CompleteMilestoneSuccess"
    assert by_the_mutation.began()
    assert not by_the_next_query.began()
    assert [e["node"]["history"] for e in again["data"]["deals"]["edges"]] != [
        e["node"]["history"] for e in board["data"]["deals"]["edges"]
    ]  # the completion is seen: the connection went back to the pool in its usual mode
