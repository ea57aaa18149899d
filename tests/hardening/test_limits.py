"""Every request limit: just under it the request runs, just over it a clear error names the limit, and the
abusive documents of the issue are refused cheaply, before parsing or before execution, over real HTTP while
`/healthz` keeps answering. Times are asserted with a wide margin (this machine is shared); the real figures
come from `python -m tests.benchmarks.bench_hardening`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from sqlalchemy import event

from api.app import create_app
from api.db import Database
from api.graphql.core import limits as limits_module
from api.graphql.core.cost import CostMemo, operation_cost
from api.graphql.core.list_sizes import list_sizes
from api.graphql.schema import build_schema
from api.process.loader import load_definitions
from api.services.deals import editing
from api.services.deals import queries as deal_queries
from api.settings import RequestLimits
from tests.api.conftest import make_settings
from tests.api.factories import create_deal, deal_gid, snapshot
from tests.api.http_server import serving
from tests.hardening.documents import AMPLIFIER, AMPLIFIER_8_ALIASES, ANONYMOUS_7KB, NESTED_JSON_BODY

SHIPPED = Path(__file__).parents[2] / "process_definitions"
GENEROUS = 1.0
"""Seconds: ten times the 100 ms the refusals are meant to take, so a busy machine does not fail the test."""


@asynccontextmanager
async def client_with(database: Database, **limits: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose request limits differ from the defaults by `limits`."""
    settings = replace(make_settings(), limits=replace(RequestLimits(), **limits))
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://waymark.test") as client:
            yield client


async def post(client: httpx.AsyncClient, query: str, token: str, variables: dict[str, Any] | None = None) -> Any:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code < 500, response.text
    return response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def count_statements(database: Database) -> list[str]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    return statements


# --- the document, before validation ---------------------------------------------------------------


async def test_document_size_just_under_runs_just_over_is_refused(client, people):
    limit = RequestLimits().max_document_bytes
    under = "{ __typename } #" + "x" * (limit - len("{ __typename } #"))
    over = under + "x"

    assert (await post(client, under, people.rep_a.token)) == {"data": {"__typename": "Query"}}
    refused = await post(client, over, people.rep_a.token)
    assert codes(refused) == ["DOCUMENT_TOO_LARGE"]
    assert f"{limit:,}" in refused["errors"][0]["message"]


def _with_tokens(count: int) -> str:
    """A document of exactly `count` lexical tokens: `query Q($v0: Int!, $v1: Int, ...) { __typename }`."""
    variables = (count - 8) // 4
    bangs = count - 7 - 4 * variables
    names = [f"$v{i}: Int" + ("!" if i < bangs else "") for i in range(variables)]
    return f"query Q({', '.join(names)}) {{ __typename }}"


async def test_parser_tokens_just_under_are_read_just_over_are_refused_while_parsing(client, people):
    limit = RequestLimits().max_tokens

    under = await post(client, _with_tokens(limit), people.rep_a.token)
    over = await post(client, _with_tokens(limit + 1), people.rep_a.token)

    assert "DOCUMENT_TOO_LARGE" not in codes(under)  # read, then refused by validation (unused variables)
    assert under["errors"][0]["message"].startswith('Variable "$v0" is never used')
    assert codes(over) == ["DOCUMENT_TOO_LARGE"]
    assert f"more than {limit:,} tokens" in over["errors"][0]["message"]


async def test_one_field_repeated_just_under_runs_just_over_is_refused(client, people):
    limit = RequestLimits().max_repeated_field

    under = await post(client, "{ " + "me { name } " * limit + "}", people.rep_a.token)
    over = await post(client, "{ " + "me { name } " * (limit + 1) + "}", people.rep_a.token)

    assert under == {"data": {"me": {"name": "Alice Rep"}}}
    assert codes(over) == ["DOCUMENT_TOO_COMPLEX"]
    assert over["errors"][0]["message"].startswith(f"`me` is selected more than {limit} times")


