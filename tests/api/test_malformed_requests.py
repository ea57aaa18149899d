"""Malformed requests: each is refused with a 4xx and a GraphQL error body, never a 500 or a traceback.

With `Accept: application/graphql-response+json` every refusal is a 4xx. With plain `application/json` the
GraphQL-over-HTTP spec asks for 200 on a well-formed request whose *document* is invalid (too deep, too many
aliases), so those two answer 200 there, still with errors and no `data`.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.graphql.view import MAX_QUERY_STRING_BYTES, MAX_REQUEST_BYTES

JSON = {"content-type": "application/json"}
TOO_DEEP = "{ processes { " + "stages { milestones { stage { " * 6 + "key" + " } } }" * 6 + " } }"
TOO_MANY_ALIASES = "{ " + " ".join(f"a{i}: __typename" for i in range(100)) + " }"

MALFORMED: dict[str, dict[str, Any]] = {
    "not JSON": {"content": b'{"query": ', "headers": JSON},
    "not UTF-8": {"content": b'{"query": "\xff"}', "headers": JSON},
    "a JSON array (batch)": {"json": [{"query": "{ __typename }"}]},
    "JSON null": {"content": b"null", "headers": JSON},
    "a JSON string": {"content": b'"{ __typename }"', "headers": JSON},
    "no query": {"json": {"variables": {}}},
    "query is a number": {"json": {"query": 42}},
    "query is an object": {"json": {"query": {"text": "{ __typename }"}}},
    "variables is a list": {"json": {"query": "{ __typename }", "variables": [1, 2]}},
    "variables is a string": {"json": {"query": "{ __typename }", "variables": "{}"}},
    "query above the size limit": {"json": {"query": "{ __typename }" + " " * MAX_REQUEST_BYTES}},
    "deeply nested query": {"json": {"query": TOO_DEEP}, "document_error": True},
    "too many aliases": {"json": {"query": TOO_MANY_ALIASES}, "document_error": True},
    "unknown operationName": {"json": {"query": "query A { __typename }", "operationName": "B"}},
    "text/plain body": {"content": b'{"query": "{ __typename }"}', "headers": {"content-type": "text/plain"}},
    "form body": {
        "content": b"query=%7B__typename%7D",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    },
}


@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json"])
@pytest.mark.parametrize("case", MALFORMED)
async def test_malformed_request_is_refused_with_a_graphql_error(client, people, case, accept):
    # given
    request = dict(MALFORMED[case])
    document_error = request.pop("document_error", False)
    headers = {"accept": accept, "authorization": f"Bearer {people.rep_a.token}", **request.pop("headers", {})}

    # when
    response = await client.post("/graphql", headers=headers, **request)

    # then
    if document_error and accept == "application/json":
        assert response.status_code == 200
    else:
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(accept)
    body = response.json()
    assert "data" not in body
    assert body["errors"]
    assert all(isinstance(error["message"], str) and error["message"] for error in body["errors"])
    assert "Traceback" not in response.text
    assert 'File "' not in response.text


async def test_query_string_above_the_size_limit_is_refused(client, people):
    response = await client.get(
        "/graphql",
        params={"query": "{ __typename " + " " * MAX_QUERY_STRING_BYTES + "}"},
        headers={"authorization": f"Bearer {people.rep_a.token}"},
    )

    assert response.status_code == 414
    assert response.json()["errors"][0]["message"].startswith("the query string is longer than")


async def test_a_body_larger_than_its_declared_length_is_refused_while_read(client, people):
    # given: a streamed body (no Content-Length) that grows past the limit
    async def chunks():  # noqa: ANN202
        yield b'{"query": "{ __typename '
        for _ in range(MAX_REQUEST_BYTES // 1000 + 1):
            yield b" " * 1000
        yield b'}"}'

    # when
    headers = {**JSON, "authorization": f"Bearer {people.rep_a.token}"}
    response = await client.post("/graphql", content=chunks(), headers=headers)

    # then
    assert response.status_code == 413
    assert "larger than" in response.json()["errors"][0]["message"]


async def test_a_field_error_reaching_the_root_keeps_data_null_and_status_200(client, people):
    # given: a bad argument, so the non-null root field fails during execution (not a request error)
    headers = {"accept": "application/graphql-response+json", "authorization": f"Bearer {people.rep_a.token}"}
    response = await client.post("/graphql", json={"query": "{ deals(first: -1) { totalCount } }"}, headers=headers)

    assert response.status_code == 200
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


TWO_OPERATIONS = "query Board { me { name } } mutation Reload { reloadProcessDefinitions { __typename } }"


@pytest.mark.parametrize(("accept", "status"), [("application/graphql-response+json", 400), ("application/json", 200)])
async def test_two_operations_without_an_operation_name_are_refused_and_none_runs(client, people, accept, status):
    # given
    headers = {"accept": accept, "authorization": f"Bearer {people.enablement.token}"}

    # when
    response = await client.post("/graphql", headers=headers, json={"query": TWO_OPERATIONS})

    # then: a request error (no `data`: nothing ran), 200 only where the GraphQL-over-HTTP spec asks for it
    assert response.status_code == status
    assert response.headers["content-type"].startswith(accept)
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"].startswith("must provide operation name")


async def test_two_operations_with_an_operation_name_run_the_named_one(client, people):
    headers = {"authorization": f"Bearer {people.enablement.token}"}

    response = await client.post("/graphql", headers=headers, json={"query": TWO_OPERATIONS, "operationName": "Board"})

    assert response.json() == {"data": {"me": {"name": "Elena Enablement"}}}
