"""Who sees and changes which deals: reps their own, managers their team's, enablement reads all."""

from __future__ import annotations

from tests.api.factories import create_deal, deal_gid, gql, snapshot

DEAL = "query($id: ID!) { deal(id: $id) { name owner { name } } }"
NODE = "query($id: ID!) { node(id: $id) { __typename ... on Deal { name } } }"
DEALS_OF = """
query($ownerId: ID!) { deals(first: 10, filter: {ownerId: $ownerId}) { totalCount edges { node { name } } } }
"""
ALL_DEALS = "{ deals(first: 50) { totalCount edges { node { name } } } }"
RENAME = """
mutation($id: ID!, $version: Int!) {
  updateDeal(input: {dealId: $id, expectedVersion: $version, name: "Renamed"}) {
    __typename ... on UpdateDealSuccess { deal { name version } }
  }
}
"""
PROCESSES = "{ processes { key } }"
ME = "{ me { name role team { name } } }"


async def test_rep_cannot_read_another_reps_deal_by_deal_node_or_filter(client, database, people):
    # given
    bobs = await create_deal(database, owner=people.rep_b, name="Bob's deal")

    # when
    by_deal = await gql(client, DEAL, {"id": deal_gid(bobs)}, token=people.rep_a.token)
    by_node = await gql(client, NODE, {"id": deal_gid(bobs)}, token=people.rep_a.token)
    by_filter = await gql(client, DEALS_OF, {"ownerId": people.rep_b.global_id}, token=people.rep_a.token)

    # then
    assert by_deal["data"]["deal"] is None
    assert by_node["data"]["node"] is None
    assert by_filter["data"]["deals"] == {"totalCount": 0, "edges": []}


async def test_rep_cannot_change_another_reps_deal(client, database, people):
    bobs = await create_deal(database, owner=people.rep_b)
    before = await snapshot(database)

    body = await gql(client, RENAME, {"id": deal_gid(bobs), "version": bobs.version}, token=people.rep_a.token)

    assert body["data"]["updateDeal"]["__typename"] == "DealNotFound"
    assert await snapshot(database) == before


async def test_manager_sees_and_changes_the_teams_deals_but_not_other_teams(client, database, people):
    # given
    await create_deal(database, owner=people.rep_a, name="Alice's deal")
    bobs = await create_deal(database, owner=people.rep_b, name="Bob's deal")
    await create_deal(database, owner=people.other_rep, name="West deal")

    # when
    listed = await gql(client, ALL_DEALS, token=people.manager.token)
    renamed = await gql(client, RENAME, {"id": deal_gid(bobs), "version": bobs.version}, token=people.manager.token)

    # then
    assert sorted(e["node"]["name"] for e in listed["data"]["deals"]["edges"]) == ["Alice's deal", "Bob's deal"]
    assert renamed["data"]["updateDeal"]["deal"]["name"] == "Renamed"


async def test_enablement_reads_every_deal_but_changes_none(client, database, people):
    west = await create_deal(database, owner=people.other_rep)

    read = await gql(client, DEAL, {"id": deal_gid(west)}, token=people.enablement.token)
    change = await gql(client, RENAME, {"id": deal_gid(west), "version": west.version}, token=people.enablement.token)

    assert read["data"]["deal"]["owner"]["name"] == "Wes Rep"
    assert change["data"]["updateDeal"]["__typename"] == "PermissionDenied"


async def test_wrong_or_missing_token_is_refused_before_anything_runs(client, database, people):
    # given
    deal = await create_deal(database, owner=people.rep_a)
    before = await snapshot(database)

    for token in (None, "wmk_not-a-real-token"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for query, variables in (
            (ALL_DEALS, {}),
            (DEAL, {"id": deal_gid(deal)}),
            (PROCESSES, {}),
            (ME, {}),
            (RENAME, {"id": deal_gid(deal), "version": deal.version}),
        ):
            # when
            response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)

            # then: 401 with no data at all, `me` included
            assert response.status_code == 401, response.text
            assert response.headers["www-authenticate"].startswith("Bearer")
            body = response.json()
            assert "data" not in body
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await snapshot(database) == before


async def test_me_names_the_tokens_user(client, people):
    body = await gql(client, ME, token=people.manager.token)

    assert body["data"]["me"] == {"name": "Maya Manager", "role": "MANAGER", "team": {"name": "East"}}
