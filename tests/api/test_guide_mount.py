"""The built guidebook at `/guide`, and the API's `guideUrl` links resolving in it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.db import Database
from tests.api.conftest import FIXTURE_DEFINITIONS, started_app
from tests.api.factories import People, gql

STAGE_GUIDE_URLS = '{ process(key: "new-business") { stages { key guideUrl milestones { key guideUrl } } } }'
PROCESS_AND_BATTLECARD_GUIDE_URLS = '{ process(key: "new-business") { guideUrl } competitors { key guideUrl } }'


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = pytest.importorskip("guidebook.build")
    site = tmp_path_factory.mktemp("guide") / "site"
    build.ensure_built(site, process_dir=FIXTURE_DEFINITIONS)
    return site


@pytest.fixture
async def guide_client(database: Database, built_site: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for app in started_app(database=database, site_dir=built_site):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://waymark.test") as c:
            yield c


async def test_guide_serves_the_built_home_page(guide_client: httpx.AsyncClient, built_site: Path):
    response = await guide_client.get("/guide/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == (built_site / "index.html").read_text()


async def test_every_stage_and_milestone_guide_url_resolves_over_http(guide_client: httpx.AsyncClient, people: People):
    # given: the guide links the API hands out
    body = await gql(guide_client, STAGE_GUIDE_URLS, token=people.rep_a.token)
    stages = body["data"]["process"]["stages"]
    links = [s["guideUrl"] for s in stages] + [m["guideUrl"] for s in stages for m in s["milestones"]]
    assert "/guide/new-business/sal/#finance-sign-off" in links

    # when / then: each page is served, and each anchor is on it
    for link in links:
        path, _, anchor = link.partition("#")
        page = await guide_client.get(path)
        assert page.status_code == 200, link
        if anchor:
            assert f'id="{anchor}"' in page.text, link


async def test_without_a_built_site_guide_is_not_found(client: httpx.AsyncClient):
    assert (await client.get("/guide/")).status_code == 404


async def test_process_and_battlecard_guide_urls_resolve_over_http(guide_client: httpx.AsyncClient, people: People):
    # given
    body = await gql(guide_client, PROCESS_AND_BATTLECARD_GUIDE_URLS, token=people.rep_a.token)
    battlecards = {c["key"]: c["guideUrl"] for c in body["data"]["competitors"]}
    assert body["data"]["process"]["guideUrl"] == "/guide/new-business/"
    assert battlecards == {"acme": "/guide/competitors/acme/", "status-quo": "/guide/competitors/status-quo/"}

    # when / then
    for link in [body["data"]["process"]["guideUrl"], *battlecards.values()]:
        page = await guide_client.get(link)
        assert page.status_code == 200, link
