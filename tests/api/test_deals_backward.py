"""Paging the deals backward (`last`, `before`) with the guarantees of paging forward: the same deals in the same
order, ties broken by id, nothing repeated or hidden when deals change meanwhile; and `first` may be null."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.api.factories import create_deal, gql

PAGE = """
query Deals($first: Int, $after: String, $last: Int, $before: String, $orderBy: DealOrderInput) {
  deals(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name } }
  }
}
"""
RENAME = """
mutation Rename($id: ID!, $version: Int!, $name: String!) {
  updateDeal(input: {dealId: $id, expectedVersion: $version, name: $name}) { __typename }
}
"""
ORDERINGS = [
    {"field": "CLOSE_DATE", "direction": "ASC"},
    {"field": "AMOUNT", "direction": "DESC"},
    {"field": "UPDATED_AT", "direction": "ASC"},
]


async def seven_deals_with_ties(database, owner) -> None:
    for index in range(7):
        await create_deal(
            database,
            owner=owner,
            name=f"Deal {index}",
            amount="500.00" if index < 4 else "900.00",
            close_date=date(2026, 6, 1) if index % 2 else date(2026, 3, 1),
        )


async def page(client, token: str, **variables: Any) -> dict[str, Any]:
    body = await gql(client, PAGE, variables, token=token)
    assert "errors" not in body, body
    deals: dict[str, Any] = body["data"]["deals"]
    return deals


def names(found: dict[str, Any]) -> list[str]:
    return [e["node"]["name"] for e in found["edges"]]


async def walk_forward(client, token: str, order: dict[str, str], size: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        found = await page(client, token, first=size, after=after, orderBy=order)
        seen += names(found)
        if not found["pageInfo"]["hasNextPage"]:
            return seen
        after = found["pageInfo"]["endCursor"]


async def walk_backward(client, token: str, order: dict[str, str], size: int) -> list[str]:
    seen: list[str] = []
    before = None
    while True:
        found = await page(client, token, last=size, before=before, orderBy=order)
        seen = names(found) + seen
        assert found["pageInfo"]["hasNextPage"] is (before is not None)
        if not found["pageInfo"]["hasPreviousPage"]:
            return seen
        before = found["pageInfo"]["startCursor"]


@pytest.mark.parametrize("order", ORDERINGS, ids=lambda o: f"{o['field']}-{o['direction']}")
async def test_paging_backward_gives_the_same_deals_in_the_same_order_as_forward(client, database, people, order):
    # given: equal amounts and equal close dates, broken by id
    await seven_deals_with_ties(database, people.rep_a)
    token = people.rep_a.token

    # when
    forward = await walk_forward(client, token, order, size=3)
    backward = await walk_backward(client, token, order, size=3)

    # then
    assert len(forward) == 7
    assert backward == forward


async def test_the_page_before_a_forward_pages_start_is_the_page_it_came_after(client, database, people):
    await seven_deals_with_ties(database, people.rep_a)
    token = people.rep_a.token
    first_page = await page(client, token, first=3)
    second_page = await page(client, token, first=3, after=first_page["pageInfo"]["endCursor"])

    back = await page(client, token, last=3, before=second_page["pageInfo"]["startCursor"])

    assert names(back) == names(first_page)
    assert (back["pageInfo"]["hasPreviousPage"], back["pageInfo"]["hasNextPage"]) == (False, True)
    assert back["totalCount"] == 7


async def test_last_between_two_cursors_is_the_end_of_that_window(client, database, people):
    await seven_deals_with_ties(database, people.rep_a)
    token = people.rep_a.token
    every = await page(client, token, first=7)
    cursors = [e["cursor"] for e in every["edges"]]

    window = await page(client, token, last=2, after=cursors[0], before=cursors[5])

    assert names(window) == names(every)[3:5]
    assert window["pageInfo"]["hasPreviousPage"] is True


async def test_deals_changed_while_paging_backward_neither_repeat_nor_hide_others(client, database, people):
    # given: the newest page, by last update
    order = {"field": "UPDATED_AT", "direction": "ASC"}
    await seven_deals_with_ties(database, people.rep_a)
    token = people.rep_a.token
    every = names(await page(client, token, first=7, orderBy=order))
    newest = await page(client, token, last=3, orderBy=order)

    # when: the oldest deal, not read yet, changes (so it moves behind the pages read), and a deal is added
    oldest = await _deal_named(client, token, every[0])
    variables = {"id": oldest["id"], "version": oldest["version"], "name": "Renamed meanwhile"}
    renamed = await gql(client, RENAME, variables, token=token)
    await create_deal(database, owner=people.rep_a, name="Added meanwhile")
    seen = await walk_backward_from(client, token, order, newest["pageInfo"]["startCursor"]) + names(newest)

    # then: every other deal exactly once, in order
    assert renamed["data"]["updateDeal"]["__typename"] == "UpdateDealSuccess", renamed
    assert seen == every[1:]


async def test_first_null_or_left_out_is_a_page_of_twenty(client, database, people):
    for index in range(22):
        await create_deal(database, owner=people.rep_a, name=f"Deal {index:02}")

    left_out = await gql(client, "query Deals { deals { edges { cursor } } }", token=people.rep_a.token)
    null = await gql(client, "query Deals { deals(first: null) { edges { cursor } } }", token=people.rep_a.token)
    as_variable = await page(client, people.rep_a.token, first=None)

    assert len(left_out["data"]["deals"]["edges"]) == 20
    assert null["data"] == left_out["data"]
    assert [e["cursor"] for e in as_variable["edges"]] == [e["cursor"] for e in left_out["data"]["deals"]["edges"]]


async def test_last_is_capped_at_100_like_first(client, database, people):
    for index in range(102):
        await create_deal(database, owner=people.rep_a, name=f"Deal {index:03}")

    capped = await page(client, people.rep_a.token, last=500)

    assert len(capped["edges"]) == 100
    assert names(capped)[-1] == "Deal 101"
    assert capped["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"first": 2, "last": 2},
            "first, last: give one of them (first to page forward, last to page backward), not both",
        ),
        ({"last": -1}, "last: must not be negative (got -1)"),
        ({"last": 2, "before": ""}, "before: '' is not a cursor from this list; leave `before` out for the first page"),
        ({"last": 2, "before": "bm90LWEtY3Vyc29y"}, "before: 'bm90LWEtY3Vyc29y' is not a cursor from this list"),
    ],
)
async def test_paging_arguments_that_cannot_be_met_are_client_errors(client, people, variables, message):
    body = await gql(client, PAGE, variables, token=people.rep_a.token)

    [error] = body["errors"]
    assert (error["message"], error["extensions"]["code"]) == (message, "BAD_USER_INPUT")


async def test_a_cursor_from_another_ordering_is_refused_for_before_too(client, database, people):
    await seven_deals_with_ties(database, people.rep_a)
    by_amount = await page(client, people.rep_a.token, first=2, orderBy={"field": "AMOUNT", "direction": "DESC"})
    cursor = by_amount["pageInfo"]["startCursor"]

    body = await gql(client, PAGE, {"last": 2, "before": cursor}, token=people.rep_a.token)

    assert body["errors"][0]["message"] == (
        f"before: {cursor!r} was handed out for another ordering; start again without `before`"
    )


async def walk_backward_from(client, token: str, order: dict[str, str], before: str) -> list[str]:
    seen: list[str] = []
    while True:
        found = await page(client, token, last=2, before=before, orderBy=order)
        seen = names(found) + seen
        if not found["pageInfo"]["hasPreviousPage"]:
            return seen
        before = found["pageInfo"]["startCursor"]


async def _deal_named(client, token: str, name: str) -> dict[str, Any]:
    body = await gql(client, "query Deals { deals(first: 100) { edges { node { id name version } } } }", token=token)
    found: dict[str, Any] = next(e["node"] for e in body["data"]["deals"]["edges"] if e["node"]["name"] == name)
    return found
