"""`waymark serve --workers N`: several worker processes share the port, and their kept-alive connections
have Nagle's algorithm off (with it on, every response after the first on a connection waited ~43 ms for the
client's delayed acknowledgement)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

from api.cli.listening import APP, TcpConfig
from tests.api.serve_command import waymark_serve

SHIPPED_DEFINITIONS = Path(__file__).resolve().parents[2] / "process_definitions"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Accepted(asyncio.Protocol):
    nodelay: list[int] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        accepted = transport.get_extra_info("socket")
        _Accepted.nodelay.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        transport.close()


async def test_connections_to_the_shared_listening_socket_have_nagle_off():
    # given: the socket the workers share, bound as `waymark serve --workers` binds it
    listener = TcpConfig(APP, factory=True, host="127.0.0.1", port=_free_port(), workers=2).bind_socket()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Accepted, sock=listener)
    _Accepted.nodelay.clear()

    # when
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        for _ in range(100):
            if _Accepted.nodelay:
                break
            await asyncio.sleep(0.01)
        writer.close()
    finally:
        server.close()
        await server.wait_closed()

    # then
    assert listener.proto == socket.IPPROTO_TCP
    assert _Accepted.nodelay == [1]


def test_serve_with_two_workers_answers_on_one_port(tmp_path):
    # given
    port = _free_port()
    env = {
        **os.environ,
        "WAYMARK_PROCESS_DIR": str(SHIPPED_DEFINITIONS),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'waymark.sqlite3'}",
    }
    server = waymark_serve("--no-build-guide", "--workers", "2", "--port", str(port), cwd=tmp_path, env=env)

    # when
    try:
        answers = []
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            while time.monotonic() < deadline and len(answers) < 20:
                try:
                    answers.append(client.get("/healthz").status_code)
                except httpx.TransportError:
                    time.sleep(0.2)
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()

    # then
    assert answers == [200] * 20, output
    assert output.count("Started server process") == 2, output
