"""Automatic persisted queries over HTTP, as Apollo Client's persisted-queries link sends them: the hash alone,
then the document with its hash when the server does not know it, then the hash alone again."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from strawberry.http import GraphQLRequestData

from api.graphql.persisted import PersistedQueries, PersistedQueryRefused
from tests.api.factories import create_deal, snapshot

ME = "query Me { me { name role } }"
DEALS = "query Deals($first: Int!) { deals(first: $first) { edges { node { name } } } }"
CREATE = (
    'mutation { createDeal(input: {name: "x", accountName: "y", processKey: "new-business", '
    'amount: "1", currency: "EUR", closeDate: "2026-01-01"}) { __typename } }'
)


def persisted(document: str | None) -> dict[str, Any]:
    assert document is not None
    return {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(document.encode()).hexdigest()}}


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_hash_is_answered_once_its_document_was_sent_with_it(client, database, people):
    # given
    await create_deal(database, owner=people.rep_a, name="Persisted deal")
    by_hash = {"extensions": persisted(DEALS), "variables": {"first": 5}}

    # when: the hash alone, then the document with it, then the hash alone again
    unknown = await client.post("/graphql", json=by_hash, headers=headers(people.rep_a.token))
    sent = await client.post("/graphql", json={"query": DEALS, **by_hash}, headers=headers(people.rep_a.token))
    known = await client.post("/graphql", json=by_hash, headers=headers(people.rep_a.token))

    # then
    assert unknown.status_code == 200
    assert unknown.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    assert sent.json() == known.json() == {"data": {"deals": {"edges": [{"node": {"name": "Persisted deal"}}]}}}


async def test_a_persisted_query_over_get_is_answered_and_a_persisted_mutation_is_refused(client, database, people):
    # given: a query and a mutation, each sent once in full by POST
    for document in (ME, CREATE):
        sent = await client.post(
            "/graphql", json={"query": document, "extensions": persisted(document)}, headers=headers(people.rep_a.token)
        )
        assert "errors" not in sent.json(), sent.json()
    before = await snapshot(database)

    # when: each asked for over GET by its hash alone
    query = await client.get(
        "/graphql", params={"extensions": json.dumps(persisted(ME))}, headers=headers(people.rep_a.token)
    )
    mutation = await client.get(
        "/graphql", params={"extensions": json.dumps(persisted(CREATE))}, headers=headers(people.rep_a.token)
    )

    # then
    assert query.json() == {"data": {"me": {"name": "Alice Rep", "role": "REP"}}}
    assert mutation.status_code == 405
    assert await snapshot(database) == before


async def test_a_hash_that_is_not_the_documents_or_not_a_hash_is_refused_and_nothing_is_kept(client, people):
    # given
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(b"{ __typename }").hexdigest()}}

    # when
    mismatched = await client.post(
        "/graphql", json={"query": ME, "extensions": wrong}, headers=headers(people.rep_a.token)
    )
    by_wrong_hash = await client.post("/graphql", json={"extensions": wrong}, headers=headers(people.rep_a.token))
    not_a_hash = await client.post(
        "/graphql",
        json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}},
        headers=headers(people.rep_a.token),
    )
    version_true = await client.post(
        "/graphql",
        json={"extensions": {"persistedQuery": {**persisted(ME)["persistedQuery"], "version": True}}},
        headers=headers(people.rep_a.token),
    )
    other_version = await client.post(
        "/graphql",
        json={"extensions": {"persistedQuery": {**persisted(ME)["persistedQuery"], "version": 2}}},
        headers=headers(people.rep_a.token),
    )

    # then
    assert mismatched.status_code == 400
    assert mismatched.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "not the SHA-256 of the query" in mismatched.json()["errors"][0]["message"]
    assert by_wrong_hash.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert not_a_hash.status_code == 400
    assert "64 hexadecimal digits" in not_a_hash.json()["errors"][0]["message"]
    assert version_true.status_code == 400
    assert other_version.status_code == 400
    assert other_version.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"


async def test_an_unknown_hash_is_a_request_error_under_graphql_response_json(client, people):
    # when: the hash of a document this server has not been sent
    response = await client.post(
        "/graphql",
        json={"extensions": persisted("query NeverSent { me { id } }")},
        headers={**headers(people.rep_a.token), "Accept": "application/graphql-response+json"},
    )

    # then
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_persisted_query_needs_a_valid_token_like_any_other(client, people):
    # given: the document known to the server
    await client.post("/graphql", json={"query": ME, "extensions": persisted(ME)}, headers=headers(people.rep_a.token))

    # when
    response = await client.post("/graphql", json={"extensions": persisted(ME)}, headers=headers("not-a-token"))

    # then
    assert response.status_code == 401


def test_the_documents_kept_stay_within_their_count_and_size_least_recently_used_first_out():
    # given: room for three documents of ~40 bytes, or 100 bytes
    kept = PersistedQueries(max_documents=3, max_bytes=100)
    documents = [f"query Q{n} {{ me {{ name role id }} }}" for n in range(5)]

    # when: four sent, the first asked for again before the fourth, then one larger than all the room
    for document in documents[:3]:
        kept.resolve(_request(document))
    kept.resolve(_request(None, documents[0]))
    kept.resolve(_request(documents[3]))
    kept.resolve(_request("{ me { name } }" + " " * 200))

    # then: the second went first (the first was used since); the large one was answered but not kept
    assert kept.resolve(_request(None, documents[0])).query == documents[0]
    assert kept.resolve(_request(None, documents[3])).query == documents[3]
    for forgotten in (documents[1], "{ me { name } }" + " " * 200):
        with pytest.raises(PersistedQueryRefused):
            kept.resolve(_request(None, forgotten))


def _request(query: str | None, hashed: str | None = None) -> GraphQLRequestData:
    return GraphQLRequestData(query=query, variables=None, operation_name=None, extensions=persisted(hashed or query))
