"""The app on a real uvicorn server on a free 127.0.0.1 port, in the test's event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.applications import Starlette

from api.cli.listening import BoundedHttpTools


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve an already started `app` (lifespan off); yields the base URL, e.g. `http://127.0.0.1:54321`."""
    # Said to be TCP, so that asyncio turns Nagle's algorithm off on its connections (as `waymark serve` does:
    # `api/cli/listening.py`); without it every exchange after the first on a connection waited ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # Keep-alive longer than any test: a connection uvicorn closes as idle while a client reuses it is a
    # client-side ReadError, not an answer of the app.
    # Requests are parsed as `waymark serve` parses them.
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", access_log=False, timeout_keep_alive=300, http=BoundedHttpTools
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
