"""Running the front-end clients (Node) against the app: their npm packages (installed with `npm ci` from the
committed lock file), and one scenario script at a time."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

from tests.prerequisites import missing

FRONTEND = Path(__file__).parent
BIN = FRONTEND / "node_modules" / ".bin"


async def run(*command: str, env: dict[str, str] | None = None, timeout: float = 300) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=FRONTEND,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(timeout):
        out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def node_packages() -> str:
    """The path of `node`, with this folder's packages installed as the lock file pins them."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing("node and npm are needed to run the front-end clients but are not on PATH")
    assert node is not None
    assert npm is not None
    installed = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        code, _, err = await run(npm, "ci", "--no-audit", "--no-fund", timeout=600)
        if code != 0:
            missing(f"`npm ci` in {FRONTEND} failed: {err.strip()[-500:]}")
    return node


async def run_scenario(script: str, scenario: dict[str, Any], *, development: bool = True) -> dict[str, Any]:
    """Run `script` with `scenario` (JSON in WAYMARK_SCENARIO) and return what it answered."""
    node = await node_packages()
    options = ["--conditions=development"] if development else []
    code, out, err = await run(
        node, *options, script, env={"WAYMARK_SCENARIO": json.dumps(scenario), "NODE_ENV": "development"}
    )
    assert code == 0, f"{script} failed ({code}):\n{err[-4000:]}\n{out[-2000:]}"
    answered: dict[str, Any] = json.loads(out)
    return answered
