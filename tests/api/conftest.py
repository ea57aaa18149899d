"""Fixtures for the API tests: a migrated database (SQLite file, and PostgreSQL when it answers), the app
over real HTTP (httpx + ASGITransport), people with tokens, and deals.

Reuse: `database` (an `api.db.Database`, emptied before each test), `app`, `client`, `people`,
and the factories in `tests/api/factories.py`.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from api.app import create_app
from api.db import Database, upgrade
from api.db.models import Base
from api.process import read_definitions
from api.services.history.cache import history_cache
from api.services.publishing.publish import Publication, publish
from api.services.publishing.sources import read_sources
from api.settings import Settings
from tests.api.factories import People, add_people

FIXTURE_DEFINITIONS = Path(__file__).parent / "fixtures" / "process_definitions"
POSTGRES_URL = os.environ.get("WAYMARK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def _postgres_problem(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with asyncio.timeout(5), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    finally:
        await engine.dispose()
    return None


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'api.sqlite3'}"
        db = Database(url=url)
        await upgrade(db.engine)
        yield db
        await db.dispose()
        return
    problem = await _postgres_problem(POSTGRES_URL)
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable ({problem})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true requires it")
        pytest.skip(f"{message}; set WAYMARK_TEST_POSTGRES_URL or start it (CI=true makes this a failure)")
    schema = f"waymark_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(url=POSTGRES_URL, engine_options={"connect_args": {"server_settings": {"search_path": schema}}})
    try:
        await upgrade(db.engine)
        yield db
    finally:
        await db.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture(autouse=True)
async def _empty_tables(request: pytest.FixtureRequest) -> None:
    """Each test starts from an empty database with the fixture definitions published as version 1, and
    the session's app (when the test uses it) serving that version."""
    if "database" not in request.fixturenames:
        return
    database: Database = request.getfixturevalue("database")
    await history_cache.settle()
    history_cache.forget()  # figures measured on the rows about to be deleted
    async with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
    await publish_definitions(database, FIXTURE_DEFINITIONS)
    if "app" in request.fixturenames:
        app: Starlette = request.getfixturevalue("app")
        async with database.sessions() as session:
            await app.state.served.refresh(session)


def make_settings(*, process_dir: Path = FIXTURE_DEFINITIONS, site_dir: Path = Path("/nonexistent-site")) -> Settings:
    return Settings(
        database_url="unused: the tests hand over a Database",
        process_dir=process_dir,
        guide_base_url="/guide/",
        site_dir=site_dir,
        migrate_on_start=False,
        version_check_seconds=0,  # each test refreshes the served version itself (see `_empty_tables`)
        measure_history_ahead=False,  # statements a test counts are its requests' own
    )


async def started_app(
    *,
    database: Database,
    process_dir: Path = FIXTURE_DEFINITIONS,
    site_dir: Path = Path("/nonexistent-site"),
    publish_folder: bool = True,
) -> AsyncIterator[Starlette]:
    """An app over `database`; with `publish_folder` (when the folder loads) it first publishes `process_dir`,
    so the app serves it, as enablement staff would have done."""
    if publish_folder:
        await publish_definitions(database, process_dir)
    app = create_app(make_settings(process_dir=process_dir, site_dir=site_dir), database=database)
    async with app.router.lifespan_context(app):  # the session-wide `database` outlives each app
        yield app


async def publish_definitions(database: Database, folder: Path, *, accept_orphans: bool = True) -> None:
    """Publish `folder` as the next version, if it loads and differs from the active one."""
    report = read_definitions(folder)
    if report.definitions is None:
        return
    async with database.transaction() as session:
        await publish(
            session,
            Publication(
                sources=read_sources(folder),
                definitions=report.definitions,
                published_by="the tests",
                accept_orphans=accept_orphans,
            ),
        )


@pytest.fixture(scope="session")
async def app(database: Database) -> AsyncIterator[Starlette]:
    async for started in started_app(database=database):
        yield started


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://waymark.test") as c:
        yield c


@pytest.fixture
async def people(database: Database) -> People:
    return await add_people(database)
