"""HTTP behaviour: health, readiness, GraphQL-over-HTTP conventions, GraphiQL, masked errors."""

from __future__ import annotations

import json

from api.graphql.deals.types import DealType
from tests.api.factories import create_deal, deal_gid, snapshot

CREATE = (
    'mutation { createDeal(input: {name: "x", accountName: "y", processKey: "new-business", '
    'amount: "1", currency: "EUR", closeDate: "2026-01-01"}) { __typename } }'
)


async def test_healthz_and_readyz_answer_when_up(client):
    health = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "processDefinitions": True}


async def test_mutation_over_get_is_refused_with_405(client, database, people):
    before = await snapshot(database)

    response = await client.get(
        "/graphql", params={"query": CREATE}, headers={"Authorization": f"Bearer {people.rep_a.token}"}
    )

    assert response.status_code == 405
    assert await snapshot(database) == before


async def test_query_over_get_works(client, people):
    response = await client.get(
        "/graphql", params={"query": "{ me { name } }"}, headers={"Authorization": f"Bearer {people.rep_a.token}"}
    )

    assert response.json() == {"data": {"me": {"name": "Alice Rep"}}}


async def test_malformed_json_is_400(client, people):
    headers = {"content-type": "application/json", "authorization": f"Bearer {people.rep_a.token}"}

    response = await client.post("/graphql", content=b'{"query": ', headers=headers)

    assert response.status_code == 400


async def test_graphql_response_json_is_honoured(client, people):
    headers = {"accept": "application/graphql-response+json", "authorization": f"Bearer {people.rep_a.token}"}

    ok = await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
    invalid = await client.post("/graphql", json={"query": "{ noSuchField }"}, headers=headers)

    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    assert ok.json() == {"data": {"__typename": "Query"}}
    assert invalid.status_code == 400
    assert invalid.headers["content-type"].startswith("application/graphql-response+json")


async def test_graphiql_is_served_to_browsers(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_unexpected_error_is_logged_and_masked(client, database, people, monkeypatch, caplog):
    # given: a bug inside a resolver
    deal = await create_deal(database, owner=people.rep_a)

    def broken(self, info):  # noqa: ANN001
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(DealType, "_process", broken)

    # when
    response = await client.post(
        "/graphql",
        json={"query": "query($id: ID!) { deal(id: $id) { stage { key } } }", "variables": {"id": deal_gid(deal)}},
        headers={"Authorization": f"Bearer {people.rep_a.token}"},
    )

    # then
    assert response.status_code == 200
    assert "hunter2" not in response.text
    assert response.json()["errors"][0]["message"] == "Unexpected error."
    assert "hunter2" in caplog.text


async def test_depth_limit_refuses_absurdly_nested_queries(client, people):
    nested = "stage { " * 4
    query = (
        "{ processes { stages { milestones { "
        + nested
        + "milestones { "
        + nested
        + "milestones { stage { key } } "
        + "} " * 4
        + "} "
        + "} " * 4
        + "} } } }"
    )

    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {people.rep_a.token}"}
    )

    assert "exceeds maximum operation depth" in json.dumps(response.json())
