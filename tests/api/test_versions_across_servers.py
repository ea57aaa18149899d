"""Two server processes on one PostgreSQL database, as two machines behind a load balancer: a publish through
one reaches the other through LISTEN/NOTIFY (their periodic check is set far longer than the test waits),
both serve the same version with the same guidebook links, and readers never see a failed request."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.db import Database, upgrade
from tests.api.conftest import FIXTURE_DEFINITIONS, publish_definitions
from tests.api.factories import People, add_people, create_deal, deal_gid
from tests.api.test_subscriptions import listen, stop, until
from tests.prerequisites import POSTGRES_URL, require_postgres

pytestmark = pytest.mark.postgres

SWITCH_BOUND = 15.0
"""Far below the servers' periodic check (120 s), far above what a notification takes (see the benchmarks)."""
PUBLISH = """mutation { publishProcessDefinitions(dryRun: false, note: "Tabstone battlecard") {
  __typename ... on PublishReport { outcome version { number } } } }"""
SERVED = """query($id: ID!) {
  process(key: "new-business") { publishedVersion { number } stages { milestones { key guideUrl } } }
  competitors { key guideUrl }
  deal(id: $id) { milestones { milestone { key } completed } }
}"""
BOARD = "{ deals(first: 20) { edges { node { id name stage { key name } blocked strength } } } }"


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    folder: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
async def database_url() -> AsyncIterator[str]:
    """A database of its own (the servers are processes: they cannot share a test schema's search path)."""
    await require_postgres()
    name = f"waymark_servers_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(scope="module")
