"""Tokens can be listed (without secrets), revoked, rotated and made to expire. A server remembers who holds a
token for a few seconds (`token_cache_seconds`); a revocation reaches every server sharing a PostgreSQL database
at once, through a notification, and every server on a shared SQLite file within those few seconds."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.db import Database
from api.db.models import ApiToken, User, utc_now
from api.services.accounts.tokens import hash_token, revoke_tokens
from tests.api.conftest import make_settings

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
ME = {"query": "{ me { name } }"}


@asynccontextmanager
async def server(database: Database, *, token_cache_seconds: float = 5.0) -> AsyncIterator[httpx.AsyncClient]:
    """One more server on the same database (its own app, as another host would run)."""
    settings = dataclasses.replace(make_settings(), token_cache_seconds=token_cache_seconds)
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://waymark.test") as client:
            yield client


async def _me(client: httpx.AsyncClient, token: str) -> int:
    return (await client.post("/graphql", json=ME, headers={"authorization": f"Bearer {token}"})).status_code


async def _refused_by_both(first: httpx.AsyncClient, second: httpx.AsyncClient, token: str, *, within: float) -> float:
    """Seconds until both servers refuse `token` (401); fails after `within`."""
    started = time.monotonic()
    while (await _me(first, token), await _me(second, token)) != (401, 401):
        assert time.monotonic() - started < within, "a server still admits the revoked token"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_a_revoked_token_is_refused_by_every_server(database, people):
    # given: two servers, both having admitted the rep (so both remember the token). On PostgreSQL they would
    # trust it for a minute: only the revocation's notification can make them refuse it sooner.
    postgresql = database.engine.dialect.name == "postgresql"
    remembered = 60.0 if postgresql else 0.5
    async with (
        server(database, token_cache_seconds=remembered) as first,
        server(database, token_cache_seconds=remembered) as second,
    ):
        assert (await _me(first, people.rep_a.token), await _me(second, people.rep_a.token)) == (200, 200)

        # when: the rep's tokens are revoked (as `waymark user revoke` does)
        async with database.transaction() as session:
            user = await session.get(User, people.rep_a.id)
            assert user is not None
            assert await revoke_tokens(session, user=user) == 1

        # then: both refuse it, well before they would have forgotten it; others are unaffected
        await _refused_by_both(first, second, people.rep_a.token, within=10.0 if postgresql else 5.0)
        assert await _me(second, people.rep_b.token) == 200


async def test_an_expired_token_is_refused(client, database, people):
    async with database.transaction() as session:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hash_token(people.rep_a.token))
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
        await session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hash_token(people.rep_b.token))
            .values(expires_at=utc_now() + timedelta(days=1))
        )

    assert await _me(client, people.rep_a.token) == 401
    assert await _me(client, people.rep_b.token) == 200


def _cli(database_file: Path, *args: str):  # noqa: ANN202
    return runner.invoke(cli, [*args, "--database-url", f"sqlite+aiosqlite:///{database_file}"])


def _token_of(output: str) -> str:
    return output.split("API token (shown once): ")[1].split()[0]


def test_user_list_shows_people_and_how_many_tokens_work_but_no_secret(tmp_path):
    database_file = tmp_path / "people.sqlite3"
    token = _token_of(_cli(database_file, "user", "add", "Dana Lee", "--role", "manager", "--team", "East").output)
    _cli(database_file, "user", "add", "Sam Rep", "--role", "rep", "--team", "East")
    _cli(database_file, "user", "revoke", "Sam Rep")

    listed = _cli(database_file, "user", "list")

    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[1].split() == ["1", "Dana", "Lee", "manager", "East", "1", "-"]
    assert lines[2].split() == ["2", "Sam", "Rep", "rep", "East", "0", "-"]
    with sqlite3.connect(database_file) as connection:
        [(stored_hash,)] = connection.execute("SELECT token_hash FROM api_tokens WHERE user_id = 1")
    assert token not in listed.output
    assert stored_hash not in listed.output
    assert "wmk_" not in listed.output


def test_token_rotate_issues_a_new_expiring_token_and_revokes_the_old(tmp_path):
    database_file = tmp_path / "people.sqlite3"
    old = _token_of(_cli(database_file, "user", "add", "Dana Lee", "--role", "manager", "--team", "East").output)

    rotated = _cli(database_file, "token", "rotate", "1", "--expires-in-days", "30")

    assert rotated.exit_code == 0, rotated.output
    new = _token_of(rotated.output)
    assert new != old
    with sqlite3.connect(database_file) as connection:
        rows = dict(connection.execute("SELECT token_hash, revoked_at IS NOT NULL FROM api_tokens"))
        [(expires,)] = connection.execute("SELECT expires_at FROM api_tokens WHERE revoked_at IS NULL")
    assert rows == {hash_token(old): 1, hash_token(new): 0}
    assert expires is not None
    assert "working until" in rotated.output


def test_revoke_and_rotate_say_clearly_when_the_user_is_unknown_or_ambiguous(tmp_path):
    database_file = tmp_path / "people.sqlite3"
    _cli(database_file, "user", "add", "Sam Rep", "--role", "rep")
    _cli(database_file, "user", "add", "Sam Rep", "--role", "rep")

    unknown = _cli(database_file, "user", "revoke", "Nobody")
    ambiguous = _cli(database_file, "token", "rotate", "Sam Rep")
    missing_id = _cli(database_file, "user", "revoke", "99")

    assert (unknown.exit_code, ambiguous.exit_code, missing_id.exit_code) == (2, 2, 2)
    assert "no user is named 'Nobody'" in unknown.output
    assert "2 users are named 'Sam Rep' (IDs 1, 2); give the ID instead" in ambiguous.output
    assert "no user has the ID 99" in missing_id.output
