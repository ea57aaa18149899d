"""The benchmark's PostgreSQL databases: one per size, seeded with `waymark seed`, plus competitors on deals,
a rep with 200 open deals, and fresh tokens for an admin and that rep."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import asyncpg

from api.db import Database
from api.db.models import Role
from api.services.accounts.tokens import hash_token, new_token

SERVER = os.environ.get("WAYMARK_BENCH_POSTGRES", "postgres@127.0.0.1:5432")
BIG_REP = "Bench rep with 200 open deals"
BIG_REP_DEALS = 200


@dataclass(frozen=True, slots=True)
class BenchDatabase:
    size: int
    url: str
    """SQLAlchemy URL (postgresql+asyncpg://...)."""
    dsn: str
    """asyncpg DSN of the same database."""
    admin_token: str
    rep_token: str
    rep_id: int

    def database(self) -> Database:
        return Database(url=self.url)


def database_name(size: int) -> str:
    return f"waymark_bench_{size}"


async def prepare(size: int, *, reseed: bool) -> BenchDatabase:
    """The database of `size` deals, seeded on first use (or again with `reseed`), with fresh tokens."""
    name = database_name(size)
    dsn = f"postgresql://{SERVER}/{name}"
    url = f"postgresql+asyncpg://{SERVER}/{name}"
    server = await asyncpg.connect(f"postgresql://{SERVER}/postgres")
    try:
        exists = await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and reseed:
            await server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or reseed:
            await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    connection = await asyncpg.connect(dsn)
    try:
        if not await _seeded(connection):
            _seed(size, url)
            await _add_extras(connection)
        admin_token, rep_token, rep_id = await _tokens(connection)
    finally:
        await connection.close()
    return BenchDatabase(size=size, url=url, dsn=dsn, admin_token=admin_token, rep_token=rep_token, rep_id=rep_id)


async def _seeded(connection: asyncpg.Connection) -> bool:
    has_users = await connection.fetchval("SELECT to_regclass('users') IS NOT NULL")
    return bool(has_users) and bool(await connection.fetchval("SELECT count(*) FROM users WHERE name = $1", BIG_REP))


def _seed(size: int, url: str) -> None:
    print(f"seeding {size:,} deals with `waymark seed` ...", flush=True)
    command = [sys.executable, "-m", "api.cli", "seed", "--deals", str(size), "--database-url", url]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


async def _add_extras(connection: asyncpg.Connection) -> None:
    """Competitors on two deals in three (both on one in five), and one rep who owns 200 open deals."""
    async with connection.transaction():
        await connection.execute(
            "INSERT INTO deal_competitors (deal_id, competitor_key) SELECT id, 'tabstone' FROM deals WHERE id % 3 <> 0"
        )
        await connection.execute(
            "INSERT INTO deal_competitors (deal_id, competitor_key) SELECT id, 'veridane' FROM deals WHERE id % 5 = 0"
        )
        team_id = await connection.fetchval("SELECT min(id) FROM teams")
        rep_id = await connection.fetchval(
            "INSERT INTO users (name, role, team_id, created_at) VALUES ($1, $2, $3, now()) RETURNING id",
            BIG_REP,
            Role.REP.value,
            team_id,
        )
        await connection.execute(
            "UPDATE deals SET owner_id = $1 WHERE id IN "
            "(SELECT id FROM deals WHERE status = 'open' ORDER BY id DESC LIMIT $2)",
            rep_id,
            BIG_REP_DEALS,
        )
        await connection.execute(
            "INSERT INTO users (name, role, team_id, created_at) VALUES ('Bench admin', 'admin', NULL, now())"
        )
    await connection.execute("ANALYZE")


async def _tokens(connection: asyncpg.Connection) -> tuple[str, str, int]:
    admin_id = await connection.fetchval("SELECT id FROM users WHERE name = 'Bench admin'")
    rep_id = await connection.fetchval("SELECT id FROM users WHERE name = $1", BIG_REP)
    tokens = []
    for user_id in (admin_id, rep_id):
        token = new_token()
        await connection.execute(
            "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES ($1, $2, now())",
            user_id,
            hash_token(token),
        )
        tokens.append(token)
    return tokens[0], tokens[1], int(rep_id)
