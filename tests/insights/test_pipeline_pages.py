"""Blocked and stale deals as cursor connections: the same deals, in the same order, as the lists they replace,
a page at a time; a deal that leaves the list between two pages does not shift the next page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from api.db import Database
from api.db.models import Deal
from tests.api.factories import People, create_deal, deal_gid, gql

LISTS = """
query Lists { pipeline { blocked(first: 500) { deal { id } } stale(first: 500) { deal { id } } } }
"""
PAGE = """
query Page($first: Int, $after: String) {
  pipeline {
    FIELD(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { deal { id } } }
    }
  }
}
"""
COMPLETE = """
mutation Complete($id: ID!) {
  completeMilestone(dealId: $id, milestoneKey: "finance-sign-off") { __typename }
}
"""


async def blocked_and_stale_deals(database: Database, people: People, count: int) -> list[Deal]:
    """Deals in sal without finance sign-off (blocked), in their stage 20 to 20 + count days (stale after 15)."""
    deals = []
    for index in range(count):
        deal = await create_deal(
            database,
            owner=people.rep_a,
            stage="sal",
            name=f"Deal {index}",
            completed=("icp-fit", "pain-confirmed", "decision-maker-agrees"),
        )
        async with database.transaction() as session:
            entered = datetime.now(UTC) - timedelta(days=20 + index % 3, hours=index)
            await session.execute(update(Deal).where(Deal.id == deal.id).values(stage_entered_at=entered))
        deals.append(deal)
    return deals


async def walk(client, token: str, field: str, first: int) -> tuple[list[str], list[dict[str, Any]]]:
    ids: list[str] = []
    pages = []
    after = None
    while True:
        body = await gql(client, PAGE.replace("FIELD", field), {"first": first, "after": after}, token=token)
        assert "errors" not in body, body
        found = body["data"]["pipeline"][field]
        pages.append(found)
        ids += [e["node"]["deal"]["id"] for e in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            return ids, pages
        after = found["pageInfo"]["endCursor"]


@pytest.mark.parametrize(("field", "listed"), [("blockedDeals", "blocked"), ("staleDeals", "stale")])
async def test_pages_hold_the_deals_of_the_list_in_its_order(client, database, people, field, listed):
    # given
    await blocked_and_stale_deals(database, people, count=7)
    token = people.manager.token
    lists = await gql(client, LISTS, token=token)

    # when
    ids, pages = await walk(client, token, field, first=3)

    # then
    expected = [entry["deal"]["id"] for entry in lists["data"]["pipeline"][listed]]
    assert len(expected) == 7
    assert ids == expected
    assert [len(p["edges"]) for p in pages] == [3, 3, 1]
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]
    assert {p["totalCount"] for p in pages} == {7}


async def test_a_deal_unblocked_between_pages_does_not_shift_the_next_page(client, database, people):
    # given: the first page of blocked deals
    deals = await blocked_and_stale_deals(database, people, count=6)
    token = people.manager.token
    blocked_page = PAGE.replace("FIELD", "blockedDeals")
    first_page = (await gql(client, blocked_page, {"first": 3}, token=token))["data"]["pipeline"]["blockedDeals"]
    seen = [e["node"]["deal"]["id"] for e in first_page["edges"]]

    # when: a deal already read gets its finance sign-off (so it is no longer blocked), then the next page
    unblocked = await gql(client, COMPLETE, {"id": seen[0]}, token=token)
    after = first_page["pageInfo"]["endCursor"]
    second_page = (await gql(client, blocked_page, {"first": 3, "after": after}, token=token))["data"]["pipeline"]

    # then: the deals after the first page, none skipped
    every = {deal_gid(d) for d in deals}
    rest = [e["node"]["deal"]["id"] for e in second_page["blockedDeals"]["edges"]]
    assert unblocked["data"]["completeMilestone"]["__typename"] == "CompleteMilestoneSuccess"
    assert set(rest) == every - set(seen)
    assert second_page["blockedDeals"]["totalCount"] == 5


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": -1}, "first: must not be negative (got -1)"),
        ({"after": "bm90LWEtY3Vyc29y"}, "after: 'bm90LWEtY3Vyc29y' is not a cursor from this list"),
        ({"after": "WyJzdGFsZSIsIDEuMCwgIjEiXQ=="}, "after: 'WyJzdGFsZSIsIDEuMCwgIjEiXQ==' is not a cursor"),
    ],
)
async def test_bad_page_arguments_are_client_errors(client, people, variables, message):
    body = await gql(client, PAGE.replace("FIELD", "blockedDeals"), variables, token=people.manager.token)

    [error] = body["errors"]
    assert error["message"].startswith(message)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_first_left_out_or_null_is_fifty(client, database, people):
    await blocked_and_stale_deals(database, people, count=52)
    query = "query Page($first: Int) { pipeline { blockedDeals(first: $first) { edges { cursor } } } }"

    left_out = await gql(client, query, token=people.manager.token)
    null = await gql(client, query, {"first": None}, token=people.manager.token)

    assert len(left_out["data"]["pipeline"]["blockedDeals"]["edges"]) == 50
    assert null["data"] == left_out["data"]
