"""Prerequisites some tests need (a PostgreSQL server, a browser, npm packages): on a developer's machine a
missing one skips the test and says why; under `CI=true` it fails, so CI can never pass by skipping."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium, driven headless by the browser tests."""
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
POSTGRES_URL = os.environ.get("WAYMARK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def missing(reason: str) -> None:
    """Skip (or, under CI=true, fail) because `reason`."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)")
    pytest.skip(f"{reason} (CI=true makes this a failure)")


async def require_postgres(url: str = POSTGRES_URL) -> None:
    engine = create_async_engine(url)
    try:
        async with asyncio.timeout(5), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        missing(
            f"PostgreSQL at {url} is unreachable ({type(error).__name__}: {error}); "
            "start it or set WAYMARK_TEST_POSTGRES_URL"
        )
    finally:
        await engine.dispose()
