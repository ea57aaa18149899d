"""Every `guideUrl` the API returns for the shipped process resolves in the built guidebook, page and anchor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.db import Database, upgrade
from api.db.models import Role
from api.services.accounts.tokens import add_user
from api.settings import Settings
from tests.guidebook.conftest import SHIPPED
from tests.guidebook.sitecheck import element_ids, unresolved

GUIDE_URLS = """
query GuideUrls {
  processes {
    key
    guideUrl
    stages { key guideUrl milestones { key guideUrl } }
  }
  competitors { key guideUrl }
}
"""


@pytest.fixture
async def api(tmp_path: Path, site: Path) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The API over the shipped definitions, serving the built guidebook at /guide, and an enablement token."""
    database = Database(url=f"sqlite+aiosqlite:///{tmp_path / 'api.sqlite3'}")
    await upgrade(database.engine)
    async with database.transaction() as session:
        _, token = await add_user(session, name="Elena Enablement", role=Role.ENABLEMENT, team_name=None)
    settings = Settings(
        database_url="unused: the test hands over a Database",
        process_dir=SHIPPED,
        guide_base_url="/guide/",
        site_dir=site,
        migrate_on_start=False,
    )
    app: Starlette = create_app(settings, database=database)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://waymark.test") as client:
                yield client, token
    finally:
        await database.dispose()


async def test_every_guide_url_from_the_api_resolves_in_the_built_site(
    api: tuple[httpx.AsyncClient, str], site: Path
) -> None:
    # given
    client, token = api
    # when
    response = await client.post("/graphql", json={"query": GUIDE_URLS}, headers={"Authorization": f"Bearer {token}"})
    # then
    body = response.json()
    assert "errors" not in body, body
    found = [
        url
        for process in body["data"]["processes"]
        for stage in process["stages"]
        for url in (stage["guideUrl"], *(m["guideUrl"] for m in stage["milestones"]))
    ]
    milestones = sum(len(s["milestones"]) for p in body["data"]["processes"] for s in p["stages"])
    assert milestones > 0
    assert len(found) == milestones + sum(len(p["stages"]) for p in body["data"]["processes"])
    processes = [p["guideUrl"] for p in body["data"]["processes"]]
    battlecards = [c["guideUrl"] for c in body["data"]["competitors"]]
    assert "/guide/competitors/status-quo/" in battlecards
    assert processes
    found += processes + battlecards
    assert [problem for url in found if (problem := unresolved(site, url, base="/guide/"))] == []


async def test_the_api_serves_the_pages_its_guide_urls_point_at(api: tuple[httpx.AsyncClient, str]) -> None:
    client, token = api
    response = await client.post("/graphql", json={"query": GUIDE_URLS}, headers={"Authorization": f"Bearer {token}"})
    stage = next(s for s in response.json()["data"]["processes"][0]["stages"] if s["milestones"])
    milestone_url = stage["milestones"][0]["guideUrl"]
    page, anchor = milestone_url.split("#")
    served = await client.get(page)
    assert served.status_code == 200
    assert anchor in element_ids(served.text)
