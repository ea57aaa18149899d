"""The API in a real browser (Debian's chromium, headless, through Playwright): GraphiQL served by the server
itself, working with every request outside the machine blocked; and a page on another origin that queries and
subscribes when CORS allows its origin, and is refused when it does not."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from api.db import Database
from tests.api.factories import People, create_deal, deal_gid
from tests.api.factories import gql as post
from tests.api.test_subscriptions import _free_port, running_server
from tests.prerequisites import CHROMIUM, CHROMIUM_FLAGS, missing

pytestmark = pytest.mark.browser

COMPLETE = 'mutation($id: ID!) { completeMilestone(dealId: $id, milestoneKey: "icp-fit") { __typename } }'
SUBSCRIPTION = "subscription { dealChanged { deal { name } event { kind milestoneKey } } }"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        missing("the playwright Python package is not installed: pip install -e '.[test]'")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def offline_page(browser: Any) -> tuple[Any, list[str]]:
    """A page whose every request to anywhere but this machine is blocked (and listed)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    outside: list[str] = []

    async def only_local(route: Any) -> None:
        if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:")):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_local)
    return await context.new_page(), outside


async def run_in_graphiql(page: Any, url: str, query: str) -> None:
    await page.goto(f"{url}/graphql?q={quote(query)}")
    await page.locator(".graphiql-execute-button").click(timeout=20_000)


async def result_text(page: Any) -> str:
    return str(await page.locator(".result-window").inner_text())


async def test_graphiql_works_offline_runs_a_query_and_a_subscription(
    browser: Any, database: Database, people: People
) -> None:
    # given: the server in demo mode (GraphiQL's headers hold the first demo token), and the browser offline
    deal = await create_deal(database, owner=people.manager, stage="mql", name="Offline deal")
    tokens = {"manager (Maya Manager)": people.manager.token}
    async with running_server(database, demo_tokens=tokens) as server:
        url = f"http://{server.url}"
        page, outside = await offline_page(browser)

        # when: a query runs
        await run_in_graphiql(page, url, "{ me { name } }")
        await page.wait_for_function(
            "document.querySelector('.result-window')?.innerText.includes('Maya Manager')", timeout=20_000
        )
        # and a subscription starts, then a change is made over HTTP
        await run_in_graphiql(page, url, SUBSCRIPTION)
        await asyncio.sleep(1.0)
        async with httpx.AsyncClient(base_url=url) as client:
            await post(client, COMPLETE, {"id": deal_gid(deal)}, token=people.manager.token)
        await page.wait_for_function(
            "document.querySelector('.result-window')?.innerText.includes('MILESTONE_COMPLETED')", timeout=20_000
        )
        shown = await result_text(page)
        await page.context.close()

    # then: both ran, and nothing was fetched from outside the machine
    assert "Offline deal" in shown
    assert outside == []


CROSS_ORIGIN_PAGE = """<!doctype html><html><body><pre id="log"></pre><script>
const api = "__API__", token = "__TOKEN__";
const log = (line) => document.getElementById("log").textContent += line + "\\n";
const headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token};
fetch(api + "/graphql", {method: "POST", headers, body: JSON.stringify({query: "{ me { name } }"})})
  .then((r) => r.json()).then((body) => log("query: " + body.data.me.name)).catch((e) => log("query refused: " + e));
const socket = new WebSocket(api.replace("http", "ws") + "/graphql", "graphql-transport-ws");
const init = {type: "connection_init", payload: {Authorization: "Bearer " + token}};
socket.onopen = () => socket.send(JSON.stringify(init));
socket.onmessage = (message) => {
  const data = JSON.parse(message.data);
  if (data.type === "connection_ack") {
    socket.send(JSON.stringify({id: "1", type: "subscribe", payload: {query: "__SUBSCRIPTION__"}}));
    log("subscribed");
  } else if (data.type === "next") { log("event: " + JSON.stringify(data.payload.data)); }
};
socket.onclose = (event) => log("closed: " + event.code);
</script></body></html>"""


@contextlib.asynccontextmanager
async def other_origin(api: str, token: str) -> AsyncIterator[str]:
    """A page on another origin (another port) that calls the API."""
    html = (
        CROSS_ORIGIN_PAGE.replace("__API__", api).replace("__TOKEN__", token).replace("__SUBSCRIPTION__", SUBSCRIPTION)
    )

    async def page(request: Any) -> HTMLResponse:
        return HTMLResponse(html)

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/", page)]), port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.mark.parametrize("allowed", [True, False], ids=["cors-allowed", "cors-off"])
async def test_a_page_on_another_origin_queries_and_subscribes_only_when_cors_allows_it(
    browser: Any, database: Database, people: People, allowed: bool
) -> None:
    # given
    deal = await create_deal(database, owner=people.rep_a, stage="mql", name="Cross-origin deal")
    api_port = _free_port()
    async with other_origin(f"http://127.0.0.1:{api_port}", people.rep_a.token) as origin:
        cors = (origin,) if allowed else ()
        async with running_server(database, cors_origins=cors, port=api_port) as server:
            page, _ = await offline_page(browser)
            # when: the page loads, and a change is made once it has subscribed (or been refused)
            await page.goto(origin)
            await page.wait_for_function(
                "/subscribed|closed/.test(document.getElementById('log').textContent)", timeout=20_000
            )
            await asyncio.sleep(0.5)
            async with httpx.AsyncClient(base_url=f"http://{server.url}") as client:
                await post(client, COMPLETE, {"id": deal_gid(deal)}, token=people.rep_a.token)
            await page.wait_for_function("/query/.test(document.getElementById('log').textContent)", timeout=20_000)
            if allowed:
                await page.wait_for_function("/event/.test(document.getElementById('log').textContent)", timeout=20_000)
            log = await page.locator("#log").inner_text()
            await page.context.close()

    # then
    if allowed:
        assert "query: Alice Rep" in log
        assert "Cross-origin deal" in log
        assert "MILESTONE_COMPLETED" in log
    else:
        assert "query refused" in log
        assert "closed: 1006" in log  # the handshake was refused (403): browsers report no code of their own
        assert "event" not in log
