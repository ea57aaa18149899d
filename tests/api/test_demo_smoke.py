"""`waymark serve --demo` starts on a fresh folder, builds the guidebook, prints the demo tokens in one column, and
answers a query with a demo token: the manager's board (open deals, as a board shows them) has deals in every
open stage. What the demo holds is tested in-process, faster, in `tests/seed/test_demo.py`."""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.api.serve_command import waymark_serve

SHIPPED_DEFINITIONS = Path(__file__).resolve().parents[2] / "process_definitions"
BOARD = """
{ me { name }
  deals(first: 20, filter: {statuses: [OPEN]}) { totalCount edges { node { name stage { key } blockers { key } } } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_demo_starts_and_answers_with_a_demo_token(tmp_path):
    # given
    port = _free_port()
    env = {**os.environ, "WAYMARK_PROCESS_DIR": str(SHIPPED_DEFINITIONS)}
    env.pop("DATABASE_URL", None)
    server = waymark_serve("--demo", "--port", str(port), cwd=tmp_path, env=env)
    try:
        output = ""
        # Generous: the first start builds the guidebook and seeds two years of demo history.
        deadline = time.monotonic() + 120
        token_lines: list[str] = []
        assert server.stdout is not None
        while time.monotonic() < deadline and not any("enablement" in t for t in token_lines):
            line = server.stdout.readline()
            output += line
            if re.match(r"  \w+ \(.+\)\s+\S+$", line):
                token_lines.append(line.rstrip("\n"))
        token = next((t.split()[-1] for t in token_lines if "manager (Maya Manager)" in t), None)
        if token is None:
            pytest.fail(f"no demo token printed:\n{output}")
        body = None
        while time.monotonic() < deadline:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": BOARD},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=5,
                )
                body = response.json()
                break
            except httpx.TransportError:
                time.sleep(0.2)

        # then
        assert body is not None, output
        assert body["data"]["me"]["name"] == "Maya Manager"
        assert body["data"]["deals"]["totalCount"] >= 12
        stages = {e["node"]["stage"]["key"] for e in body["data"]["deals"]["edges"]}
        assert {"mql", "sql", "sal", "commit"} <= stages
        assert f"http://127.0.0.1:{port}/graphql" in output
        token_columns = {line.rindex(" ") + 1 for line in token_lines}
        assert len(token_lines) == 4, output
        assert len(token_columns) == 1, "\n".join(token_lines)
        # The guidebook of the published version is built in the background: 503 until it is ready, then 200.
        guide = httpx.get(f"http://127.0.0.1:{port}/guide/", timeout=5)
        while guide.status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.2)
            guide = httpx.get(f"http://127.0.0.1:{port}/guide/", timeout=5)
        assert guide.status_code == 200
        # requests are parsed within a bound on their head (`api.cli.listening`)
        oversized = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Filler": "a" * 70_000}, timeout=5)
        assert oversized.status_code == 431
        assert oversized.json()["errors"][0]["extensions"]["code"] == "REQUEST_REFUSED"
        builds = list((tmp_path / ".waymark" / "guide-builds").glob("1-*/index.html"))
        assert len(builds) == 1, builds
        sal = httpx.get(f"http://127.0.0.1:{port}/guide/new-business/sal/", timeout=5)
        assert sal.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
