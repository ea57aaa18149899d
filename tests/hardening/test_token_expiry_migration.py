"""Migration 0004 (`api_tokens.expires_at`) upgrades a database made by the previous release, full of deals
and their history, without changing a row of it; tokens issued before keep working."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from api.db import Database, upgrade
from api.db.models import Role
from api.services.accounts.tokens import hash_token, viewer_for_token
from tests.api.factories import Person, create_deal
from tests.prerequisites import POSTGRES_URL, require_postgres

PREVIOUS_RELEASE = "0003"
HISTORY = ("teams", "users", "api_tokens", "deals", "deal_competitors", "milestone_completions", "deal_events")


@pytest.fixture(params=["sqlite", "postgresql"])
async def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = Database(url=f"sqlite+aiosqlite:///{tmp_path / 'previous.sqlite3'}")
        yield database
        await database.dispose()
        return
    await require_postgres()
    schema = f"waymark_0004_{uuid.uuid4().hex[:12]}"
    admin = Database(url=POSTGRES_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(url=POSTGRES_URL, engine_options={"connect_args": {"server_settings": {"search_path": schema}}})
    try:
        yield database
    finally:
        await database.dispose()
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def _people_of_the_previous_release(database: Database) -> list[Person]:
    """Users and tokens written as the previous release's tables hold them (no `expires_at` yet)."""
    people = []
    async with database.engine.begin() as connection:
        await connection.execute(text("INSERT INTO teams (id, name, created_at) VALUES (1, 'East', '2026-01-05')"))
        for user_id, name, role in ((1, "Alice Rep", Role.REP), (2, "Maya Manager", Role.MANAGER)):
            token = f"wmk_previous-release-{user_id}"
            await connection.execute(
                text("INSERT INTO users (id, name, role, team_id, created_at) VALUES (:id, :n, :r, 1, '2026-01-05')"),
                {"id": user_id, "n": name, "r": role.value},
            )
            await connection.execute(
                text("INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (:u, :h, '2026-01-05')"),
                {"u": user_id, "h": hash_token(token)},
            )
            people.append(Person(id=user_id, name=name, role=role, team_id=1, token=token))
    return people


async def _rows(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    rows = {}
    async with database.engine.connect() as connection:
        for table in HISTORY:
            columns = await connection.run_sync(lambda sync, t=table: [c["name"] for c in inspect(sync).get_columns(t)])
            kept = [c for c in columns if c != "expires_at"]
            result = await connection.execute(text(f"SELECT {', '.join(kept)} FROM {table} ORDER BY 1, 2"))
            rows[table] = [tuple(r) for r in result]
    return rows


async def test_a_full_database_of_the_previous_release_upgrades_without_changing_its_history(old_database):
    # given: the previous release's schema, with people, deals at every stage and their history
    await upgrade(old_database.engine, revision=PREVIOUS_RELEASE)
    rep, manager = await _people_of_the_previous_release(old_database)
    for index, stage in enumerate(["mql", "sql", "sal", "commit"] * 5):
        owner = rep if index % 2 else manager
        await create_deal(old_database, owner=owner, stage=stage, name=f"Deal {index}", competitors=("acme",))
    before = await _rows(old_database)
    assert len(before["deal_events"]) > 20

    # when
    await upgrade(old_database.engine)

    # then: every row as it was; old tokens work and expire never
    assert await _rows(old_database) == before
    async with old_database.sessions() as session:
        viewer = await viewer_for_token(session, token=rep.token)
        expiries = list(await session.scalars(text("SELECT expires_at FROM api_tokens")))
    assert viewer is not None
    assert viewer.name == "Alice Rep"
    assert expiries == [None, None]
