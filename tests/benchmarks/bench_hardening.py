"""Refusing abusive requests: how long each of the hardening issue's examples takes to be refused over real
HTTP, how long `/healthz` takes while four clients send them without pause, and the worst parse + validation
time of a document at the limits. Run: python -m tests.benchmarks.bench_hardening [SECONDS]"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from graphql import validate

from api.app import create_app
from api.db import Database, upgrade
from api.db.models import Role
from api.graphql.core.limits import parse_within_limits
from api.graphql.schema import schema
from api.services.accounts.tokens import add_user
from api.settings import RequestLimits, Settings
from tests.api.http_server import serving
from tests.hardening.documents import AMPLIFIER, AMPLIFIER_8_ALIASES, ANONYMOUS_7KB, NESTED_JSON_BODY

SHIPPED = Path(__file__).resolve().parents[2] / "process_definitions"


def examples(token: str) -> dict[str, dict[str, Any]]:
    auth = {"authorization": f"Bearer {token}"}
    return {
        "anonymous 7 KB document": {"json": {"query": ANONYMOUS_7KB}},
        "amplifier (rep)": {"json": {"query": AMPLIFIER}, "headers": auth},
        "amplifier x 8 aliases (rep)": {"json": {"query": AMPLIFIER_8_ALIASES}, "headers": auth},
        "nested JSON, anonymous": {"content": NESTED_JSON_BODY},
        "nested JSON (rep)": {"content": NESTED_JSON_BODY, "headers": {**auth, "content-type": "application/json"}},
    }


def worst_documents() -> dict[str, str]:
    """Documents built to be slow to validate that still pass the document limits."""
    limits = RequestLimits()
    aliases = [f"a{i}: processes {{ key }}" for i in range(30) for _ in range(limits.max_repeated_field)]
    while True:  # as many repeated aliased fields as the token limit lets through
        document = "{ " + " ".join(aliases) + " }"
        try:
            parse_within_limits(document, limits)
            break
        except Exception:  # noqa: BLE001
            aliases.pop()
    nested = "{ " + " ".join(f"a{i}: processes {{ stages {{ key }} }}" for i in range(20) for _ in range(4)) + " }"
    fragment = "fragment F on Stage { key name objective position probability milestones { key title why ask } }"
    spread = "{ " + " ".join(f"a{i}: processes {{ stages {{ ...F }} }}" for i in range(30)) + " } " + fragment
    return {"repeated aliased fields": document, "nested repeats": nested, "fragment spread 30 times": spread}


def parse_and_validate_ms(document: str) -> float:
    started = time.perf_counter()
    parsed = parse_within_limits(document + " ", RequestLimits())  # a space: a fresh document, not the cache's
    validate(schema._schema, parsed)
    return (time.perf_counter() - started) * 1000


async def main(seconds: float = 10.0) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3")
        await upgrade(database.engine)
        async with database.transaction() as session:
            _, token = await add_user(session, name="Bench Rep", role=Role.REP, team_name="East")
        settings = Settings(process_dir=SHIPPED, migrate_on_start=False, site_dir=Path(folder) / "none")
        app = create_app(settings, database=database)
        async with (
            app.router.lifespan_context(app),
            serving(app) as url,
            httpx.AsyncClient(base_url=url, timeout=60) as http,
        ):
            await report_refusals(http, token)
            await report_health_under_abuse(http, token, seconds=seconds)
        await database.dispose()
    print("\nworst parse + validation at the document limits (median of 5, ms):")
    for name, document in worst_documents().items():
        timings = [parse_and_validate_ms(document) for _ in range(5)]
        print(
            f"  {name:<28} {len(document):>6} bytes  median {statistics.median(timings):6.1f}  max {max(timings):6.1f}"
        )


async def report_refusals(http: httpx.AsyncClient, token: str) -> None:
    print("over HTTP on 127.0.0.1, 20 requests each (ms); the floor is what any request costs here:")
    floors = {
        "floor: GET /healthz": ("GET", "/healthz", {}),
        "floor: { __typename } (rep)": (
            "POST",
            "/graphql",
            {"json": {"query": "{ __typename }"}, "headers": {"authorization": f"Bearer {token}"}},
        ),
    }
    for name, (method, path, request) in floors.items():
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            response = await http.request(method, path, **request)
            timings.append((time.perf_counter() - started) * 1000)
        median, worst = statistics.median(timings), max(timings)
        print(f"  {name:<30} {response.status_code} {'':<18} median {median:6.1f}  max {worst:6.1f}")
    for name, request in examples(token).items():
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            response = await http.post("/graphql", **request)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code < 500, response.text
            assert response.json()["errors"], response.text
        code = response.json()["errors"][0]["extensions"]["code"]
        median, worst = statistics.median(timings), max(timings)
        print(f"  {name:<30} {response.status_code} {code:<18} median {median:6.1f}  max {worst:6.1f}")


async def report_health_under_abuse(http: httpx.AsyncClient, token: str, *, seconds: float) -> None:
    stop = asyncio.Event()
    sent = 0

    async def abuse(number: int) -> None:
        nonlocal sent
        requests = list(examples(token).values())
        while not stop.is_set():
            await http.post("/graphql", **requests[(number + sent) % len(requests)])
            sent += 1

    abusers = [asyncio.create_task(abuse(n)) for n in range(4)]
    health = []
    deadline = time.perf_counter() + seconds
    # A client of its own, as a load balancer's health check has connections of its own. Probing through the
    # abusers' client, one probe in about five runs waited ~5 s in that client (never on the server's side: the
    # server answers a kept-alive connection after a refusal at once).
    async with httpx.AsyncClient(base_url=http.base_url, timeout=60) as prober:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            assert (await prober.get("/healthz")).status_code == 200
            health.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*abusers)
    health.sort()
    print(f"/healthz while 4 clients sent the examples for {seconds:g} s ({sent} refused requests):")
    print(
        f"  {len(health)} probes: median {statistics.median(health):.1f} ms, "
        f"p99 {health[int(len(health) * 0.99) - 1]:.1f} ms, max {health[-1]:.1f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main(seconds=float(sys.argv[1]) if len(sys.argv) > 1 else 10.0))
