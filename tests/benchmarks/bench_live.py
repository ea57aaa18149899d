"""How fast changes reach every server: a published process version reaching a second server, and a deal change
reaching a subscriber of the other server, with two uvicorn processes on one PostgreSQL database (or, with
`--database sqlite`, one server and its periodic check). The floor is the HTTP round trip of `/readyz` itself,
measured in the same run: the time to notice cannot be shorter than the time to ask.

Run: `python -m tests.benchmarks.bench_live [--database postgresql|sqlite] [--publishes N] [--changes N]`
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.db import Database, upgrade
from tests.api.conftest import FIXTURE_DEFINITIONS, publish_definitions
from tests.api.factories import People, add_people, create_deal, deal_gid
from tests.api.test_subscriptions import listen, stop
from tests.prerequisites import POSTGRES_URL

PUBLISH = "mutation($note: String) { publishProcessDefinitions(dryRun: false, note: $note) { __typename } }"
COMPLETE = "mutation($id: ID!, $key: String!) { %s(dealId: $id, milestoneKey: $key) { __typename } }"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(home: Path, url: str, check_seconds: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    folder = home / "process_definitions"
    shutil.copytree(FIXTURE_DEFINITIONS, folder)
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "WAYMARK_PROCESS_DIR": str(folder),
        "WAYMARK_BUILD_GUIDE": "false",
        "WAYMARK_VERSION_CHECK_SECONDS": check_seconds,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--port", str(port)]
    process = subprocess.Popen(command, env=environment, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}", folder


async def _ready(client: httpx.AsyncClient) -> int:
    while True:
        try:
            return int((await client.get("/readyz")).json()["processVersion"]["number"])
        except (httpx.TransportError, KeyError, ValueError):
            await asyncio.sleep(0.1)


async def _measure(url: str, *, servers: int, publishes: int, changes: int, check_seconds: str) -> None:
    database = Database(url=url)
    await upgrade(database.engine)
    await publish_definitions(database, FIXTURE_DEFINITIONS)
    people: People = await add_people(database)
    deal = await create_deal(database, owner=people.rep_a, stage="mql")
    await database.dispose()
    with tempfile.TemporaryDirectory() as home:
        started = [_start(Path(home) / f"server-{n}", url, check_seconds) for n in range(servers)]
        try:
            clients = [httpx.AsyncClient(base_url=base, timeout=30) for _, base, _ in started]
            for client in clients:
                await _ready(client)
            floor = await _round_trips(clients[-1])
            switch = await _switches(clients, started[0][2], people, publishes, url=url)
            delivery = await _deliveries(clients, people, deal_gid(deal), changes)
            for client in clients:
                await client.aclose()
        finally:
            for process, _, _ in started:
                process.terminate()
                process.wait(timeout=10)
    print(f"floor: /readyz round trip, median {statistics.median(floor) * 1000:.1f} ms")
    by = "through server 1" if servers > 1 else "by another process"
    _report(f"a publish {by}, until server {servers} serves it", switch, floor)
    _report(f"a change through server 1, until a subscriber of server {servers} has it", delivery, floor)


async def _round_trips(client: httpx.AsyncClient) -> list[float]:
    samples = []
    for _ in range(30):
        started = time.perf_counter()
        await client.get("/readyz")
        samples.append(time.perf_counter() - started)
    return samples


async def _switches(
    clients: list[httpx.AsyncClient], folder: Path, people: People, publishes: int, *, url: str
) -> list[float]:
    """From the moment a publish has committed to the moment the last server answers with it. With two servers
    the publish goes through the first (and reaches the second by notification); with one, it is made by
    this process, as `waymark process publish` would, and reaches the server by its periodic check."""
    samples = []
    process = folder / "processes" / "new-business.yaml"
    original = process.read_text()
    for n in range(publishes):
        objective = f"objective: There is a pain worth solving ({n})."
        process.write_text(original.replace("objective: There is a pain worth solving.", objective))
        if len(clients) > 1:
            headers = {"Authorization": f"Bearer {people.enablement.token}"}
            await clients[0].post(
                "/graphql", json={"query": PUBLISH, "variables": {"note": f"bench {n}"}}, headers=headers
            )
        else:
            database = Database(url=url)
            await publish_definitions(database, folder)
            await database.dispose()
        target = n + 2
        started = time.perf_counter()
        while await _ready(clients[-1]) != target:
            pass
        samples.append(time.perf_counter() - started)
    return samples


async def _deliveries(clients: list[httpx.AsyncClient], people: People, deal_id: str, changes: int) -> list[float]:
    listening = await listen(str(clients[-1].base_url).removeprefix("http://").rstrip("/"), people.rep_a)
    samples = []
    headers = {"Authorization": f"Bearer {people.rep_a.token}"}
    for n in range(changes):
        mutation = COMPLETE % ("completeMilestone" if n % 2 == 0 else "reopenMilestone")
        seen = len(listening.received)
        started = time.perf_counter()
        await clients[0].post(
            "/graphql", json={"query": mutation, "variables": {"id": deal_id, "key": "intro-call"}}, headers=headers
        )
        while len(listening.received) == seen:
            await asyncio.sleep(0.001)
        samples.append(listening.at[-1] - started)
    await stop(listening)
    return samples


def _report(what: str, samples: list[float], floor: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    median = statistics.median(samples)
    print(
        f"{what}: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms "
        f"over {len(samples)}; {median / statistics.median(floor):.1f}x the floor"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--publishes", type=int, default=10)
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            await _measure(url, servers=1, publishes=args.publishes, changes=args.changes, check_seconds="1")
        return
    name = f"waymark_bench_live_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
        await _measure(url, servers=2, publishes=args.publishes, changes=args.changes, check_seconds="120")
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
