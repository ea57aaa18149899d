"""Fifty clients at once, reading and writing over real HTTP, on SQLite and on PostgreSQL: not one request
fails (SQLite's writers wait their turn instead of failing with "database is locked"), and the events in the
database are exactly the changes that were answered as made.

CI runs a short form (`WAYMARK_LOAD_SECONDS`, default 3 s); the full form is
`WAYMARK_LOAD_SECONDS=60 pytest tests/hardening/test_load.py` (see tests/benchmarks/README.md)."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import func, select

from api.db import Database
from api.db.models import DealEvent
from tests.api.factories import create_deal, deal_gid
from tests.api.http_server import serving

CLIENTS = 50
SECONDS = float(os.environ.get("WAYMARK_LOAD_SECONDS", "3"))
READ = "query($id: ID!) { deal(id: $id) { name version remainingMilestones { key } owner { name } } }"
BOARD = "{ deals(first: 20) { totalCount edges { node { name stage { key } strength } } } }"
RENAME = """mutation($id: ID!, $version: Int!, $name: String!) {
  updateDeal(input: {dealId: $id, expectedVersion: $version, name: $name}) { __typename } }"""
CREATE = """mutation($name: String!) { createDeal(input: {name: $name, accountName: "Load", processKey: "new-business",
  amount: "10.00", currency: "EUR", closeDate: "2026-12-31"}) { __typename } }"""


async def _client(
    http: httpx.AsyncClient, number: int, deals: list[str], tokens: list[str], tally: Counter[str]
) -> None:
    rng = random.Random(number)
    headers = {"authorization": f"Bearer {tokens[number % len(tokens)]}"}
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        deal = rng.choice(deals)
        roll = rng.random()
        if roll < 0.45:
            body = await _ask(http, headers, READ, {"id": deal}, tally)
        elif roll < 0.6:
            body = await _ask(http, headers, BOARD, {}, tally)
        elif roll < 0.9:
            seen = await _ask(http, headers, READ, {"id": deal}, tally)
            version = seen["data"]["deal"]["version"] if seen else 1
            name = f"c{number}-{tally['requests']}"  # never the name it has: every success is a change
            body = await _ask(http, headers, RENAME, {"id": deal, "version": version, "name": name}, tally)
            if body:
                tally[body["data"]["updateDeal"]["__typename"]] += 1
        else:
            body = await _ask(http, headers, CREATE, {"name": f"Load {number}"}, tally)
            if body:
                tally[body["data"]["createDeal"]["__typename"]] += 1


async def _ask(
    http: httpx.AsyncClient, headers: dict[str, str], query: str, variables: dict[str, Any], tally: Counter[str]
) -> dict[str, Any] | None:
    tally["requests"] += 1
    try:
        response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    except httpx.HTTPError as error:
        tally[f"failed: {type(error).__name__}"] += 1
        return None
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or "errors" in body:
        tally[f"failed: {response.status_code} {str(body.get('errors'))[:120]}"] += 1
        return None
    return body


async def _events(database: Database, kind: str) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).where(DealEvent.kind == kind)) or 0)


async def test_fifty_clients_reading_and_writing_see_no_failed_request(app, database, people):
    # given: a few shared deals, so writers contend for the same rows
    deals = [deal_gid(await create_deal(database, owner=people.rep_a, completed=())) for _ in range(8)]
    tokens = [people.rep_a.token, people.manager.token, people.admin.token]
    created_before, updated_before = await _events(database, "created"), await _events(database, "updated")
    tally: Counter[str] = Counter()

    # when
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with serving(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        await asyncio.gather(*(_client(http, n, deals, tokens, tally) for n in range(CLIENTS)))

    # then
    failures = {k: v for k, v in tally.items() if k.startswith("failed")}
    assert failures == {}, failures
    assert tally["requests"] >= CLIENTS
    assert tally["UpdateDealSuccess"] > 0
    assert await _events(database, "updated") - updated_before == tally["UpdateDealSuccess"]
    assert await _events(database, "created") - created_before == tally["CreateDealSuccess"]
    print(f"\n{database.engine.dialect.name}: {dict(tally)}")