async def test_fields_spread_from_fragments_are_counted_where_they_are_spread(database, people):
    # given: a fragment of 5 fields spread under 5 aliases: 5 + 5 × 5 + 5 (the fragment itself) = 35 fields
    fragment = "fragment F on User { id name role team { id } }"
    document = "{ " + " ".join(f"a{i}: me {{ ...F }}" for i in range(5)) + " } " + fragment

    async with client_with(database, max_expanded_fields=35) as under_limit:
        assert codes(await post(under_limit, document, people.rep_a.token)) == []
    async with client_with(database, max_expanded_fields=34) as over_limit:
        refused = await post(over_limit, document, people.rep_a.token)

    assert codes(refused) == ["DOCUMENT_TOO_COMPLEX"]
    assert "more than 34 fields once its fragments are spread" in refused["errors"][0]["message"]


def _nested(depth: int) -> str:
    """Fields nested to `depth` (the root field is depth 0, as the depth limiter counts) through processes,
    stages and milestones."""
    levels = ["processes", "stages", "milestones"] + ["stage", "milestones"] * 10
    return "{ " + " { ".join(levels[:depth]) + " { key" + " }" * depth + " }"


async def test_depth_from_settings_just_under_runs_just_over_is_refused(database, people):
    async with client_with(database, max_depth=5) as client:
        under = await post(client, _nested(5), people.rep_a.token)
        over = await post(client, _nested(6), people.rep_a.token)

    assert "errors" not in under
    assert "exceeds maximum operation depth of 5" in over["errors"][0]["message"]


async def test_aliases_from_settings_just_under_run_just_over_are_refused(database, people):
    async with client_with(database, max_aliases=4) as client:
        under = await post(client, "{ " + " ".join(f"a{i}: __typename" for i in range(4)) + " }", people.rep_a.token)
        over = await post(client, "{ " + " ".join(f"a{i}: __typename" for i in range(5)) + " }", people.rep_a.token)

    assert "errors" not in under
    assert "aliases" in over["errors"][0]["message"]


# --- cost, before execution -----------------------------------------------------------------------------