async def recorded(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[People, str]:
    """Version 1 published, people, and a deal that completed budget-range."""
    database = Database(url=database_url)
    try:
        await upgrade(database.engine)
        await publish_definitions(database, FIXTURE_DEFINITIONS)
        people = await add_people(database)
        deal = await create_deal(database, owner=people.rep_a, stage="sql", completed=("icp-fit", "budget-range"))
    finally:
        await database.dispose()
    return people, deal_gid(deal)


@pytest.fixture(scope="module")
def servers(database_url: str, recorded: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    started = []
    for name in ("one", "two"):
        home = tmp_path_factory.mktemp(f"server-{name}")
        folder = home / "process_definitions"
        shutil.copytree(FIXTURE_DEFINITIONS, folder)
        port = _free_port()
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "WAYMARK_PROCESS_DIR": str(folder),
            "WAYMARK_BUILD_GUIDE": "true",
            "WAYMARK_GUIDE_BUILDS_DIR": str(home / "guide-builds"),
            "WAYMARK_VERSION_CHECK_SECONDS": "120",
        }
        command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--port", str(port)]
        process = subprocess.Popen(
            command, env=environment, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        started.append(Server(url=f"http://127.0.0.1:{port}", process=process, folder=folder))
    try:
        for server in started:
            _wait_for(lambda s=server: _get(s, "/guide/") == 200, what=f"{server.url} to serve its guidebook")
        yield started
    finally:
        for server in started:
            server.process.terminate()
            server.process.wait(timeout=10)


def _get(server: Server, path: str) -> int | None:
    try:
        return httpx.get(server.url + path, timeout=5).status_code
    except httpx.TransportError:
        return None


def _wait_for(condition: Any, *, what: str, seconds: float = 120) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def _version(server: Server) -> int | None:
    try:
        return int(httpx.get(server.url + "/readyz", timeout=5).json()["processVersion"]["number"])
    except (httpx.TransportError, KeyError, ValueError):
        return None


def _served(server: Server, token: str, deal_id: str) -> dict[str, Any]:
    response = httpx.post(
        server.url + "/graphql", json={"query": SERVED, "variables": {"id": deal_id}}, headers=_auth(token), timeout=10
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _add_tabstone_and_rename_budget_range_and_sal(folder: Path) -> None:
    (folder / "competitors" / "tabstone.yaml").write_text(
        "key: tabstone\nname: Tabstone\nsummary: A cheaper tool for small finance teams.\n"
    )
    process = folder / "processes" / "new-business.yaml"
    process.write_text(
        process.read_text()
        .replace("key: budget-range", "key: budget-known\n        formerly: [budget-range]", 1)
        .replace("  - key: sal\n", "  - key: accepted\n    formerly: [sal]\n", 1)
        .replace(
            "play: Put a number on doing nothing.",
            "play: Put a number on doing nothing.\n"
            "          - competitor: tabstone\n"
            "            play: Show the audit trail.",
            1,
        )
    )


async def _readers(servers: list[Server], token: str, stop: asyncio.Event) -> tuple[int, list[str]]:
    """Reads the board from both servers, four clients each, until `stop`: (requests, failures)."""
    failures: list[str] = []
    done = 0

    async def read(server: Server) -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=server.url, headers=_auth(token), timeout=30) as client:
            while not stop.is_set():
                response = await client.post("/graphql", json={"query": BOARD})
                done += 1
                if response.status_code != 200 or "errors" in response.json():
                    failures.append(f"{server.url}: {response.status_code} {response.text[:300]}")

    await asyncio.gather(*(read(server) for server in servers for _ in range(4)))
    return done, failures


async def test_a_publish_through_one_server_reaches_the_other_and_no_reader_fails(
    servers: list[Server], recorded: tuple[People, str]
) -> None:
    # given: both servers on version 1, readers on both
    people, deal_id = recorded
    one, two = servers
    assert _version(one) == _version(two) == 1
    stop = asyncio.Event()
    readers = asyncio.create_task(_readers(servers, people.rep_a.token, stop))
    await asyncio.sleep(1)

    # when: enablement publishes a new battlecard and a renamed milestone through server one
    _add_tabstone_and_rename_budget_range_and_sal(one.folder)
    async with httpx.AsyncClient(base_url=one.url, timeout=30) as client:
        published = (
            await client.post("/graphql", json={"query": PUBLISH}, headers=_auth(people.enablement.token))
        ).json()
    started = time.monotonic()
    while _version(two) != 2 and time.monotonic() - started < SWITCH_BOUND:
        await asyncio.sleep(0.02)
    switched_after = time.monotonic() - started
    await asyncio.sleep(1)
    stop.set()
    requests, failures = await readers

    # then: both serve version 2 within the bound, and no read failed while they switched
    assert published["data"]["publishProcessDefinitions"]["outcome"] == "PUBLISHED", published
    assert _version(two) == 2, f"server two still on version {_version(two)} after {switched_after:.2f} s"
    assert failures == [], failures[:3]
    assert requests > 20
    on_one, on_two = _served(one, people.rep_a.token, deal_id), _served(two, people.rep_a.token, deal_id)
    assert on_one == on_two
    assert on_two["process"]["publishedVersion"]["number"] == 2
    done = {m["milestone"]["key"] for m in on_two["deal"]["milestones"] if m["completed"]}
    assert done == {"icp-fit", "budget-known"}

    # and every guide link of the new version resolves on both, once each has built it in the background
    links = [c["guideUrl"] for c in on_two["competitors"]]
    links += [m["guideUrl"].partition("#")[0] for m in on_two["process"]["stages"][1]["milestones"]]
    assert "/guide/competitors/tabstone/" in links
    for server in servers:
        _wait_for(lambda s=server: _get(s, "/guide/competitors/tabstone/") == 200, what=f"{server.url} guidebook v2")
        assert all(_get(server, link) == 200 for link in links), server.url
        _the_guidebook_follows_renames_and_lists_the_changes(server)


def _the_guidebook_follows_renames_and_lists_the_changes(server: Server) -> None:
    # The renamed stage's former page sends readers on; the renamed milestone's former anchor is on its page.
    former = httpx.get(server.url + "/guide/new-business/sal/", timeout=5)
    assert former.status_code == 200
    assert 'http-equiv="refresh" content="0; url=../accepted/"' in former.text
    assert _get(server, "/guide/new-business/sal/call-sheet/") == 200
    stage = httpx.get(server.url + "/guide/new-business/sql/", timeout=5).text
    assert 'id="budget-known"' in stage
    assert '<a id="budget-range"></a>' in stage
    # "What changed" lists version 2, its note and the renames.
    changes = httpx.get(server.url + "/guide/changes/", timeout=5)
    assert changes.status_code == 200
    assert "Version 2" in changes.text
    assert "Tabstone battlecard" in changes.text
    assert "new-business/accepted renamed from" in changes.text
    # A missing page is the guidebook's 404, styled from under /guide/.
    missing = httpx.get(server.url + "/guide/no/such/page/", timeout=5)
    assert missing.status_code == 404
    assert 'href="/guide/assets/' in missing.text


async def test_a_change_through_one_server_reaches_the_subscribers_of_the_other(
    servers: list[Server], recorded: tuple[People, str]
) -> None:
    # given: rep A subscribed on server two
    people, deal_id = recorded
    one, two = servers
    listening = await listen(two.url.removeprefix("http://"), people.rep_a)
    # when: rep A completes a milestone through server one
    complete = 'mutation($id: ID!) { completeMilestone(dealId: $id, milestoneKey: "pain-confirmed") { __typename } }'
    async with httpx.AsyncClient(base_url=one.url, timeout=30) as client:
        done = await client.post(
            "/graphql", json={"query": complete, "variables": {"id": deal_id}}, headers=_auth(people.rep_a.token)
        )
    await until(lambda: len(listening.received) >= 1, seconds=15)
    await stop(listening)

    # then
    assert done.json()["data"]["completeMilestone"]["__typename"] == "CompleteMilestoneSuccess"
    change = listening.received[0]["dealChanged"]
    assert change["deal"]["id"] == deal_id
    assert change["event"] == {"kind": "MILESTONE_COMPLETED", "milestoneKey": "pain-confirmed"}
