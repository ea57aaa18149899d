"""A front-end developer's first hour with `waymark serve`: a second demo does not take the first one's database
away, and a port that is taken is said in one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

PROCESS_DEFINITIONS = Path(__file__).parents[2] / "process_definitions"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def waymark(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A `waymark serve --demo` running in `tmp_path`, ready."""
    port = _free_port()
    environment = {**os.environ, "WAYMARK_PROCESS_DIR": str(PROCESS_DEFINITIONS)}
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--demo", "--no-build-guide", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        server.terminate()
        pytest.fail("the demo server did not become ready")
    try:
        yield tmp_path, port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_second_demo_in_the_same_folder_refuses_to_touch_the_first_ones_database(demo: tuple[Path, int]) -> None:
    folder, port = demo
    database = folder / "waymark-demo.sqlite3"
    before = database.stat().st_ino

    second = waymark("serve", "--demo", "--no-build-guide", "--port", str(_free_port()), cwd=folder)

    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        f"another `waymark serve --demo` is using {database}; stop it first, or run this one from another folder"
    ]
    assert database.stat().st_ino == before  # the same file, not deleted and made again
    assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200


def test_a_taken_port_is_said_in_one_line(demo: tuple[Path, int]) -> None:
    folder, port = demo

    refused = waymark("serve", "--port", str(port), cwd=folder)

    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"port {port} on 127.0.0.1 is taken (another server?); choose another with --port"
    ]
