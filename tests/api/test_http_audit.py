"""The graphql-http audit suite (GraphQL-over-HTTP spec conformance) against the app on a real server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.api.http_server import serving

AUDIT_DIR = Path(__file__).parent / "http_audit"
FIXED_SHOULDS = {"D586", "5E5B"}
"""No `data` entry on parse/validation failures: failed before we fixed them; must keep passing."""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the GraphQL-over-HTTP audit to run")
    pytest.skip(f"{reason} (CI=true makes this a failure)")


async def _run(*command: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=AUDIT_DIR,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(300):
        out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def _audit_tools() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("node and npm are needed for the graphql-http audit but are not on PATH")
    assert node is not None
    assert npm is not None
    if not (AUDIT_DIR / "node_modules" / "graphql-http").is_dir():
        code, _, err = await _run(npm, "ci", "--no-audit", "--no-fund")
        if code != 0:
            _unavailable(f"`npm ci` in {AUDIT_DIR} failed: {err.strip()[-500:]}")
    return node


async def test_graphql_over_http_audit_has_no_must_failures(app, people):
    # given: the app on a real server, and the audit's requests carrying a valid token
    node = await _audit_tools()

    # when
    async with serving(app) as base_url:
        code, out, err = await _run(
            node,
            "audit.mjs",
            env={
                "WAYMARK_AUDIT_URL": f"{base_url}/graphql",
                "WAYMARK_AUDIT_TOKEN": people.admin.token,
            },
        )

    # then
    assert code == 0, err
    results: list[dict[str, Any]] = json.loads(out)
    failed = [r for r in results if r["status"] != "ok"]
    for result in failed:
        if not result["name"].startswith("MUST"):
            warnings.warn(f"graphql-http audit {result['id']} {result['name']}: {result['reason']}", stacklevel=1)
    musts = [r for r in results if r["name"].startswith("MUST")]
    assert len(musts) >= 10, results
    assert [r for r in failed if r["name"].startswith("MUST")] == []
    assert [r for r in failed if r["id"] in FIXED_SHOULDS] == []