async def test_cost_just_under_runs_just_over_is_refused_naming_cost_and_limit(database, people):
    # given: the fixture's one process; `processes { key }` costs 1 × (1 + 1) = 2, with `name` 3
    async with client_with(database, max_cost=2) as client:
        under = await post(client, "{ processes { key } }", people.rep_a.token)
        over = await post(client, "{ processes { key name } }", people.rep_a.token)

    assert "errors" not in under
    [error] = over["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 3, "limit": 2}
    assert error["message"].startswith("the query would cost 3 (about how many values its answer may hold)")


@pytest.mark.parametrize("document", [AMPLIFIER, AMPLIFIER_8_ALIASES], ids=["amplifier", "8 aliases"])
async def test_the_amplifiers_are_refused_by_cost_before_any_resolver_runs(shipped_client, database, people, document):
    # given
    statements = count_statements(database)
    started = time.perf_counter()

    # when
    body = await post(shipped_client, document, people.rep_a.token)

    # then: one statement (the token), none for the answer; the cost is in the millions against 100,000
    elapsed = time.perf_counter() - started
    assert codes(body) == ["QUERY_TOO_COSTLY"]
    assert body["errors"][0]["extensions"]["cost"] > 1_000_000
    assert "data" not in body
    assert len(statements) == 1, statements
    assert elapsed < GENEROUS


async def test_a_document_sent_again_is_costed_by_its_new_variables(database, people):
    # given: one document whose page size is a variable; its cost is kept from one request to the next
    document = "query Board($n: Int) { deals(first: $n) { edges { node { id name } } } }"
    async with client_with(database, max_cost=50) as client:
        # when
        small = await post(client, document, people.rep_a.token, {"n": 5})
        large = await post(client, document, people.rep_a.token, {"n": 20})
        larger = await post(client, document, people.rep_a.token, {"n": 30})
        small_again = await post(client, document, people.rep_a.token, {"n": 5})

    # then: each page size gets its own cost, before and after the others
    assert "errors" not in small
    assert "errors" not in small_again
    assert codes(large) == codes(larger) == ["QUERY_TOO_COSTLY"]
    assert 50 < large["errors"][0]["extensions"]["cost"] < larger["errors"][0]["extensions"]["cost"]


def test_a_kept_cost_equals_the_walk_for_every_document_variables_and_process():
    # given: documents whose cost depends on a variable, on introspection arguments, or on nothing
    schema = build_schema(limits=RequestLimits(), introspection=True)._schema
    documents = [
        "query($n: Int) { deals(first: $n) { edges { node { id milestones { completed } } } } }",
        'query($d: Boolean!) { __type(name: "Deal") { fields(includeDeprecated: $d) { name } } }',
        "{ processes { stages { milestones { key plays { play } } } } }",
    ]
    variables = [{}, {"n": 3}, {"n": 100}, {"n": "not a number"}, {"d": True}, {"d": False}, {"n": [1]}]
    memo = CostMemo()
    for sizes in (list_sizes(None), list_sizes(load_definitions(SHIPPED))):
        for text in documents:
            document = parse(text)
            for given in variables * 2:  # the second time from what was kept
                # when
                kept = memo.cost(schema=schema, document=document, operation_name=None, variables=given, sizes=sizes)
                walked = operation_cost(
                    schema=schema, document=document, operation_name=None, variables=given, sizes=sizes
                )
                # then
                assert kept == walked, (text, given)


async def test_a_deals_board_of_100_fits_the_default_cost(shipped_client, people):
    board = """{ deals(first: 100) { totalCount edges { node {
      id name amount stage { key } strength canAdvance owner { name }
      milestones { milestone { key } completed completedBy { name } }
      remainingMilestones { key } blockers { key } plays { milestone { key } play { competitor { key } } }
      history { kind actor { name } toStage { key } } } } } }"""

    body = await post(shipped_client, board, people.manager.token)

    assert "errors" not in body, body


# --- while it runs: the answer's size and the time limit ----------------------------------------------

PLAYBOOK = "{ processes { stages { milestones { key why ask questions activities } } } }"


async def test_an_answer_within_the_size_limit_is_sent_one_over_it_is_one_error_without_data(database, people):
    async with client_with(database) as client:
        size = len((await client.post("/graphql", json={"query": PLAYBOOK}, headers=_auth(people))).content)
    async with client_with(database, max_response_bytes=size * 3) as roomy:
        sent = await post(roomy, PLAYBOOK, people.rep_a.token)
    async with client_with(database, max_response_bytes=size // 2) as tight:
        refused = await post(tight, PLAYBOOK, people.rep_a.token)

    assert "errors" not in sent
    assert refused == {
        "errors": [
            {
                "message": f"the answer would be larger than {size // 2:,} bytes, the most this server sends; "
                "ask for fewer fields or smaller pages (`first`); nothing was changed",
                "extensions": {"code": "RESPONSE_TOO_LARGE", "limit": size // 2},
            }
        ]
    }


def _auth(people: Any) -> dict[str, str]:
    return {"authorization": f"Bearer {people.rep_a.token}"}


async def test_a_request_past_its_time_limit_is_stopped_with_a_clear_error_and_changes_nothing(
    database, people, monkeypatch
):
    # given: reading a deal takes 2 s (a slow disk, say), however it is read (in one statement with what its
    # page needs, or in a transaction); the limit is 0.5 s
    deal = await create_deal(database, owner=people.rep_a, completed=())

    def slow(read):  # noqa: ANN001, ANN202
        async def slow_read(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            await asyncio.sleep(2)
            return await read(*args, **kwargs)

        return slow_read

    for name in ("deals_by_ids", "deal_pages_by_ids"):
        monkeypatch.setattr(deal_queries, name, slow(getattr(deal_queries, name)))
    update = editing.update_deal

    async def write_then_stall(session, **kwargs):  # noqa: ANN001, ANN003, ANN202
        written = await update(session, **kwargs)
        await asyncio.sleep(2)  # written, flushed, not committed
        return written

    monkeypatch.setattr(editing, "update_deal", write_then_stall)
    before = await snapshot(database)
    rename = 'mutation($id: ID!) { updateDeal(input: {dealId: $id, expectedVersion: 1, name: "Late"}) { __typename } }'
    query = "query($id: ID!) { deal(id: $id) { name } }"

    # when
    async with client_with(database, timeout_seconds=0.5) as client:
        known = await client.post("/graphql", json={"query": "{ me { id } }"}, headers=_auth(people))
        assert "errors" not in known.json()  # the token known: a query's reads run outside a transaction
        started = time.perf_counter()
        stopped = await client.post(
            "/graphql", json={"query": query, "variables": {"id": deal_gid(deal)}}, headers=_auth(people)
        )
        elapsed = time.perf_counter() - started
        stopped_write = await client.post(
            "/graphql", json={"query": rename, "variables": {"id": deal_gid(deal)}}, headers=_auth(people)
        )
    async with client_with(database, timeout_seconds=10) as patient:
        answered = await post(patient, query, people.rep_a.token, {"id": deal_gid(deal)})

    # then
    assert stopped.status_code == 503
    assert stopped.json()["errors"][0]["extensions"] == {"code": "REQUEST_TIMED_OUT"}
    assert stopped.json()["errors"][0]["message"].startswith("the request took longer than 0.5 s and was stopped")
    assert 0.5 <= elapsed < 0.5 + GENEROUS
    assert codes(stopped_write.json()) == ["REQUEST_TIMED_OUT"], stopped_write.text
    assert answered == {"data": {"deal": {"name": "Spend platform"}}}
    assert await snapshot(database) == before


# --- the issue's examples over real HTTP, with /healthz beside them -------------------------------------


async def test_anonymous_requests_are_refused_before_their_document_is_parsed(client, monkeypatch):
    parsed: list[str] = []
    parse = limits_module.parse
    monkeypatch.setattr(limits_module, "parse", lambda source, **kw: parsed.append(source) or parse(source, **kw))

    for headers in ({}, {"authorization": "Bearer wmk_forged"}, {"authorization": "Basic YTpi"}):
        response = await client.post("/graphql", json={"query": ANONYMOUS_7KB}, headers=headers)

        assert response.status_code == 401
        assert codes(response.json()) == ["UNAUTHENTICATED"]
    assert parsed == []


async def test_the_issues_examples_are_refused_fast_while_healthz_keeps_answering(shipped_app, people):
    # given: the app on a real server; /healthz polled all along
    async with serving(shipped_app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        health_times: list[float] = []
        stop = asyncio.Event()

        async def poll_health() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                assert (await http.get("/healthz")).status_code == 200
                health_times.append(time.perf_counter() - started)
                await asyncio.sleep(0.01)

        token = {"authorization": f"Bearer {people.rep_a.token}"}
        examples = [
            ("anonymous 7 KB document", {"json": {"query": ANONYMOUS_7KB}}, 401, "UNAUTHENTICATED"),
            ("the amplifier", {"json": {"query": AMPLIFIER}, "headers": token}, 200, "QUERY_TOO_COSTLY"),
            ("8 aliases of it", {"json": {"query": AMPLIFIER_8_ALIASES}, "headers": token}, 200, "QUERY_TOO_COSTLY"),
            ("nested JSON, anonymous", {"content": NESTED_JSON_BODY}, 401, "UNAUTHENTICATED"),
            (
                "nested JSON",
                {"content": NESTED_JSON_BODY, "headers": {**token, "content-type": "application/json"}},
                400,
                "BAD_REQUEST",
            ),
        ]
        poller = asyncio.create_task(poll_health())
        try:
            # when: each example sent ten times over
            for name, request, status, code in examples:
                for _ in range(10):
                    started = time.perf_counter()
                    response = await http.post("/graphql", **request)
                    elapsed = time.perf_counter() - started

                    # then
                    assert (response.status_code, codes(response.json())) == (status, [code]), name
                    assert "Traceback" not in response.text
                    assert elapsed < GENEROUS, (name, elapsed)
        finally:
            stop.set()
            await poller

    assert health_times
    assert max(health_times) < GENEROUS
