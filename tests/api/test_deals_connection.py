"""The deals connection: keyset pages, filters, orderings, the page-size cap."""

from __future__ import annotations

from datetime import date

from tests.api.factories import create_deal, gql

PAGE = """
query($first: Int!, $after: String, $filter: DealFilterInput, $orderBy: DealOrderInput) {
  deals(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { name amount closeDate } }
  }
}
"""


async def test_pages_follow_each_other_without_gaps_or_repeats(client, database, people):
    # given: equal amounts fall back to the id, in the same direction
    for index in range(7):
        amount = "500.00" if index < 4 else "900.00"
        await create_deal(database, owner=people.rep_a, name=f"Deal {index}", amount=amount)

    # when
    names: list[str] = []
    after = None
    while True:
        variables = {"first": 3, "after": after, "orderBy": {"field": "AMOUNT", "direction": "DESC"}}
        body = await gql(client, PAGE, variables, token=people.rep_a.token)
        page = body["data"]["deals"]
        names += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # then
    assert names == ["Deal 6", "Deal 5", "Deal 4", "Deal 3", "Deal 2", "Deal 1", "Deal 0"]
    assert page["totalCount"] == 7


async def test_filters_by_stage_close_date_and_search_text(client, database, people):
    await create_deal(database, owner=people.rep_a, name="Northwind rollout", stage="sal", close_date=date(2026, 3, 1))
    await create_deal(database, owner=people.rep_a, name="Contoso pilot", stage="sal", close_date=date(2026, 6, 1))
    await create_deal(database, owner=people.rep_a, name="Fabrikam 100%", stage="mql", close_date=date(2026, 6, 1))

    by_stage = await gql(
        client,
        PAGE,
        {"first": 10, "filter": {"stages": ["sal"], "closeDateFrom": "2026-05-01"}},
        token=people.rep_a.token,
    )
    by_text = await gql(client, PAGE, {"first": 10, "filter": {"search": "100%"}}, token=people.rep_a.token)
    by_status = await gql(
        client,
        PAGE,
        {"first": 10, "filter": {"statuses": ["WON"], "processKey": "new-business"}},
        token=people.rep_a.token,
    )

    assert [e["node"]["name"] for e in by_stage["data"]["deals"]["edges"]] == ["Contoso pilot"]
    assert [e["node"]["name"] for e in by_text["data"]["deals"]["edges"]] == ["Fabrikam 100%"]
    assert by_status["data"]["deals"]["totalCount"] == 0


async def test_first_is_capped_at_100_and_bad_cursors_are_client_errors(client, database, people):
    for index in range(102):
        await create_deal(database, owner=people.rep_a, name=f"Deal {index}")

    capped = await gql(client, PAGE, {"first": 500}, token=people.rep_a.token)
    bad = await gql(client, PAGE, {"first": 5, "after": "bm90LWEtY3Vyc29y"}, token=people.rep_a.token)

    assert len(capped["data"]["deals"]["edges"]) == 100
    assert capped["data"]["deals"]["pageInfo"]["hasNextPage"] is True
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
